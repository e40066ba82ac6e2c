// The kernels we add to the `wasm` backend (src-main/engine/wasm/) must compute what the stock
// TF.js CPU kernels compute: property tests on random shapes (both paddings, strides 1-3), then one
// real training step of every preset on the wasm backend against the stock CPU backend.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mnistBatch, mnistSplit } from '../../bench/mnist-batch.js';
import { CHUNKING, chunkImages } from '../../src-main/engine/wasm/conv2d-backprop-filter.js';
import { registerWasmKernels, startWasm, unregisterWasmKernels, WASM_KERNEL_NAMES } from '../../src-main/engine/wasm/index.js';
import { buildModel } from '../../src-main/engine/models.js';
import { setAlwaysSplit } from '../../src-main/engine/kernels/split-policy.js';
import { hasRelaxedSimd, SIMD, simdKernels } from '../../src-main/engine/wasm/simd.js';
import { KERNELS_SOURCE_SHA256 } from '../../src-main/engine/wasm/simd/kernels-wasm.js';
import type { WasmBackend } from '../../src-main/engine/wasm/kernel-call.js';
import { RELU_GRAD } from '../../src-main/engine/wasm/relu.js';
import { adamOnWasm } from '../../src-main/engine/wasm/adam.js';
import { adamOnCpu, type AdamStep } from '../../src-main/engine/adam.js';
import { BATCH_NORM, BATCH_NORM_GRAD, BATCH_NORM_STATS, BatchNormalization, batchNormTraining } from '../../src-main/engine/batch-norm.js';
import type { PresetName } from '../../src-shared/types.js';
import { expectFusedAdamAsTfAdam } from '../helpers/adam.js';
import { outSize, randomSource, relError, rng, type ConvCase } from '../helpers/random-kernels.js';

const { int, pick, randomTensor, randomConv } = randomSource(20251126);
const TOLERANCE = 1e-4;
const CASES = 30;
let threads = 0;

