// Loading MNIST-format folders (raw, gzipped, unknown, corrupt), the train/validation split,
// float batches and augmentation, all on the real data.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src-shared/random.js';
import { augmentBatch, augmentPenBatch } from '../../src-main/engine/data/augment.js';
import {
  MNIST_FILES, type Split, batchIndices, bundledMnistDir, defaultMnistDir, imagesToFloat, loadMnist, splitTrainVal, subset,
} from '../../src-main/engine/data/mnist.js';
import { idx } from '../helpers/idx.js';
import { correlation } from '../helpers/stats.js';

const bundled = bundledMnistDir();
const tmp = path.join(os.tmpdir(), `digit-lab-mnist-${process.pid}`);
mkdirSync(tmp, { recursive: true });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder under tmp with each of the four files made by `make(name, bundledPath, folder)`. */
function folder(name: string, make: (file: string, src: string, dir: string) => void): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const file of Object.values(MNIST_FILES)) make(file, path.join(bundled, file), dir);
  return dir;
}


const imageKey = (s: Split, i: number) => Buffer.from(s.images.subarray(i * 784, (i + 1) * 784)).toString('base64');

describe('loadMnist', () => {
  const mnist = loadMnist();

  it('loads the bundled MNIST, verified by checksum, and caches it', () => {
    expect(mnist.name).toBe('MNIST');
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect(mnist.train.images.length).toBe(60000 * 784);
    expect(mnist.test.labels.length).toBe(10000);
    expect(loadMnist(bundled)).toBe(mnist);
  });

  it('honours DIGIT_LAB_DATA for the default folder', () => {
    const before = process.env.DIGIT_LAB_DATA;
    process.env.DIGIT_LAB_DATA = tmp;
    try {
      expect(defaultMnistDir()).toBe(path.resolve(tmp));
    } finally {
      if (before === undefined) delete process.env.DIGIT_LAB_DATA;
      else process.env.DIGIT_LAB_DATA = before;
    }
    expect(defaultMnistDir()).toBe(before ? path.resolve(before) : bundled);
  });

  it('loads gzipped files (.gz) to the same bytes and recognises them as MNIST', () => {
    const dir = folder('gz', (file, src, d) => writeFileSync(path.join(d, `${file}.gz`), gzipSync(readFileSync(src), { level: 1 })));
    const gz = loadMnist(dir);
    expect(gz.name).toBe('MNIST');
    expect(Buffer.from(gz.train.images).equals(Buffer.from(mnist.train.images))).toBe(true);
    expect(Buffer.from(gz.test.labels).equals(Buffer.from(mnist.test.labels))).toBe(true);
  });

  it('rejects a corrupted copy of MNIST with a checksum error naming the file', () => {
    const dir = folder('corrupt', (file, src, d) => {
      if (file !== MNIST_FILES.testImages) return symlinkSync(src, path.join(d, file));
      const bytes = readFileSync(src);
      bytes[16 + 300] ^= 0x40;
      writeFileSync(path.join(d, file), bytes);
    });
    expect(() => loadMnist(dir)).toThrow(/t10k-images-idx3-ubyte: checksum mismatch/);
  });

  it('loads an unknown MNIST-format set by structure, named after its folder', () => {
    const dir = folder('my-digits', (file, _src, d) => {
      const images = file.includes('images');
      const n = file.startsWith('train') ? 30 : 12;
      const body = images ? mnist.test.images.subarray(0, n * 784) : mnist.test.labels.subarray(0, n);
      writeFileSync(path.join(d, file), idx(images ? 'images' : 'labels', body, n));
    });
    const data = loadMnist(dir);
    expect(data).toMatchObject({ name: 'my-digits', dir: path.resolve(dir) });
    expect(data.train.count).toBe(30);
    expect(data.test.count).toBe(12);
  });

  it('reports a missing file and a label/image count mismatch in one line', () => {
    const missing = folder('missing', (file, src, d) => file !== MNIST_FILES.trainLabels && symlinkSync(src, path.join(d, file)));
    expect(() => loadMnist(missing)).toThrow(/train-labels-idx1-ubyte: file not found/);
    const uneven = folder('uneven', (file, src, d) => {
      if (file !== MNIST_FILES.testLabels) return symlinkSync(src, path.join(d, file));
      writeFileSync(path.join(d, file), idx('labels', mnist.test.labels.subarray(0, 9999), 9999));
    });
    expect(() => loadMnist(uneven)).toThrow(/t10k-labels-idx1-ubyte: 9999 labels for 10000 images/);
    expect(() => loadMnist(path.join(tmp, 'nowhere'))).toThrow(/data folder not found/);
  });

  it('loads Fashion-MNIST by path when Debian\'s dataset-fashion-mnist is installed', (ctx) => {
    const dir = '/usr/share/datasets/fashion-mnist';
    if (!existsSync(dir)) {
      console.log(`skipped: ${dir} is absent (apt-get install dataset-fashion-mnist to run this test)`);
      ctx.skip();
    }
    const fashion = loadMnist(dir);
    expect(fashion.name).toBe('Fashion-MNIST');
    expect(fashion.train.count).toBe(60000);
    expect(fashion.test.count).toBe(10000);
    expect(Buffer.from(fashion.test.images.subarray(0, 784)).equals(Buffer.from(mnist.test.images.subarray(0, 784)))).toBe(false);
  });
});

