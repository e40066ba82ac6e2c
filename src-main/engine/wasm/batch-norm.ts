// Batch normalisation while training, for the `wasm` backend: the three kernels the fused batch-norm layer
// (engine/batch-norm.ts) calls, each one or two passes over the activations where TF.js's layer makes a dozen
// element-wise ones (moments, the normalisation, and their gradients through Sub, Square, Mean, Multiply, RealDiv…).
// x is viewed as rows of c channels (the last axis). Our SIMD kernels (simd/kernels.c: sum_rows, sq_dev_rows,
// bn_grad_rows, affine_rows), half the rows on the helper thread where that pays; a JS loop on the heap where they
// are off (c not a multiple of 4, the single-threaded build, switched off).
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend, WasmKernelArgs } from './kernel-call.js';
import { SIMD, simdKernels, type SimdKernels } from './simd.js';
import { rowSums } from './sum.js';

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
  const xp = backend.getMemoryOffset(x.dataId);
  let sums = simd && rowSums(simd, backend, 'sum_rows', [xp], rows, c, c);
  if (!sums) {
    sums = new Float64Array(c);
    const xv = f32(backend, x);
    for (let i = 0, o = 0; i < rows; i++) for (let k = 0; k < c; k++, o++) sums[k] += xv[o];
  }
  const mean = vector(backend, sums.map((s) => s / rows)); // float32, as returned: the deviations are taken from it
  try {
    let sq = simd && rowSums(simd, backend, 'sq_dev_rows', [xp, backend.getMemoryOffset(mean.dataId)], rows, c, c);
    if (!sq) {
      sq = new Float64Array(c);
      const [xv, m] = [f32(backend, x), f32(backend, mean)];
      for (let i = 0, o = 0; i < rows; i++) for (let k = 0; k < c; k++, o++) sq[k] += (xv[o] - m[k]) ** 2;
    }
    return [mean, vector(backend, sq.map((s) => s / rows))];
  } catch (err) {
    backend.disposeData(mean.dataId);
    throw err;
  }
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
  const simd = simdFor(backend, shape, dy, x);
  const [dyp, xp, mp] = [dy, x, mean].map((t) => backend.getMemoryOffset(t.dataId));
  let sums = simd && rowSums(simd, backend, 'bn_grad_rows', [dyp, xp, mp], rows, c, 2 * c); // Σdy, then Σdy·(x − mean)
  if (!sums) {
    sums = new Float64Array(2 * c);
    const [dyv, xv, m] = [dy, x, mean].map((t) => f32(backend, t));
    for (let i = 0, o = 0; i < rows; i++) {
      for (let k = 0; k < c; k++, o++) {
        sums[k] += dyv[o];
        sums[c + k] += dyv[o] * (xv[o] - m[k]);
      }
    }
  }
  const inv = inverseStd(backend, variance, attrs!.epsilon as number);
  const [m, g] = [mean, gamma].map((t) => f32(backend, t));
  const a = inv.map((s, k) => s * g[k]);
  const b = a.map((ak, k) => (-ak * inv[k] * inv[k] * sums[c + k]) / rows);
  const d = a.map((ak, k) => (-ak * sums[k]) / rows - b[k] * m[k]);
  const dx = affineRows(backend, shape, dy, a, x, b, d);
  return [dx, vector(backend, inv.map((s, k) => s * sums[c + k])), vector(backend, sums.subarray(0, c))];
}