beforeAll(async () => {
  threads = (await startWasm(2)).threads;
  tf.env().set('DEBUG', false);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs fn on the stock 'cpu' backend, then on 'wasm'; returns both outputs' values. */
async function cpuAndWasm(fn: () => tf.Tensor): Promise<{ stock: Float32Array; wasm: Float32Array; shape: number[] }> {
  await tf.setBackend('cpu');
  const s = fn();
  const stock = (await s.data()) as Float32Array;
  await tf.setBackend('wasm');
  const w = fn();
  expect(w.shape).toEqual(s.shape);
  const out = { stock, wasm: (await w.data()) as Float32Array, shape: s.shape };
  tf.dispose([s, w]);
  return out;
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor =>
  tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor;

describe('the wasm backend', () => {
  it('loads with both cores where there are two, and has our kernels', () => {
    expect(threads).toBe(Math.min(2, os.cpus().length));
    for (const name of WASM_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it('has no Conv2DBackpropFilter of its own (what this code is for)', () => {
    unregisterWasmKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    registerWasmKernels();
  });
});

describe('our SIMD kernels (simd/kernels.c) run on the backend\'s shared heap', () => {
  it('load, with the helper thread listening where there are two cores', () => {
    const k = simdKernels(tf.findBackend('wasm') as unknown as WasmBackend);
    expect(k).not.toBeNull();
    expect(k!.helperReady()).toBe(threads > 1);
    // Relaxed SIMD (fused multiply-add) runs where the runtime has it; the plain build elsewhere.
    expect(k!.relaxed).toBe(hasRelaxedSimd());
    if (!hasRelaxedSimd()) console.log(`relaxed SIMD not in Node ${process.version}: the plain build runs`);
  });

  it('the checked-in build is the build of kernels.c (else run simd/build.sh)', () => {
    const source = readFileSync(new URL('../../src-main/engine/wasm/simd/kernels.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
  });
});

/** Each way the wasm path can compute a convolution or its gradients: our SIMD kernel on two threads, on one, XNNPACK. */
const MODES = [
  { name: 'SIMD, 2 threads', enabled: true, helper: true },
  { name: 'SIMD, 1 thread', enabled: true, helper: false },
  { name: 'XNNPACK', enabled: false, helper: false },
] as const;

async function inMode<T>(mode: (typeof MODES)[number], fn: () => Promise<T>): Promise<T> {
  const saved = { ...SIMD };
  Object.assign(SIMD, { enabled: mode.enabled, helper: mode.helper });
  setAlwaysSplit(true); // no timed trials: split whenever the helper is on
  try {
    return await fn();
  } finally {
    Object.assign(SIMD, saved);
    setAlwaysSplit(false);
  }
}

describe('the weight gradient is cut into batch chunks only where its dy is large', () => {
  it('keeps fast\'s first layer whole and cuts seed\'s layers into chunks of about 2 MB', () => {
    expect(chunkImages(128, 24, 24, 16)).toBe(128); // 4.7 MB
    expect(chunkImages(128, 8, 8, 32)).toBe(128);
    expect(chunkImages(128, 26, 26, 32)).toBe(26); // 11 MB: 5 chunks
    expect(chunkImages(128, 24, 24, 64)).toBe(15); // 18.9 MB: 9 chunks
  });
});

describe('convolutions and their gradients match the stock CPU kernels on random shapes', () => {
  const presetShapes: ConvCase[] = [ // fast's two layers, seed's, at odd batches (the threads' halves differ)
    { batch: 5, h: 28, w: 28, inC: 1, outC: 16, f: 5, stride: 1, pad: 'valid', sparse: false },
    { batch: 7, h: 12, w: 12, inC: 16, outC: 32, f: 5, stride: 1, pad: 'valid', sparse: true },
    { batch: 3, h: 28, w: 28, inC: 1, outC: 28, f: 3, stride: 1, pad: 'valid', sparse: false },
  ];
  const cases = [...presetShapes, ...Array.from({ length: CASES }, () => randomConv([1, 2, 3]))];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, c) => {
    const [oh, ow] = outSize(c);
    const x = randomTensor([c.batch, c.h, c.w, c.inC], c.sparse ? 0.85 : 0.3);
    const filter = randomTensor([c.f, c.f, c.inC, c.outC], 0);
    const dy = randomTensor([c.batch, oh, ow, c.outC], c.sparse ? 0.9 : 0.5);
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };

    for (const mode of MODES) {
      await inMode(mode, async () => {
        const dW = await cpuAndWasm(() => run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape }));
        expect(relError(dW.stock, dW.wasm), `dW, ${mode.name}`).toBeLessThanOrEqual(TOLERANCE);
        const dx = await cpuAndWasm(() => run('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape }));
        expect(relError(dx.stock, dx.wasm), `dx, ${mode.name}`).toBeLessThanOrEqual(TOLERANCE);
        const y = await cpuAndWasm(() => run('Conv2D', { x, filter }, attrs));
        expect(relError(y.stock, y.wasm), `y, ${mode.name}`).toBeLessThanOrEqual(TOLERANCE);
      });
    }
    // XNNPACK's way in chunks of one or a few images (the large-batch path).
    const saved = { ...CHUNKING };
    Object.assign(CHUNKING, { minBytes: 0, bytes: oh * ow * c.outC * 4 * pick([1, 2, 3]) });
    try {
      const chunked = await inMode(MODES[2], () =>
        cpuAndWasm(() => run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape })));
      expect(relError(chunked.stock, chunked.wasm)).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      Object.assign(CHUNKING, saved);
    }
    tf.dispose([x, filter, dy]);
  });
});

describe('MaxPoolGrad matches the stock CPU kernel on random shapes', () => {
  // The presets' pools (2×2, stride 2, tiling x: our SIMD kernel), then random ones.
  const tiled = [
    { batch: 3, h: 24, w: 24, c: 16, size: 2, stride: 2, pad: 'valid' as const },
    { batch: 5, h: 8, w: 8, c: 32, size: 2, stride: 2, pad: 'valid' as const },
    { batch: 2, h: 6, w: 4, c: 4, size: 2, stride: 2, pad: 'same' as const },
  ];
  const cases = [...tiled, ...Array.from({ length: 12 }, () => ({
    batch: int(1, 6),
    h: int(2, 13),
    w: int(2, 13),
    c: pick([1, 3, 16]),
    size: int(2, 3),
    stride: int(1, 3),
    pad: pick(['same', 'valid'] as const),
  }))];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, c) => {
    // Ties (zeros after a relu) go to the first maximum in both.
    const input = randomTensor([c.batch, c.h, c.w, c.c], 0.4);
    const output = tf.maxPool(input as tf.Tensor4D, c.size, c.stride, c.pad);
    const dy = randomTensor(output.shape, 0);
    const attrs = { filterSize: c.size, strides: c.stride, pad: c.pad };
    const dx = await cpuAndWasm(() => run('MaxPoolGrad', { dy, input, output }, attrs));
    expect(relError(dx.stock, dx.wasm)).toBeLessThanOrEqual(1e-6);
    tf.dispose([input, output, dy]);
  });
});

describe('MaxPoolGrad of the 2×2 pool passes nothing through windows of −∞ or NaN and the first of equal maxima', () => {
  it('as the stock CPU kernel', async () => {
    const v = [-Infinity, -Infinity, -Infinity, -Infinity, NaN, NaN, NaN, NaN, 1, 1, 1, 1, NaN, 2, 2, -Infinity];
    // x [1, 2, 2, 16]: channel k's window is v[k % 16] … rotated so that each position holds each kind.
    const values = new Float32Array(64);
    for (let p = 0; p < 4; p++) for (let k = 0; k < 16; k++) values[p * 16 + k] = v[(k + 4 * p) % 16];
    const input = tf.tensor4d(values, [1, 2, 2, 16]);
    const output = tf.maxPool(input, 2, 2, 'valid');
    const dy = tf.add(tf.range(0, 16).reshape([1, 1, 1, 16]), 1);
    const dx = await cpuAndWasm(() => run('MaxPoolGrad', { dy, input, output }, { filterSize: 2, strides: 2, pad: 'valid' }));
    expect(Array.from(dx.wasm)).toEqual(Array.from(dx.stock));
    tf.dispose([input, output, dy]);
  });
});

describe('matrix products with transposes match the stock CPU kernels', () => {
  // The presets' dense layers (fast, seed, mlp: inputs → units) at odd batches, in the three products of a training
  // step (y = x·W fused with bias and relu, dW = xᵀ·dy, dx = dy·Wᵀ), then random shapes.
  const dense: [number, number, number][] = [[7, 512, 128], [5, 128, 10], [3, 4732, 128], [9, 784, 256], [9, 256, 10]];
  const presetCases = dense.flatMap(([batch, inputs, units]) => [
    { m: batch, k: inputs, n: units, transposeA: false, transposeB: false, activation: 'relu' as const },
    { m: inputs, k: batch, n: units, transposeA: true, transposeB: false, activation: 'linear' as const },
    { m: batch, k: units, n: inputs, transposeA: false, transposeB: true, activation: 'linear' as const },
  ]);
  const cases = [...presetCases, ...Array.from({ length: 16 }, () => ({
    m: int(1, 70),
    k: int(1, 300),
    n: int(1, 70),
    transposeA: pick([false, true]),
    transposeB: pick([false, true]),
    activation: pick(['linear', 'relu'] as const),
  }))];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, c) => {
    const a = randomTensor(c.transposeA ? [c.k, c.m] : [c.m, c.k]);
    const b = randomTensor(c.transposeB ? [c.n, c.k] : [c.k, c.n]);
    const bias = randomTensor([c.n], 0);
    // A new B each call (as in training: ours runs where a B was not seen before).
    const fresh = (t: tf.Tensor) => tf.tidy(() => tf.add(t, 0));
    for (const mode of MODES) {
      await inMode(mode, async () => {
        const product = await cpuAndWasm(() => tf.tidy(() => tf.matMul(a, fresh(b), c.transposeA, c.transposeB)));
        expect(relError(product.stock, product.wasm), `product, ${mode.name}`).toBeLessThanOrEqual(TOLERANCE);
        const fused = await cpuAndWasm(() => tf.tidy(() =>
          run('_FusedMatMul', { a: a.expandDims(0), b: fresh(b).expandDims(0), bias }, {
            transposeA: c.transposeA, transposeB: c.transposeB, activation: c.activation,
          })),
        );
        expect(relError(fused.stock, fused.wasm), `fused, ${mode.name}`).toBeLessThanOrEqual(TOLERANCE);
      });
    }
    tf.dispose([a, b, bias]);
  });

  it('runs our GEMM where it applies, and the stock kernel for batched products', async () => {
    await tf.setBackend('wasm');
    const k = simdKernels(tf.backend() as unknown as WasmBackend)!;
    const gemm = vi.spyOn(k.constructor.prototype as { call: (...args: unknown[]) => void }, 'call');
    const a = randomTensor([2, 6, 5]);
    const b = randomTensor([2, 5, 4]);
    try {
      tf.dispose(tf.matMul(a, b));
      expect(gemm.mock.calls.filter(([fn]) => fn === 'gemm')).toHaveLength(0);
      const [a1, b1] = [a.slice([0, 0, 0], [1, 6, 5]), b.slice([0, 0, 0], [1, 5, 4])];
      tf.dispose(tf.matMul(a1, b1));
      const ours = gemm.mock.calls.filter(([fn]) => fn === 'gemm').length;
      expect(ours).toBeGreaterThan(0);
      // The same B again (a model's weights at inference): ours again, and the same bits (one path, whatever ran before).
      const first = tf.matMul(a1, b1);
      const again = tf.matMul(a1, b1);
      expect(gemm.mock.calls.filter(([fn]) => fn === 'gemm').length).toBeGreaterThan(ours);
      expect(Array.from(await again.data())).toEqual(Array.from(await first.data()));
      tf.dispose([first, again]);
      // B transposed: ours too.
      const before = gemm.mock.calls.filter(([fn]) => fn === 'gemm').length;
      tf.dispose(tf.matMul(a1, b1.transpose([0, 2, 1]), false, true));
      expect(gemm.mock.calls.filter(([fn]) => fn === 'gemm').length).toBeGreaterThan(before);
      tf.dispose([a1, b1]);
    } finally {
      gemm.mockRestore();
      tf.dispose([a, b]);
    }
  });
});

