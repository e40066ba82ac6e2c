// The fast CPU kernels must compute what the stock TF.js kernels compute: property tests on
// random shapes against the stock kernels, then one real training step of every preset.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mnistBatch, mnistSplit } from '../../bench/mnist-batch.js';
import {
  FAST_KERNEL_NAMES,
  parallelStats,
  registerFastKernels,
  setSplitPolicy,
  splitDecisions,
  DEFAULT_MIN_MACS,
  startHelper,
  stopHelper,
  unregisterFastKernels,
} from '../../src-main/engine/kernels/index.js';
import { buildModel } from '../../src-main/engine/models.js';
import { expectFusedAdamAsTfAdam } from '../helpers/adam.js';
import { outSize, randomSource, relError, rng } from '../helpers/random-kernels.js';
import type { PresetName } from '../../src-shared/types.js';

const { rand, int, pick, randomTensor, randomConv } = randomSource(20240601);

/** Runs fn with the stock kernels, then with the fast ones; returns both outputs' values. */
function stockAndFast(fn: () => tf.Tensor): { stock: Float32Array; fast: Float32Array; shape: number[] } {
  unregisterFastKernels();
  const s = fn();
  registerFastKernels();
  const f = fn();
  expect(f.shape).toEqual(s.shape);
  const out = { stock: s.dataSync() as Float32Array, fast: f.dataSync() as Float32Array, shape: s.shape };
  s.dispose();
  f.dispose();
  return out;
}

const TOLERANCE = 1e-4;
const CASES = 30;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.env().set('DEBUG', false);
  // Every convolution with a batch of 2 or more is split with the helper thread.
  expect(await startHelper()).toBe(true);
  setSplitPolicy({ minMacs: 0, measure: false });
});

afterAll(async () => {
  unregisterFastKernels();
  setSplitPolicy({ minMacs: DEFAULT_MIN_MACS, measure: true });
  await stopHelper();
});

describe('registration', () => {
  it('registers every fast kernel once and restores the stock ones', () => {
    const stockConv = tf.getKernel('Conv2D', 'cpu')!.kernelFunc;
    const names = registerFastKernels();
    expect([...names].sort()).toEqual([...FAST_KERNEL_NAMES].sort());
    const fastConv = tf.getKernel('Conv2D', 'cpu')!.kernelFunc;
    expect(fastConv).not.toBe(stockConv);
    expect(registerFastKernels()).toEqual(names); // idempotent
    expect(tf.getKernel('Conv2D', 'cpu')!.kernelFunc).toBe(fastConv);
    unregisterFastKernels();
    expect(tf.getKernel('Conv2D', 'cpu')!.kernelFunc).toBe(stockConv);
  });

  it('falls through to the stock kernel for what it does not cover (dilation 2)', () => {
    const x = randomTensor([2, 9, 9, 3]);
    const filter = randomTensor([3, 3, 3, 4]);
    const { stock, fast } = stockAndFast(() => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same', 'NHWC', 2));
    expect(relError(stock, fast)).toBe(0);
  });
});

describe('convolution kernels match the stock ones on random shapes', () => {
  const cases = Array.from({ length: CASES }, () => randomConv());
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    const [oh, ow] = outSize(c);
    const x = randomTensor([c.batch, c.h, c.w, c.inC], c.sparse ? 0.85 : 0.3);
    const filter = randomTensor([c.f, c.f, c.inC, c.outC], 0);
    const dy = randomTensor([c.batch, oh, ow, c.outC], c.sparse ? 0.9 : 0.5);
    const bias = randomTensor([c.outC], 0);
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
    const run = (name: string, inputs: tf.NamedTensorMap, extra: object = {}): tf.Tensor =>
      tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as never) as tf.Tensor;

    const forward = stockAndFast(() => run('Conv2D', { x, filter }));
    expect(forward.shape).toEqual([c.batch, oh, ow, c.outC]);
    expect(relError(forward.stock, forward.fast)).toBeLessThanOrEqual(TOLERANCE);

    const fused = stockAndFast(() => run('FusedConv2D', { x, filter, bias }, { activation: 'relu' }));
    expect(relError(fused.stock, fused.fast)).toBeLessThanOrEqual(TOLERANCE);

    const dW = stockAndFast(() => run('Conv2DBackpropFilter', { x, dy }, { filterShape: filter.shape }));
    expect(relError(dW.stock, dW.fast)).toBeLessThanOrEqual(TOLERANCE);

    const dx = stockAndFast(() => run('Conv2DBackpropInput', { dy, filter }, { inputShape: x.shape }));
    expect(relError(dx.stock, dx.fast)).toBeLessThanOrEqual(TOLERANCE);

    tf.dispose([x, filter, dy, bias]);
  });
});

