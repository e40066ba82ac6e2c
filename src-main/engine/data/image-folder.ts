// Your own images as a dataset: a folder with one sub-folder per class (the sub-folder's name is the class name),
// PNG or JPEG of any size, each turned into 28×28 grey levels the way the sketchpad's drawings are
// (src-shared/preprocess.ts: inverted when the background is light, cropped to the ink, scaled to fit 20×20, centred
// by mass in 28×28). The test set is the folder's `test/` (same class sub-folders) when present, else a seeded
// share of each class. Unreadable files and tiny or blank images are skipped and reported; a folder that cannot make
// a dataset is refused in one line that names the folder or file (docs/datasets.md).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IMAGE_SIDE, MAX_CLASSES, MIN_CLASSES, PIXELS } from '../../../src-shared/domain.js';
import { firstLine } from '../../../src-shared/errors.js';
import { preprocessToMnist } from '../../../src-shared/preprocess.js';
import { mulberry32, shuffleInPlace } from '../../../src-shared/random.js';
import type { DatasetInfo, ImportReport } from '../../../src-shared/protocol.js';
import { fingerprintOf } from './dataset-info.js';
import { decodeImage } from './image-file.js';
import type { MnistData, Split } from './mnist.js';

/** The optional sub-folder holding the test images (its own class sub-folders). */
export const TEST_FOLDER = 'test';
/** Images narrower or lower than this many pixels are skipped as too small to use. */
export const MIN_IMAGE_SIDE = 8;
/** Without a test/ folder: this share of each class's images (at least one when it has two) is the test set. */
export const TEST_SHARE = 0.2;
/** The seed of that split: fixed, so a folder always splits the same way (and keeps its fingerprint). */
export const SPLIT_SEED = 20_251_203;
const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** A dataset read from files, with what its import skipped and found per class. */
export interface LoadedDataset extends MnistData {
  info: DatasetInfo;
  report: ImportReport;
}

/** A folder that cannot make a dataset; the message is one line naming the folder or file. */
export class DatasetError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}

/** Whether `dir` looks like an image folder (sub-folders, no IDX files): the caller picks the reader. */
export function hasClassFolders(dir: string): boolean {
  return subFolders(dir).length > 0;
}

function subFolders(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new DatasetError(dir, `cannot read the folder (${firstLine(err)})`);
  }
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

function imageFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

interface Item {
  file: string;
  label: number;
}