describe('Sum and Mean (bias gradients, batch statistics: leading axes) match the stock CPU kernels', () => {
  const sums: [number[], number[], boolean][] = [
    [[7, 5, 3, 16], [0, 1, 2], false],
    [[7, 5, 3, 16], [0, 1, 2], true],
    [[64, 10], [0], false],
    [[6, 5, 4], [1, 0], false],
    [[33, 10], [1], false], // innermost: the stock wasm kernel
    [[6, 5, 4], [0, 2], false],
    // The presets' bias gradients at odd batches (our SIMD kernel: c a multiple of 4), and rows × c kept whole.
    [[5, 24, 24, 16], [0, 1, 2], false],
    [[7, 8, 8, 32], [0, 1, 2], false],
    [[9, 128], [0], false],
    [[3, 4, 6, 8], [0, 1], false],
  ];
  it.each(sums.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, [shape, axes, keepDims]) => {
    const x = randomTensor(shape);
    for (const mode of MODES) {
      await inMode(mode, async () => {
        const out = await cpuAndWasm(() => tf.sum(x, axes, keepDims));
        expect(relError(out.stock, out.wasm), mode.name).toBeLessThanOrEqual(1e-6);
        const means = await cpuAndWasm(() => tf.mean(x, axes, keepDims)); // batch normalisation's statistics
        expect(relError(means.stock, means.wasm), `mean, ${mode.name}`).toBeLessThanOrEqual(1e-6);
      });
    }
    x.dispose();
  });

  it('in double, as the stock kernel: a long sum of values of one sign loses nothing a float32 sum would', async () => {
    // 33·24·24 = 19 008 rows of values in [1, 3): a float32 running sum is off by far more than 1e-6 here.
    const x = tf.add(randomTensor([33, 24, 24, 16], 0), 2);
    const values = (await x.data()) as Float32Array;
    const naive = new Float32Array(16);
    for (let i = 0; i < values.length; i++) naive[i % 16] = Math.fround(naive[i % 16] + values[i]);
    for (const mode of MODES) {
      await inMode(mode, async () => {
        const out = await cpuAndWasm(() => tf.sum(x, [0, 1, 2]));
        expect(relError(out.stock, naive), 'the float32 sum (the case is a real check)').toBeGreaterThan(1e-6);
        expect(relError(out.stock, out.wasm), mode.name).toBeLessThanOrEqual(1e-7);
      });
    }
    x.dispose();
  });
});