describe('the helper thread', () => {
  it('computed half of the batch of the convolutions above', () => {
    expect(parallelStats().splits).toBeGreaterThan(CASES);
  });

  it('gives the same results as one thread', async () => {
    const x = randomTensor([6, 13, 11, 8]);
    const filter = randomTensor([3, 3, 8, 16], 0);
    const dy = randomTensor([6, 7, 6, 16], 0.5);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
    registerFastKernels();
    const run = () => [
      tf.engine().runKernel('Conv2D', { x, filter }, attrs as never) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape } as never) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape } as never) as tf.Tensor,
    ];
    const before = parallelStats().splits;
    const two = run();
    expect(parallelStats().splits).toBe(before + 3);
    await stopHelper();
    const one = run();
    expect(parallelStats().splits).toBe(before + 3);
    expect(await startHelper()).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(relError(one[i].dataSync() as Float32Array, two[i].dataSync() as Float32Array)).toBeLessThanOrEqual(1e-6);
    }
    tf.dispose([x, filter, dy, ...one, ...two]);
  });
});

describe('the split policy', () => {
  it('times one thread against two for a repeated shape and keeps results exact either way', () => {
    setSplitPolicy({ minMacs: 0, measure: true });
    try {
      const x = randomTensor([8, 12, 12, 16]);
      const filter = randomTensor([5, 5, 16, 32], 0);
      const conv = () => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid');
      const first = conv();
      const reference = first.dataSync() as Float32Array;
      first.dispose();
      for (let i = 0; i < 12; i++) {
        const y = conv();
        expect(relError(reference, y.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-6);
        y.dispose();
      }
      const decision = splitDecisions().find((d) => d.shape.startsWith('forward 8 12x12x16'));
      expect(decision, JSON.stringify(splitDecisions())).toBeDefined();
      expect(decision!.singleMs).toBeGreaterThan(0);
      expect(decision!.splitMs).toBeGreaterThan(0);
      tf.dispose([x, filter]);
    } finally {
      setSplitPolicy({ minMacs: 0, measure: false });
    }
  });
});

describe('pooling kernels match the stock ones on random shapes', () => {
  const cases = Array.from({ length: CASES }, () => ({
    batch: int(1, 16),
    h: int(2, 20),
    w: int(2, 20),
    channels: pick([1, 3, 16, 32, 64]),
    size: int(1, 3),
    stride: pick([1, 2] as const),
    pad: pick(['same', 'valid'] as const),
  }));
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    // Many zeros: ties inside a window must send the gradient where the stock kernel sends it.
    const x = randomTensor([c.batch, c.h, c.w, c.channels], 0.5);
    const attrs = { filterSize: c.size, strides: c.stride, pad: c.pad };
    const pooled = stockAndFast(() => tf.engine().runKernel('MaxPool', { x }, attrs as never) as tf.Tensor);
    expect(relError(pooled.stock, pooled.fast)).toBe(0);
    const y = tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad);
    const dy = randomTensor(y.shape, 0.2);
    const grad = stockAndFast(
      () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs as never) as tf.Tensor,
    );
    expect(relError(grad.stock, grad.fast)).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([x, y, dy]);
  });
});