describe('splitTrainVal', () => {
  const train = loadMnist().train;

  it('is deterministic for a seed, and sizes are as asked', () => {
    const a = splitTrainVal(train, 5000, 0, 42);
    const b = splitTrainVal(train, 5000, 0, 42);
    const c = splitTrainVal(train, 5000, 0, 43);
    expect(a.val.count).toBe(5000);
    expect(a.train.count).toBe(55000);
    expect(a.train.images.length).toBe(55000 * 784);
    expect(Buffer.from(a.val.images).equals(Buffer.from(b.val.images))).toBe(true);
    expect(Buffer.from(a.train.labels).equals(Buffer.from(b.train.labels))).toBe(true);
    expect(Buffer.from(a.val.images).equals(Buffer.from(c.val.images))).toBe(false);
    const small = splitTrainVal(train, 1000, 2000, 42);
    expect([small.val.count, small.train.count]).toEqual([1000, 2000]);
    // The validation set is taken first: the same seed holds out the same images whatever the train size.
    expect(Buffer.from(small.val.images).equals(Buffer.from(a.val.images.subarray(0, 1000 * 784)))).toBe(true);
  });

  it('never puts an image in both parts, and keeps labels with their images', () => {
    // Stamp each image with its index so that identical MNIST images cannot confuse the check.
    const n = 3000;
    const stamped = subset(train, Int32Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) {
      stamped.images[i * 784] = i & 255;
      stamped.images[i * 784 + 1] = i >> 8;
    }
    const { train: t, val: v } = splitTrainVal(stamped, 500, 0, 7);
    const keys = new Set<string>();
    for (const part of [t, v]) for (let i = 0; i < part.count; i++) keys.add(imageKey(part, i));
    expect(keys.size).toBe(n);
    for (let i = 0; i < v.count; i++) {
      const k = v.images[i * 784] + 256 * v.images[i * 784 + 1];
      expect(v.labels[i]).toBe(train.labels[k]);
    }
  });

  it('refuses sizes that exceed the set', () => {
    expect(() => splitTrainVal(train, 10000, 50001, 1)).toThrow(/validation size 10000 \+ train size 50001 exceed the 60000 training images/);
    expect(() => splitTrainVal(train, 60000, 0, 1)).toThrow(/exceed the 60000 training images/);
    expect(() => splitTrainVal(train, -1, 0, 1)).toThrow(/validation size must be a whole number/);
  });
});

describe('batches', () => {
  const test = loadMnist().test;

  it('imagesToFloat converts the chosen images to 0-1 floats', () => {
    const x = imagesToFloat(test.images, [3, 0]);
    expect(x.length).toBe(2 * 784);
    for (let p = 0; p < 784; p++) {
      expect(x[p]).toBeCloseTo(test.images[3 * 784 + p] / 255, 6);
      expect(x[784 + p]).toBeCloseTo(test.images[p] / 255, 6);
    }
    const out = new Float32Array(4 * 784);
    expect(imagesToFloat(test.images, [1], out).length).toBe(784);
    expect(out[300]).toBeCloseTo(test.images[784 + 300] / 255, 6);
  });

  it('batchIndices covers every index once per epoch, in a new order each time', () => {
    const rng = mulberry32(1);
    const first = [...batchIndices(1000, 64, rng)];
    expect(first.map((b) => b.length)).toEqual([...new Array(15).fill(64), 40]);
    const all = first.flatMap((b) => [...b]).sort((a, b) => a - b);
    expect(all).toEqual([...Array(1000).keys()]);
    const second = [...batchIndices(1000, 64, rng)];
    expect([...second[0]]).not.toEqual([...first[0]]);
  });
});