describe('MaxPool matches the stock CPU kernel', () => {
  // The presets' pools at odd batches (2×2, stride 2, tiling x: our SIMD kernel), then pools it leaves to XNNPACK.
  const cases = [
    { batch: 5, h: 24, w: 24, c: 16, size: 2, stride: 2, pad: 'valid' as const },
    { batch: 7, h: 8, w: 8, c: 32, size: 2, stride: 2, pad: 'valid' as const },
    { batch: 3, h: 6, w: 4, c: 4, size: 2, stride: 2, pad: 'same' as const },
    { batch: 2, h: 7, w: 7, c: 8, size: 2, stride: 2, pad: 'valid' as const },
    { batch: 3, h: 9, w: 9, c: 16, size: 3, stride: 2, pad: 'same' as const },
    { batch: 2, h: 8, w: 8, c: 3, size: 2, stride: 2, pad: 'valid' as const },
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, c) => {
    const x = randomTensor([c.batch, c.h, c.w, c.c], 0.4); // ties (zeros after a relu)
    for (const mode of MODES) {
      await inMode(mode, async () => {
        const y = await cpuAndWasm(() => tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad));
        expect(Array.from(y.wasm), mode.name).toEqual(Array.from(y.stock));
      });
    }
    x.dispose();
  });

  it('of the 2×2 pool: NaN never wins, a window of −∞ or NaN gives −∞, the first of equal maxima (−0, +0) wins', async () => {
    // One window a channel, in row-major window order.
    const windows = [
      [-0, 0, -0, 0], [0, -0, 0, -0], [-1, -0, 0, -2], [-0, -Infinity, NaN, 0], [NaN, -Infinity, 0, -0], [-0, -0, -0, 0],
      [-Infinity, -Infinity, -Infinity, -Infinity], [NaN, NaN, NaN, NaN], [NaN, 1, 2, NaN], [1, NaN, 1, 0],
      [-Infinity, NaN, -Infinity, -1], [-5, -3, -4, -3],
    ];
    const c = windows.length;
    const values = new Float32Array(4 * c); // x [1, 2, 2, c]
    for (let p = 0; p < 4; p++) for (let k = 0; k < c; k++) values[p * c + k] = windows[k][p];
    const x = tf.tensor4d(values, [1, 2, 2, c]);
    for (const mode of MODES.slice(0, 2)) { // ours (XNNPACK's own MaxPool decides NaN and ±0 otherwise)
      await inMode(mode, async () => {
        const y = await cpuAndWasm(() => tf.maxPool(x, 2, 2, 'valid'));
        expect(Array.from(y.wasm), mode.name).toEqual(Array.from(y.stock));
      });
    }
    x.dispose();
  });
});