describe("MaxPoolGrad's one-pass path for 2×2 pools at stride 2 (the presets') gives what the stock kernel gives", () => {
  const cases = [
    { shape: [3, 24, 24, 16], pad: 'valid' }, // fast, first pool
    { shape: [2, 8, 8, 32], pad: 'same' }, // same padding that pads nothing
    { shape: [2, 7, 9, 3], pad: 'valid' }, // odd sides: the last row and column are in no window
    { shape: [2, 7, 7, 4], pad: 'same' }, // padded windows: the general path
  ] as const;
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    const x = randomTensor([...c.shape], 0.5); // ties: zeros, as after a relu
    // Windows of -Infinity only and of NaN pass no gradient; a NaN beside a number loses to it.
    const values = x.dataSync().slice();
    values.fill(-Infinity, 0, 2 * c.shape[3]);
    values[c.shape[2] * c.shape[3]] = NaN;
    const input = tf.tensor4d(values, [...c.shape]);
    const attrs = { filterSize: 2, strides: 2, pad: c.pad };
    const y = tf.maxPool(input, 2, 2, c.pad);
    const dy = randomTensor(y.shape, 0);
    const grad = stockAndFast(() => tf.engine().runKernel('MaxPoolGrad', { dy, input, output: y }, attrs as never) as tf.Tensor);
    expect(Array.from(grad.fast)).toEqual(Array.from(grad.stock));
    expect(grad.fast.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, input, y, dy]);
  });
});

describe('matrix multiply kernels match the stock ones on random shapes', () => {
  const cases = Array.from({ length: CASES }, () => ({
    batch: pick([0, 1, 3]),
    m: int(1, 70),
    k: int(1, 300),
    n: int(1, 70),
    transposeA: rand() < 0.5,
    transposeB: rand() < 0.5,
    activation: pick(['linear', 'relu'] as const),
  }));
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    const outer = c.batch ? [c.batch] : [];
    const a = randomTensor([...outer, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])]);
    const b = randomTensor([...outer, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])]);
    const bias = randomTensor([c.n], 0);
    const product = stockAndFast(() => tf.matMul(a, b, c.transposeA, c.transposeB));
    expect(relError(product.stock, product.fast)).toBeLessThanOrEqual(TOLERANCE);
    const fused = stockAndFast(() =>
      tf.engine().runKernel(
        '_FusedMatMul',
        { a: a.rank === 2 ? a.expandDims(0) : a, b: b.rank === 2 ? b.expandDims(0) : b, bias },
        { transposeA: c.transposeA, transposeB: c.transposeB, activation: c.activation } as never,
      ) as tf.Tensor,
    );
    expect(relError(fused.stock, fused.fast)).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([a, b, bias]);
  });
});

