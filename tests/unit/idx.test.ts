// The IDX reader on the real MNIST files, and its one-line errors on broken copies of them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IdxError, idxSha256, readIdxImages, readIdxLabels } from '../../src-main/engine/data/idx.js';
import { MNIST_FILES, MNIST_SHA256, bundledMnistDir } from '../../src-main/engine/data/mnist.js';

const dir = bundledMnistDir();
const file = (name: keyof typeof MNIST_FILES) => path.join(dir, MNIST_FILES[name]);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-idx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeTmp(name: string, bytes: Uint8Array): string {
  const p = path.join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

function histogram(labels: Uint8Array): number[] {
  const h = new Array(10).fill(0);
  for (const l of labels) h[l]++;
  return h;
}

/** The error thrown by `fn`, checked to be a one-line IdxError naming `file`. */
function idxError(fn: () => unknown, file: string): IdxError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(IdxError);
  const e = error as IdxError;
  expect(e.message).toContain(file);
  expect(e.message).not.toContain('\n');
  return e;
}

describe('readIdxImages / readIdxLabels on the real MNIST files', () => {
  it('reads the 60000 training images and labels, checksums verified', () => {
    const images = readIdxImages(file('trainImages'), MNIST_SHA256.trainImages);
    expect(images).toMatchObject({ count: 60000, rows: 28, cols: 28 });
    expect(images.data).toBeInstanceOf(Uint8Array);
    expect(images.data.length).toBe(60000 * 784);
    const labels = readIdxLabels(file('trainLabels'), MNIST_SHA256.trainLabels);
    expect(labels.length).toBe(60000);
    const h = histogram(labels);
    expect(h.reduce((a, b) => a + b)).toBe(60000);
    // The published MNIST class counts: every digit between 5421 (fives) and 6742 (ones).
    expect(Math.min(...h)).toBe(5421);
    expect(Math.max(...h)).toBe(6742);
  });

  it('reads the 10000 test images and labels', () => {
    const images = readIdxImages(file('testImages'), MNIST_SHA256.testImages);
    expect(images).toMatchObject({ count: 10000, rows: 28, cols: 28 });
    const labels = readIdxLabels(file('testLabels'), MNIST_SHA256.testLabels);
    expect(histogram(labels).reduce((a, b) => a + b)).toBe(10000);
    // Pixels are grey levels with ink: the first test image (a 7) has bright strokes on black.
    const first = images.data.subarray(0, 784);
    expect(first[0]).toBe(0);
    expect(Math.max(...first)).toBe(255);
    expect(labels[0]).toBe(7);
  });

  it('reads a gzipped file to the same bytes', () => {
    const raw = readFileSync(file('testImages'));
    const gz = writeTmp('t10k-images-idx3-ubyte.gz', gzipSync(raw, { level: 1 }));
    const images = readIdxImages(gz, MNIST_SHA256.testImages);
    expect(Buffer.from(images.data).equals(raw.subarray(16))).toBe(true);
    expect(idxSha256(gz)).toBe(MNIST_SHA256.testImages);
  });
});

describe('IDX errors: one line naming the file', () => {
  const labels = readFileSync(file('testLabels'));

  it('missing file', () => {
    const missing = path.join(tmp, 'no-such-file-idx3-ubyte');
    expect(idxError(() => readIdxImages(missing), missing).message).toMatch(/not found/);
  });

  it('truncated file (size vs header)', () => {
    const images = readFileSync(file('testImages'));
    const cut = writeTmp('truncated-images', images.subarray(0, 16 + 784 * 10 + 5));
    expect(idxError(() => readIdxImages(cut), cut).message).toMatch(/truncated: 7861 bytes, header says 7840016/);
    const header = writeTmp('header-only', labels.subarray(0, 5));
    expect(idxError(() => readIdxLabels(header), header).message).toMatch(/truncated/);
  });

  it('wrong magic number', () => {
    const p = writeTmp('labels-as-images', labels);
    expect(idxError(() => readIdxImages(p), p).message).toMatch(/magic 0x00000801, expected 0x00000803/);
    const q = writeTmp('images-as-labels', readFileSync(file('testImages')).subarray(0, 1000));
    expect(idxError(() => readIdxLabels(q), q).message).toMatch(/magic 0x00000803, expected 0x00000801/);
  });

  it('checksum mismatch', () => {
    const changed = Buffer.from(labels);
    changed[100] = (changed[100] + 1) % 10; // still a valid label
    const p = writeTmp('changed-labels', changed);
    expect(readIdxLabels(p).length).toBe(10000); // structure is fine
    expect(idxError(() => readIdxLabels(p, MNIST_SHA256.testLabels), p).message).toMatch(
      new RegExp(`checksum mismatch: sha256 [0-9a-f]{12}…, expected ${MNIST_SHA256.testLabels.slice(0, 12)}`),
    );
  });

  it('label value above 9', () => {
    const bad = Buffer.from(labels);
    bad[8 + 42] = 11;
    const p = writeTmp('bad-label', bad);
    expect(idxError(() => readIdxLabels(p), p).message).toMatch(/label 11 at index 42/);
  });

  it('not a gzip file despite the .gz name', () => {
    const p = writeTmp('fake.gz', labels);
    expect(idxError(() => readIdxLabels(p), p).message).toMatch(/not a valid gzip file/);
  });
});