describe('Relu and its gradient (one fused kernel on wasm) match the stock CPU kernels', () => {
  // The presets' activations at odd batches, and sizes that are not a multiple of 4 (the kernels' scalar tails).
  const shapes = [[5, 24, 24, 16], [7, 8, 8, 32], [9, 128], [3, 5, 7], [1], [2, 3]];
  const special = [NaN, -0, 0, Infinity, -Infinity, 1e-38, -1e-38, 3];
  it.each(shapes.map((s) => [JSON.stringify(s), s] as const))('%s', async (_name, shape) => {
    const values = (await randomTensor(shape, 0.3).data()) as Float32Array;
    for (let i = 0; i < Math.min(values.length, 3 * special.length); i++) values[(i * 7919) % values.length] = special[i % special.length];
    const x = tf.tensor(values, shape);
    const dyValues = (await randomTensor(shape, 0).data()) as Float32Array;
    if (dyValues.length > 2) [dyValues[0], dyValues[1]] = [Infinity, -5]; // ∞ · 0 is NaN, −5 · 0 is −0: kept
    const dy = tf.tensor(dyValues, shape);
    const grad = tf.grad((t: tf.Tensor) => tf.relu(t));
    for (const mode of MODES) {
      await inMode(mode, async () => {
        const y = await cpuAndWasm(() => tf.relu(x));
        expect(Array.from(y.wasm), `relu, ${mode.name}`).toEqual(Array.from(y.stock));
        const dx = await cpuAndWasm(() => grad(x, dy));
        expect(Array.from(dx.wasm), `gradient, ${mode.name}`).toEqual(Array.from(dx.stock));
      });
    }
    tf.dispose([x, dy]);
  });

  it('runs as one kernel on wasm, and as TF.js\'s own three (Step, Cast, Multiply) on cpu', async () => {
    const x = randomTensor([3, 8, 8, 4]);
    const dy = randomTensor([3, 8, 8, 4], 0);
    const kernelsOf = async () => {
      const info = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy));
      return info.kernels.map((k) => k.name);
    };
    await tf.setBackend('wasm');
    const wasm = await kernelsOf();
    expect(wasm).toContain(RELU_GRAD);
    expect(wasm).not.toContain('Step');
    await tf.setBackend('cpu');
    const cpu = await kernelsOf();
    expect(cpu).not.toContain(RELU_GRAD);
    expect(cpu).toEqual(expect.arrayContaining(['Step', 'Multiply']));
    tf.dispose([x, dy]);
  });
});

