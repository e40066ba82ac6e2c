// What a dataset is, as a model records it (meta.json's `trainedOn`): name, kind, class names, image side and a
// fingerprint of its test files. The known IDX sets' fingerprints follow from their checksums, so MNIST and
// Fashion-MNIST are recognised without reading them; a model saved before datasets were recorded is MNIST (or the
// known set its `dataset` field names).
import { createHash } from 'node:crypto';
import { DIGIT_NAMES, IMAGE_SIDE } from '../../../src-shared/domain.js';
import type { DatasetInfo, ModelMeta } from '../../../src-shared/protocol.js';
import { KNOWN_SETS } from './mnist.js';

/** Class names of the known IDX sets in label order (an unknown IDX set: the digits). */
export const KNOWN_CLASSES: Record<string, readonly string[]> = {
  MNIST: DIGIT_NAMES,
  'Fashion-MNIST': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};

/** Where a known set is installed by the OS's packages (Debian's `dataset-fashion-mnist`). */
export const INSTALLED_DIRS: Record<string, string> = { 'Fashion-MNIST': '/usr/share/datasets/fashion-mnist' };

/** A dataset's fingerprint from the sha256 sums of its test files (images, then labels or per-file hashes). */
export function fingerprintOf(testSums: readonly string[]): string {
  return createHash('sha256').update(testSums.join('\n')).digest('hex').slice(0, 16);
}

/** The record of a known IDX set (null for an unknown name). */
export function knownInfo(name: string): DatasetInfo | null {
  const sums = KNOWN_SETS[name];
  if (!sums) return null;
  return {
    name, kind: 'idx', classes: [...(KNOWN_CLASSES[name] ?? DIGIT_NAMES)], imageSide: IMAGE_SIDE,
    fingerprint: fingerprintOf([sums.testImages, sums.testLabels]),
  };
}

export const MNIST_INFO: DatasetInfo = knownInfo('MNIST')!;

/** The dataset a model was trained on: its record, else the known set its `dataset` names, else MNIST. */
export function datasetOfMeta(meta: Pick<ModelMeta, 'trainedOn' | 'dataset'> | null): DatasetInfo {
  return meta?.trainedOn ?? (meta?.dataset ? knownInfo(meta.dataset) : null) ?? MNIST_INFO;
}

/** Whether two class lists are the same names in the same order. */
export const sameClasses = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((c, k) => c === b[k]);
