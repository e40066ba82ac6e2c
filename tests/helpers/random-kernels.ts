// Random inputs for the kernel property tests (tests/engine/kernels.test.ts, tests/engine/wasm-kernels.test.ts):
// a seeded generator, random tensors with relu-like zeros, random convolution shapes, and the error
// measure that compares a kernel's output with the stock kernel's.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src-shared/random.js';

/** Deterministic uniform [0, 1) generator (the app's mulberry32). */
export const rng = mulberry32;

/** Largest difference relative to the largest stock value (the same measure as the other numeric tests). */
export { relError } from './stats.js';

export interface ConvCase {
  batch: number;
  h: number;
  w: number;
  inC: number;
  outC: number;
  f: number;
  stride: number;
  pad: 'same' | 'valid';
  /** Mostly zeros (as after relu + max pooling): the zero-skipping loops run instead of the GEMM. */
  sparse: boolean;
}

export function outSize(c: ConvCase): [number, number] {
  if (c.pad === 'same') return [Math.ceil(c.h / c.stride), Math.ceil(c.w / c.stride)];
  return [Math.ceil((c.h - c.f + 1) / c.stride), Math.ceil((c.w - c.f + 1) / c.stride)];
}

/** A seeded source of random numbers, tensors and convolution shapes. */
export function randomSource(seed: number) {
  const rand = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];

  /** Random values; with zeros, as after a relu, so that ties and sparsity are exercised. */
  function randomTensor(shape: number[], zeros = 0.3): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rand() < zeros ? 0 : rand() * 2 - 1;
    return tf.tensor(v, shape);
  }

  /** A random conv small enough for the stock kernels (they are the slow side of the test). */
  function randomConv(strides: readonly number[] = [1, 2]): ConvCase {
    for (;;) {
      const c: ConvCase = {
        batch: int(1, 16),
        h: int(1, 14),
        w: int(1, 14),
        inC: pick([1, 2, 3, 8, 16, 32, 64]),
        outC: pick([1, 4, 5, 16, 32, 64]),
        f: int(1, 5),
        stride: pick(strides),
        pad: pick(['same', 'valid'] as const),
        sparse: rand() < 0.5,
      };
      if (c.sparse && rand() < 0.5) c.inC = pick([1, 2, 3]);
      if (c.pad === 'valid' && (c.f > c.h || c.f > c.w)) continue;
      const macs = c.batch * c.h * c.w * c.inC * c.outC * c.f * c.f;
      if (macs <= 1_500_000) return c;
    }
  }

  return { rand, int, pick, randomTensor, randomConv };
}