describe('broadcasting Add, Sub, Multiply, RealDiv match the stock CPU kernels', () => {
  const shapes: [number[], number[]][] = [
    [[7, 5, 3, 16], [16]],
    [[16], [7, 5, 3, 16]],
    [[9, 33], [1, 33]],
    [[9, 33], []],
    [[], [9, 33]],
    [[4, 6], [4, 6]], // equal shapes: the stock (XNNPACK) kernel
    [[4, 1], [4, 6]], // a value a row
    [[256, 10], [256, 1]], // fast's softmax normalisation and loss gradient at the quick run's batch
    [[256, 1], [256, 10]],
    [[3, 4, 5], [3, 1, 1]],
    [[4, 1], [1, 6]], // a general broadcast: the stock kernel
  ];
  const ops = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div };
  it.each(shapes.map((s) => [JSON.stringify(s), s] as const))('%s', async (_name, [sa, sb]) => {
    const a = randomTensor(sa, 0);
    const b = tf.add(randomTensor(sb, 0), 2); // no division by zero
    for (const [name, op] of Object.entries(ops)) {
      const out = await cpuAndWasm(() => op(a, b));
      expect(relError(out.stock, out.wasm), name).toBeLessThanOrEqual(1e-6);
    }
    tf.dispose([a, b]);
  });
});

describe('Tile matches the stock CPU kernel', () => {
  const tilings: [number[], number[], tf.DataType][] = [
    [[1, 1, 1, 16], [7, 5, 3, 1], 'float32'], // batch norm's gradient: a channel vector over N·H·W
    [[1, 33], [9, 1], 'float32'],
    [[1, 1, 5], [3, 4, 1], 'int32'],
    [[2, 3], [1, 1], 'float32'],
    [[1, 3], [5, 2], 'float32'], // repeated along its own data axis too: still whole repeats of the input
    [[2, 1, 3], [1, 4, 1], 'float32'], // interleaved: the stock kernel
    [[3, 2], [2, 3], 'int32'], // interleaved: the stock kernel
    [[1, 0, 4], [6, 1, 1], 'float32'], // empty
  ];
  it.each(tilings.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, [shape, reps, dtype]) => {
    const x = dtype === 'int32' ? tf.tensor(Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 7 - 3), shape, 'int32') : randomTensor(shape);
    const out = await cpuAndWasm(() => tf.tile(x, reps));
    expect(Array.from(out.wasm)).toEqual(Array.from(out.stock));
    x.dispose();
  });
});

describe('Softmax (last axis) matches the stock CPU kernel', () => {
  // fast's classifier output at the quick run's batch and an odd one, other ranks, a row too wide for ours (stock).
  const shapes = [[256, 10], [7, 10], [3, 4, 5], [10], [2, 100]];
  it.each(shapes.map((s) => [JSON.stringify(s), s] as const))('%s', async (_name, shape) => {
    const values = (await tf.mul(randomTensor(shape, 0.1), 20).data()) as Float32Array;
    const x = tf.tensor(values, shape);
    const out = await cpuAndWasm(() => tf.softmax(x));
    expect(relError(out.stock, out.wasm)).toBeLessThanOrEqual(1e-6);
    x.dispose();
  });

  it('bit for bit where ours runs, with NaN, ±∞ and ties in the rows', async () => {
    const rows = [
      [1, 2, 3, 4], [NaN, 1, 2, 3], [Infinity, 1, 2, 3], [-Infinity, 0, 0, 0], [5, 5, 5, 5], [-Infinity, -Infinity, -Infinity, -Infinity],
      [88, -88, 0, 1e-30],
    ];
    const x = tf.tensor2d(rows);
    const out = await cpuAndWasm(() => tf.softmax(x));
    expect(Array.from(out.wasm)).toEqual(Array.from(out.stock));
    x.dispose();
  });
});

