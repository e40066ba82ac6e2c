// Batch normalisation while training, for the `wasm` backend: the three kernels the fused batch-norm layer
// (engine/batch-norm.ts) calls, each one or two passes over the activations where TF.js's layer makes a dozen
// element-wise ones (moments, the normalisation, and their gradients through Sub, Square, Mean, Multiply, RealDiv…).
// x is viewed as rows of c channels (the last axis). Our SIMD kernels (simd/kernels.c: sum_rows, sq_dev_rows,
// bn_grad_rows, affine_rows), half the rows on the helper thread where that pays; a JS loop on the heap where they
// are off (c not a multiple of 4, the single-threaded build, switched off).
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend, WasmKernelArgs } from './kernel-call.js';
import { SIMD, simdKernels, type SimdKernels } from './simd.js';

interface Rows {
  rows: number;
  c: number;
}

function rowsOf(x: tf.TensorInfo): Rows {
  const c = x.shape[x.shape.length - 1];
  return { rows: c > 0 ? tf.util.sizeFromShape(x.shape) / c : 0, c };
}

function simdFor(backend: WasmBackend, { rows, c }: Rows, ...ts: tf.TensorInfo[]): SimdKernels | null {
  return SIMD.batchNorm && c % 4 === 0 && rows > 0 && ts.every((t) => t.dtype === 'float32') ? simdKernels(backend) : null;
}

