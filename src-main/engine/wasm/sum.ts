// Sum for the `wasm` backend where it is a bias gradient: a float32 tensor summed over its leading axes, the kept
// ones c values a row with c a multiple of 4 (dy [batch, h, w, c] → [c]). Our SIMD kernel (simd/kernels.c: sum_rows)
// sums in double, as the stock kernel does, half the rows on the helper thread where that pays, each half into its
// own doubles; the halves are added here and rounded once. Elsewhere the JS loop on the heap (kernels/sum.ts).
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend, WasmKernel } from './kernel-call.js';
import { SIMD, simdKernels, type SimdKernels } from './simd.js';
import { leadingAxes } from '../kernels/sum.js';

/** Our SIMD kernels that sum rows into doubles: arguments (pointers to the inputs…, acc, i0, i1, c). */
export type RowSumFunction = 'sum_rows' | 'sq_dev_rows' | 'bn_grad_rows';

/**
 * `n` sums in double over rows [0, rows) of c channels by our SIMD kernel `fn` (`inputs`: its pointers before acc), half
 * the rows on the helper thread where that pays, each half into its own doubles, the halves added here. Null where the
 * heap's buffer is not aligned to 8 (the caller keeps its own way).
 */
export function rowSums(
  simd: SimdKernels, backend: WasmBackend, fn: RowSumFunction, inputs: number[], rows: number, c: number, n: number,
): Float64Array | null {
  const acc = backend.makeOutput([4 * n], 'float32'); // two halves' n doubles (malloc aligns to 8 at least)
  try {
    const ap = backend.getMemoryOffset(acc.dataId);
    if (ap % 8 !== 0) return null;
    // The trials' key leaves out the pointers (the inputs' and acc's).
    const split = simd.split(fn, rows, 1, (i0, i1, part) => [...inputs, ap + part * 8 * n, i0, i1, c], inputs.length + 1);
    const halves = new Float64Array(simd.heapF32().buffer, ap, 2 * n);
    return split ? halves.subarray(0, n).map((s, j) => s + halves[n + j]) : halves.slice(0, n);
  } finally {
    backend.disposeData(acc.dataId);
  }
}

export function withSimdSum(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.SumAttrs;
    const k = x.dtype === 'float32' ? leadingAxes(x.shape.length, attrs.axis) : 0;
    const c = x.shape.slice(k).reduce((p, d) => p * d, 1);
    const rows = x.shape.slice(0, k).reduce((p, d) => p * d, 1);
    const simd = SIMD.sum && k > 0 && c > 0 && c % 4 === 0 && rows > 0 ? simdKernels(args.backend) : null;
    const { backend } = args;
    const sums = simd && rowSums(simd, backend, 'sum_rows', [backend.getMemoryOffset(x.dataId)], rows, c, c);
    if (!sums) return fallback(args);
    const y = backend.makeOutput(attrs.keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k), 'float32');
    (backend.typedArrayFromHeap(y) as Float32Array).set(sums); // rounded once
    return y;
  };
}