describe('Identity on wasm shares its input\'s memory (no copy), freed with the last tensor on it', () => {
  it('a clone outlives its source and frees the memory when disposed', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor2d([[1, -2], [NaN, 4]]);
    const before = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(before);
    expect(y.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, -2, NaN, 4]);
    y.dispose();
    expect(backend.numDataIds()).toBe(before - 1);
  });
});

describe('ClipByValue keeps NaN, as the CPU backend does (the NaN guard relies on it)', () => {
  it('clips like the stock CPU kernel', async () => {
    const x = tf.tensor1d([NaN, -2, -0.5, 0, 0.25, 3, Infinity, -Infinity]);
    const out = await cpuAndWasm(() => tf.clipByValue(x, -1, 1));
    expect(Array.from(out.wasm)).toEqual(Array.from(out.stock));
    expect(Number.isNaN(out.wasm[0])).toBe(true);
    x.dispose();
  });
});

describe('one training step on real MNIST gives the same weights on wasm and on the stock CPU backend', () => {
  // Not `best`: its batch norm leaves some gradients numerically zero, and Adam's first step turns their rounding into ±lr.
  const batchSizes: Record<Exclude<PresetName, 'best'>, number> = { seed: 8, 'keras-cnn': 4, fast: 32, mlp: 64 };
  it.each(Object.keys(batchSizes) as (keyof typeof batchSizes)[])('%s', async (preset) => {
    const batch = batchSizes[preset];
    const [xsBatch, ysBatch] = mnistBatch(mnistSplit('train'), 0, batch);
    const data = { images: await xsBatch.data(), labels: await ysBatch.data() };
    tf.dispose([xsBatch, ysBatch]);
    const step = async (backend: 'cpu' | 'wasm', start: Float32Array[] | null): Promise<{ before: Float32Array[]; after: Float32Array[] }> => {
      await tf.setBackend(backend);
      const xs = tf.tensor4d(data.images, [batch, 28, 28, 1]);
      const ys = tf.tensor1d(data.labels, 'float32');
      const model = buildModel(preset, 'adam', 0.001);
      if (start) model.setWeights(model.getWeights().map((w, i) => tf.tensor(start[i], w.shape)));
      const before = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
      // Dropout masks come from Math.random seeds: the same sequence for both runs.
      const spy = vi.spyOn(Math, 'random').mockImplementation(rng(7));
      try {
        await model.trainOnBatch(xs, ys);
      } finally {
        spy.mockRestore();
      }
      const after = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
      model.dispose();
      tf.dispose([xs, ys]);
      return { before, after };
    };
    const stock = await step('cpu', null);
    const wasm = await step('wasm', stock.before);
    expect(wasm.after.length).toBe(stock.after.length);
    for (let i = 0; i < stock.after.length; i++) {
      let worst = 0;
      for (let j = 0; j < stock.after[i].length; j++) worst = Math.max(worst, Math.abs(stock.after[i][j] - wasm.after[i][j]));
      expect(worst, `weight ${i}`).toBeLessThanOrEqual(1e-4);
    }
    // The step really changed the weights (a no-op would pass the comparison above).
    expect(wasm.after.some((w, i) => w.some((v, j) => Math.abs(v - stock.before[i][j]) > 1e-6))).toBe(true);
  }, 120_000);
});

describe('Adam, fused into one loop a weight on the wasm backend, gives what tf.train.adam gives', () => {
  it('three steps with a changing learning rate, no TF.js kernels, no tensors left', async () => {
    await tf.setBackend('wasm');
    registerWasmKernels();
    await expectFusedAdamAsTfAdam({ cpuLoop: true });
  });
});