const f32 = (backend: WasmBackend, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/** A float32 [n] output filled from `values`. */
function vector(backend: WasmBackend, values: ArrayLike<number>): tf.TensorInfo {
  const t = backend.makeOutput([values.length], 'float32');
  f32(backend, t).set(values);
  return t;
}

/**
 * Per-channel sums over the rows by our SIMD kernel `fn` (`width` sums a channel, in double), both halves added:
 * `args(acc, i0, i1)` gives the call's arguments, `pointers` of them pointers.
 */
function channelSums(
  simd: SimdKernels, backend: WasmBackend, fn: 'sum_rows' | 'sq_dev_rows' | 'bn_grad_rows', { rows, c }: Rows, width: number,
  pointers: number, args: (acc: number, i0: number, i1: number) => number[],
): Float64Array {
  const acc = backend.makeOutput([4 * width * c], 'float32'); // two halves' width·c doubles (malloc aligns to 8 at least)
  try {
    const ap = backend.getMemoryOffset(acc.dataId);
    if (ap % 8 !== 0) throw new Error('batch norm: the heap gave a misaligned buffer');
    const split = simd.split(fn, rows, 1, (i0, i1, part) => args(ap + part * 8 * width * c, i0, i1), pointers);
    const halves = new Float64Array(simd.heapF32().buffer, ap, 2 * width * c);
    const out = new Float64Array(width * c);
    for (let j = 0; j < width * c; j++) out[j] = split ? halves[j] + halves[width * c + j] : halves[j];
    return out;
  } finally {
    backend.disposeData(acc.dataId);
  }
}

/** y = a ⊙ u + b ⊙ v + d over the rows (a, b, d per channel). */
function affineRows(backend: WasmBackend, shape: Rows, u: tf.TensorInfo, a: Float64Array, v: tf.TensorInfo, b: Float64Array, d: Float64Array): tf.TensorInfo {
  const { rows, c } = shape;
  const y = backend.makeOutput([...u.shape], 'float32');
  const simd = simdFor(backend, shape, u, v);
  if (!simd) {
    const [uv, vv, yv] = [f32(backend, u), f32(backend, v), f32(backend, y)];
    for (let i = 0, o = 0; i < rows; i++) for (let k = 0; k < c; k++, o++) yv[o] = a[k] * uv[o] + b[k] * vv[o] + d[k];
    return y;
  }
  const coeffs = [a, b, d].map((w) => vector(backend, w));
  try {
    const [ap, bp, dp] = coeffs.map((t) => backend.getMemoryOffset(t.dataId));
    const [up, vp, yp] = [u, v, y].map((t) => backend.getMemoryOffset(t.dataId));
    simd.split('affine_rows', rows, 1, (i0, i1) => [up, ap, vp, bp, dp, yp, i0, i1, c], 6);
  } finally {
    for (const t of coeffs) backend.disposeData(t.dataId);
  }
  return y;
}

/** DigitLabBatchNormStats: x [..., c] → [mean, variance] over every axis but the last (variance biased, as tf.moments). */
export function batchNormStats({ inputs, backend }: WasmKernelArgs): tf.TensorInfo[] {
  const { x } = inputs as { x: tf.TensorInfo };
  const shape = rowsOf(x);
  const { rows, c } = shape;
  const simd = simdFor(backend, shape, x);
  const mean = new Float64Array(c);
  const sq = new Float64Array(c);
  if (simd) {
    const xp = backend.getMemoryOffset(x.dataId);
    const sums = channelSums(simd, backend, 'sum_rows', shape, 1, 1, (acc, i0, i1) => [xp, acc, i0, i1, c]);
    for (let k = 0; k < c; k++) mean[k] = sums[k] / rows;
    const meanOut = vector(backend, mean);
    try {
      const mp = backend.getMemoryOffset(meanOut.dataId);
      sq.set(channelSums(simd, backend, 'sq_dev_rows', shape, 1, 3, (acc, i0, i1) => [xp, mp, acc, i0, i1, c]));
      // The deviations were taken from the float32 mean, the one returned.
      for (let k = 0; k < c; k++) sq[k] /= rows;
      return [meanOut, vector(backend, sq)];
    } catch (err) {
      backend.disposeData(meanOut.dataId);
      throw err;
    }
  }
  const xv = f32(backend, x);
  for (let i = 0, o = 0; i < rows; i++) for (let k = 0; k < c; k++, o++) mean[k] += xv[o];
  const meanF32 = Float32Array.from(mean, (s) => s / rows);
  for (let i = 0, o = 0; i < rows; i++) for (let k = 0; k < c; k++, o++) sq[k] += (xv[o] - meanF32[k]) ** 2;
  return [vector(backend, meanF32), vector(backend, sq.map((s) => s / rows))];
}

/** 1 / √(variance + ε) per channel. */
function inverseStd(backend: WasmBackend, variance: tf.TensorInfo, epsilon: number): Float64Array {
  return Float64Array.from(f32(backend, variance), (v) => 1 / Math.sqrt(v + epsilon));
}

/** DigitLabBatchNorm: (x − mean) / √(variance + ε) · gamma + beta, as x · scale + shift per channel. */
export function batchNormForward({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, mean, variance, gamma, beta } = inputs as Record<'x' | 'mean' | 'variance' | 'gamma' | 'beta', tf.TensorInfo>;
  const shape = rowsOf(x);
  const inv = inverseStd(backend, variance, attrs!.epsilon as number);
  const [m, g, b] = [mean, gamma, beta].map((t) => f32(backend, t));
  const scale = inv.map((s, k) => s * g[k]);
  const shift = scale.map((s, k) => b[k] - m[k] * s);
  return affineRows(backend, shape, x, scale, x, new Float64Array(shape.c), shift);
}

/**
 * DigitLabBatchNormGrad: [dx, dgamma, dbeta] of y = (x − mean) · invstd · gamma + beta with mean and variance the batch's
 * own (their dependence on x included): with N rows, Σdy and Σdy·(x − mean) per channel,
 * dx = gamma · invstd · (dy − Σdy / N − (x − mean) · invstd² · Σdy·(x − mean) / N), dgamma = invstd · Σdy·(x − mean),
 * dbeta = Σdy.
 */
export function batchNormGrad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const { dy, x, mean, variance, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', tf.TensorInfo>;
  const shape = rowsOf(x);
  const { rows, c } = shape;
  const inv = inverseStd(backend, variance, attrs!.epsilon as number);
  const [m, g] = [mean, gamma].map((t) => f32(backend, t));
  const simd = simdFor(backend, shape, dy, x);
  let sums: Float64Array; // Σdy, then Σdy·(x − mean)
  if (simd) {
    const [dyp, xp, mp] = [dy, x, mean].map((t) => backend.getMemoryOffset(t.dataId));
    sums = channelSums(simd, backend, 'bn_grad_rows', shape, 2, 4, (acc, i0, i1) => [dyp, xp, mp, acc, i0, i1, c]);
  } else {
    sums = new Float64Array(2 * c);
    const [dyv, xv] = [f32(backend, dy), f32(backend, x)];
    for (let i = 0, o = 0; i < rows; i++) {
      for (let k = 0; k < c; k++, o++) {
        sums[k] += dyv[o];
        sums[c + k] += dyv[o] * (xv[o] - m[k]);
      }
    }
  }
  const a = inv.map((s, k) => s * g[k]);
  const b = a.map((ak, k) => (-ak * inv[k] * inv[k] * sums[c + k]) / rows);
  const d = a.map((ak, k) => (-ak * sums[k]) / rows - b[k] * m[k]);
  const dx = affineRows(backend, shape, dy, a, x, b, d);
  return [dx, vector(backend, inv.map((s, k) => s * sums[c + k])), vector(backend, sums.subarray(0, c))];
}