describe('element-wise and sum kernels match the stock ones', () => {
  const shapes: [number[], number[]][] = [
    [[7, 5, 3, 16], [7, 5, 3, 16]],
    [[7, 5, 3, 16], [16]],
    [[16], [7, 5, 3, 16]],
    [[9, 33], [1, 33]],
    [[9, 33], []],
    [[], [4, 2]],
    [[4, 1], [1, 4]], // a general broadcast: falls through to the stock kernel
    [[33, 10], [33, 1]], // a value a row (softmax's normalisation, the loss's gradient)
    [[33, 1], [33, 10]],
    [[3, 1, 1], [3, 4, 5]],
    [[3, 4, 5], [3, 4, 1]],
  ];
  it.each(shapes.map((s) => [JSON.stringify(s), s] as const))('Add, Sub, Multiply, RealDiv %s', (_name, [aShape, bShape]) => {
    const a = randomTensor(aShape);
    const b = randomTensor(bShape);
    for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
      const out = stockAndFast(() => op(a, b));
      expect(Array.from(out.fast)).toEqual(Array.from(out.stock)); // bit for bit, ±Infinity and NaN included
    }
    tf.dispose([a, b]);
  });

  it('Relu and Step', () => {
    const x = tf.concat([randomTensor([5, 7, 3, 16]).reshape([-1]), tf.tensor1d([NaN, -0, 0, Infinity, -Infinity])]);
    for (const op of [(t: tf.Tensor) => tf.relu(t), (t: tf.Tensor) => tf.step(t), (t: tf.Tensor) => tf.step(t, 0.3)]) {
      const out = stockAndFast(() => op(x));
      expect(Array.from(out.fast)).toEqual(Array.from(out.stock));
    }
    x.dispose();
  });

  const sums: [number[], number[], boolean][] = [
    [[6, 5, 4, 16], [0, 1, 2], false],
    [[6, 5, 4, 16], [0, 1, 2], true],
    [[6, 5, 4, 16], [2, 1, 0], false],
    [[33, 10], [0], false],
    [[33, 10], [-2], true],
    [[33, 10], [1], false], // innermost: stock
    [[6, 5, 4], [0, 2], false], // not a leading run: stock
  ];
  it.each(sums.map((s) => [JSON.stringify(s), s] as const))('Sum %s', (_name, [shape, axes, keepDims]) => {
    const x = randomTensor(shape);
    const out = stockAndFast(() => tf.sum(x, axes, keepDims));
    expect(relError(out.stock, out.fast)).toBeLessThanOrEqual(1e-6);
    const means = stockAndFast(() => tf.mean(x, axes, keepDims)); // batch normalisation's statistics
    expect(relError(means.stock, means.fast), 'mean').toBeLessThanOrEqual(1e-6);
    x.dispose();
  });
});

describe('one training step on real MNIST gives the same weights with fast and stock kernels', () => {
  // Not `best`: its batch norm leaves some gradients numerically zero, and Adam's first step turns their rounding into ±lr.
  const batchSizes: Record<Exclude<PresetName, 'best'>, number> = { seed: 8, 'keras-cnn': 2, fast: 8, mlp: 64 };
  it.each(Object.keys(batchSizes) as (keyof typeof batchSizes)[])('%s', async (preset) => {
    const batch = batchSizes[preset];
    const [xs, ys] = mnistBatch(mnistSplit('train'), 0, batch);
    const initial = buildModel(preset, 'adam', 0.001);
    const start = initial.getWeights().map((w) => w.clone());

    const step = async (fast: boolean): Promise<Float32Array[]> => {
      if (fast) registerFastKernels();
      else unregisterFastKernels();
      const model = buildModel(preset, 'adam', 0.001);
      model.setWeights(start);
      // Dropout masks come from Math.random seeds: the same sequence for both runs.
      const spy = vi.spyOn(Math, 'random').mockImplementation(rng(7));
      try {
        await model.trainOnBatch(xs, ys);
      } finally {
        spy.mockRestore();
      }
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      model.dispose();
      return weights;
    };
    const stock = await step(false);
    const fast = await step(true);
    expect(fast.length).toBe(stock.length);
    for (let i = 0; i < stock.length; i++) {
      let worst = 0;
      for (let j = 0; j < stock[i].length; j++) worst = Math.max(worst, Math.abs(stock[i][j] - fast[i][j]));
      expect(worst, `weight ${i}`).toBeLessThanOrEqual(1e-4);
    }
    // The step really changed the weights (a no-op would pass the comparison above).
    const moved = start.some((w, i) => {
      const before = w.dataSync();
      return fast[i].some((v, j) => Math.abs(v - before[j]) > 1e-6);
    });
    expect(moved).toBe(true);
    tf.dispose([xs, ys, ...start]);
    initial.dispose();
  });
});

describe('Adam, fused into one loop a weight on the cpu backend with the fast kernels, gives what tf.train.adam gives', () => {
  it('three steps with a changing learning rate, no TF.js kernels, no tensors left', async () => {
    await tf.setBackend('cpu');
    registerFastKernels();
    await expectFusedAdamAsTfAdam({ cpuLoop: true });
  });
});