describe('Adam\'s update in SIMD on the heap gives the JS loop\'s weights and moments bit for bit', () => {
  it.each([[5, 5, 1, 16], [16], [512, 128], [128, 10], [7], [1]].map((s) => [JSON.stringify(s), s] as const))('%s', async (_name, shape) => {
    await tf.setBackend('wasm');
    const n = shape.reduce((a, b) => a * b, 1);
    const random = rng(n);
    const start = Float32Array.from({ length: n }, () => random() - 0.5);
    const w = start.slice();
    const mv = new Float32Array(2 * n);
    const weight = tf.variable(tf.tensor(start, shape));
    let moments: tf.Tensor | undefined;
    for (let t = 1; t <= 5; t++) {
      const g = Float32Array.from({ length: n }, (_, i) => (i % 5 === 4 ? 0 : (random() - 0.5) * (t === 3 ? 100 : 0.1)));
      const step: AdamStep = { learningRate: 0.01 / t, beta1: 0.7, beta2: 0.9, epsilon: 1e-7, bias1: 1 - 0.7 ** t, bias2: 1 - 0.9 ** t };
      adamOnCpu(w, g, mv, step);
      const grad = tf.tensor(g, shape);
      const next = adamOnWasm(weight, grad, moments, step);
      grad.dispose();
      expect(next).not.toBeNull();
      moments = next!;
    }
    expect(Array.from(await weight.data())).toEqual(Array.from(w));
    expect(Array.from(await moments!.data())).toEqual(Array.from(mv));
    expect(relError(start, w)).toBeGreaterThan(1e-3); // the steps moved the weights
    tf.dispose([weight, moments!]);
  });
});

describe('batch norm while training: the fused kernels give the stock layer\'s output, moving statistics and gradients', () => {
  // [shape, mean offset]: the best preset's three places (after each pooling, after the dense layer) at odd batches,
  // channels not a multiple of 4 (the JS loop), and activations far from zero mean (the variance's cancellation).
  const cases: [number[], number][] = [[[7, 12, 12, 24], 0], [[9, 256], 0], [[5, 4, 4, 64], 3], [[6, 3, 3, 6], 0], [[11, 5, 5, 8], 40]];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, [shape, offset]) => {
    const c = shape[shape.length - 1];
    const x = tf.add(randomTensor(shape), offset);
    const [gamma, beta] = [tf.add(randomTensor([c]), 1), randomTensor([c])];
    const w = randomTensor(shape); // the loss Σ w·y, so that each output has its own gradient
    const eps = 1e-3;
    /** The layer's training output and moving statistics after one call, and d(Σ w·y) / d(x, gamma, beta). */
    const train = () => {
      const layer = new BatchNormalization({ momentum: 0.9, epsilon: eps });
      layer.build(shape);
      layer.setWeights([gamma, beta, tf.add(gamma, -1), tf.add(beta, 2)]);
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      const [, , movingMean, movingVariance] = layer.getWeights().map((t) => t.clone());
      // The gradient of the same normalisation: ours where the fused kernels are registered, else TF.js's ops.
      const loss = (xv: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const y2 = tf.getKernel(BATCH_NORM_GRAD, tf.getBackend())
          ? batchNormTraining(xv, g, b, eps).y
          : (() => {
            const { mean, variance } = tf.moments(xv, shape.slice(0, -1).map((_, i) => i));
            return tf.batchNorm(xv, mean, variance, b, g, eps);
          })();
        return tf.sum(tf.mul(y2, w));
      };
      const grads = tf.grads(loss)([x, gamma, beta]);
      for (const v of layer.weights) v.dispose();
      return [y, movingMean, movingVariance, ...grads];
    };
    const what = ['y', 'moving mean', 'moving variance', 'dx', 'dgamma', 'dbeta'];
    await tf.setBackend('cpu');
    const stock = await Promise.all(train().map(async (t) => (await t.data()) as Float32Array));
    for (const mode of MODES) {
      await inMode(mode, async () => {
        await tf.setBackend('wasm');
        const profile = await tf.profile(() => train());
        expect(profile.kernelNames, `${mode.name}: the fused kernels ran`).toEqual(expect.arrayContaining([BATCH_NORM_STATS, BATCH_NORM, BATCH_NORM_GRAD]));
        const ours = await Promise.all((profile.result as tf.Tensor[]).map(async (t) => (await t.data()) as Float32Array));
        for (const [i, name] of what.entries()) expect(relError(stock[i], ours[i]), `${mode.name}: ${name}`).toBeLessThanOrEqual(2e-5);
        tf.dispose(profile.result as tf.Tensor[]);
      });
    }
    tf.dispose([x, gamma, beta, w]);
  });
});