describe('augmentBatch', () => {
  const test = loadMnist().test;
  const n = 256;
  const x = imagesToFloat(test.images, Int32Array.from({ length: n }, (_, i) => i));
  const mass = (a: Float32Array, i: number) => a.subarray(i * 784, (i + 1) * 784).reduce((s, v) => s + v, 0);

  it('shifts exactly when rotation and scale are neutral', () => {
    const steps = [0.5, 0.5, 0.75, 0.5]; // angle 0, scale 1, dx +1, dy 0
    let k = 0;
    const y = augmentBatch(x, 1, () => steps[k++ % 4]);
    for (let r = 0; r < 28; r++) {
      expect(y[r * 28]).toBe(0);
      for (let c = 1; c < 28; c++) expect(y[r * 28 + c]).toBeCloseTo(x[r * 28 + c - 1], 5);
    }
  });

  it('keeps ink mass and shape, differs per image and is deterministic per seed', () => {
    const y = augmentBatch(x, n, mulberry32(5));
    expect(Buffer.from(augmentBatch(x, n, mulberry32(5)).buffer).equals(Buffer.from(y.buffer))).toBe(true);
    let own = 0, other = 0;
    for (let i = 0; i < n; i++) {
      const ratio = mass(y, i) / mass(x, i);
      expect(ratio).toBeGreaterThan(0.7); // scale 0.9-1.1 changes area by 0.81-1.21
      expect(ratio).toBeLessThan(1.35);
      own += correlation(y.subarray(i * 784, (i + 1) * 784), x.subarray(i * 784, (i + 1) * 784));
      const j = (i + 1) % n;
      other += correlation(y.subarray(i * 784, (i + 1) * 784), x.subarray(j * 784, (j + 1) * 784));
    }
    expect(y.reduce((m, v) => Math.min(m, v), 1)).toBeGreaterThanOrEqual(0);
    expect(y.reduce((m, v) => Math.max(m, v), 0)).toBeLessThanOrEqual(1 + 1e-6);
    console.log(`augmentBatch: mean correlation with own original ${(own / n).toFixed(3)}, with another image ${(other / n).toFixed(3)}`);
    expect(own / n).toBeGreaterThan(0.4); // a shifted, turned copy of itself...
    expect(own / n).toBeLessThan(0.99); // ...that did change...
    expect(own / n).toBeGreaterThan(other / n + 0.2); // ...and looks more like itself than like others
  });
  // Its speed (ms per image) is measured by `npm run bench` (bench/augment.ts), not asserted in a test.
});

describe('augmentPenBatch', () => {
  const test = loadMnist().test;
  const n = 256;
  const x = imagesToFloat(test.images, Int32Array.from({ length: n }, (_, i) => i));
  const mass = (a: Float32Array, i: number) => a.subarray(i * 784, (i + 1) * 784).reduce((s, v) => s + v, 0);

  it('distorts each image differently, keeps values in 0-1, is deterministic per seed and still looks like its original', () => {
    const y = augmentPenBatch(x, n, mulberry32(9));
    expect(Buffer.from(augmentPenBatch(x, n, mulberry32(9)).buffer).equals(Buffer.from(y.buffer))).toBe(true);
    expect(y.reduce((m, v) => Math.min(m, v), 1)).toBeGreaterThanOrEqual(0);
    expect(y.reduce((m, v) => Math.max(m, v), 0)).toBeLessThanOrEqual(1 + 1e-6);
    let own = 0, other = 0, thinner = 0, thicker = 0;
    for (let i = 0; i < n; i++) {
      const ratio = mass(y, i) / mass(x, i);
      expect(ratio).toBeGreaterThan(0.3); // scale 0.8-1.1 and erosion can thin a digit, never wipe it out
      expect(ratio).toBeLessThan(2.5);
      if (ratio < 0.85) thinner++;
      if (ratio > 1.3) thicker++;
      own += correlation(y.subarray(i * 784, (i + 1) * 784), x.subarray(i * 784, (i + 1) * 784));
      const j = (i + 1) % n;
      other += correlation(y.subarray(i * 784, (i + 1) * 784), x.subarray(j * 784, (j + 1) * 784));
    }
    console.log(`augmentPenBatch: correlation with own original ${(own / n).toFixed(3)}, with another ${(other / n).toFixed(3)}; ${thinner} thinner, ${thicker} thicker of ${n}`);
    expect(thinner).toBeGreaterThan(10); // stroke thickness varies both ways
    expect(thicker).toBeGreaterThan(10);
    expect(own / n).toBeLessThan(0.95);
    expect(own / n).toBeGreaterThan(other / n + 0.15);
  });
});