/** Read an image folder: progress is (files done, files in all). */
export async function loadImageFolder(dir: string, onProgress?: (done: number, total: number) => void): Promise<LoadedDataset> {
  const root = path.resolve(dir);
  if (!fs.existsSync(root)) throw new DatasetError(root, 'data folder not found');
  const hasTest = fs.existsSync(path.join(root, TEST_FOLDER)) && fs.statSync(path.join(root, TEST_FOLDER)).isDirectory();
  const classes = subFolders(root).filter((c) => !(hasTest && c === TEST_FOLDER));
  if (classes.length === 0) throw new DatasetError(root, 'no class sub-folders (one sub-folder of PNG or JPEG images per class)');
  if (classes.length < MIN_CLASSES || classes.length > MAX_CLASSES) {
    throw new DatasetError(root, `${classes.length} class sub-folder${classes.length === 1 ? '' : 's'}: a dataset needs ${MIN_CLASSES} to ${MAX_CLASSES}`);
  }
  const list = (base: string) =>
    classes.flatMap((c, label) => {
      const folder = path.join(base, c);
      return fs.existsSync(folder) ? imageFiles(folder).map((f) => ({ file: path.join(folder, f), label })) : [];
    });
  const trainItems = list(root);
  const testItems = hasTest ? list(path.join(root, TEST_FOLDER)) : [];
  if (hasTest) {
    const extra = subFolders(path.join(root, TEST_FOLDER)).find((c) => !classes.includes(c));
    if (extra) throw new DatasetError(path.join(root, TEST_FOLDER, extra), `a test class with no training sub-folder '${extra}'`);
  }

  const skipped: ImportReport['skipped'] = [];
  const total = trainItems.length + testItems.length;
  let done = 0;
  const read = async (items: Item[]) => {
    const kept: { item: Item; pixels: Uint8Array; sha: string }[] = [];
    for (const item of items) {
      const rel = path.relative(root, item.file);
      const reason = !IMAGE_EXT.test(item.file) ? 'not a .png, .jpg or .jpeg file' : null;
      const out = reason ? { reason } : readOne(item.file);
      if ('reason' in out) skipped.push({ file: rel, reason: out.reason });
      else kept.push({ item, ...out });
      if (++done % 16 === 0 || done === total) {
        onProgress?.(done, total);
        await new Promise((r) => setImmediate(r)); // let progress events and stop requests through
      }
    }
    return kept;
  };
  const train = await read(trainItems);
  let test = await read(testItems);

  // Every class needs a usable training image.
  for (let label = 0; label < classes.length; label++) {
    if (train.some((k) => k.item.label === label)) continue;
    const folder = path.join(root, classes[label]);
    const mine = skipped.filter((s) => path.dirname(path.join(root, s.file)) === folder);
    const why = mine.length ? `: ${mine.length} file${mine.length === 1 ? '' : 's'} skipped (${summarise(mine)})` : ': it holds no PNG or JPEG file';
    throw new DatasetError(folder, `class '${classes[label]}' has no usable image${why}`);
  }
  let kept = train;
  if (!hasTest) {
    const split = seededTestSplit(train, classes.length);
    kept = split.train;
    test = split.test;
  }
  if (test.length === 0) throw new DatasetError(hasTest ? path.join(root, TEST_FOLDER) : root, 'no usable test image (a class needs 2 images to hold one out)');

  const toSplit = (items: typeof kept): Split => {
    const images = new Uint8Array(items.length * PIXELS);
    items.forEach((k, i) => images.set(k.pixels, i * PIXELS));
    return { images, labels: Uint8Array.from(items, (k) => k.item.label), count: items.length };
  };
  const testSorted = [...test].sort((a, b) => a.item.label - b.item.label || a.item.file.localeCompare(b.item.file));
  const info: DatasetInfo = {
    name: path.basename(root), kind: 'images', classes, imageSide: IMAGE_SIDE,
    fingerprint: fingerprintOf(testSorted.map((k) => `${classes[k.item.label]}/${path.basename(k.item.file)}:${k.sha}`)),
    dir: root,
  };
  const counts = classes.map((c, label) => ({
    class: c, train: kept.filter((k) => k.item.label === label).length, test: testSorted.filter((k) => k.item.label === label).length,
  }));
  return { name: info.name, dir: root, train: toSplit(kept), test: toSplit(testSorted), info, report: { skipped, counts } };
}

/** One file's 28×28 grey levels and its bytes' sha256, or why it is skipped. */
function readOne(file: string): { pixels: Uint8Array; sha: string } | { reason: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    return { reason: `unreadable (${firstLine(err)})` };
  }
  let img;
  try {
    img = decodeImage(bytes, path.basename(file));
  } catch (err) {
    return { reason: `unreadable: ${firstLine(err)}` };
  }
  if (img.width < MIN_IMAGE_SIDE || img.height < MIN_IMAGE_SIDE) {
    return { reason: `too small (${img.width}×${img.height}, under ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE})` };
  }
  const pre = preprocessToMnist(img.data, img.width, img.height);
  if (pre.empty) return { reason: 'blank (no contrast between object and background)' };
  return {
    pixels: Uint8Array.from(pre.pixels, (v) => Math.round(v * 255)),
    sha: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** Hold out TEST_SHARE of each class (at least one of a class with two or more), by a fixed seed over sorted names. */
function seededTestSplit<T extends { item: Item }>(items: T[], classes: number): { train: T[]; test: T[] } {
  const rng = mulberry32(SPLIT_SEED);
  const train: T[] = [];
  const test: T[] = [];
  for (let label = 0; label < classes; label++) {
    const mine = items.filter((k) => k.item.label === label).sort((a, b) => a.item.file.localeCompare(b.item.file));
    shuffleInPlace(mine, rng);
    const held = mine.length < 2 ? 0 : Math.max(1, Math.round(mine.length * TEST_SHARE));
    test.push(...mine.slice(0, held));
    train.push(...mine.slice(held));
  }
  return { train, test };
}

/** "3 too small, 1 unreadable": the skipped files' reasons counted. */
function summarise(skipped: ImportReport['skipped']): string {
  const counts = new Map<string, number>();
  for (const s of skipped) {
    const key = s.reason.split(/[ :(]/)[0] === 'too' ? 'too small' : s.reason.split(/[:(]/)[0].trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}
