// Sum for the `wasm` backend where it is a bias gradient: a float32 tensor summed over its leading axes, the kept
// ones c values a row with c a multiple of 4 (dy [batch, h, w, c] → [c]). Our SIMD kernel (simd/kernels.c: sum_rows)
// sums in double, as the stock kernel does, half the rows on the helper thread where that pays, each half into its
// own doubles; the halves are added here and rounded once. Elsewhere the JS loop on the heap (kernels/sum.ts).
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';
import { SIMD, simdKernels } from './simd.js';
import { leadingAxes } from '../kernels/sum.js';

export function withSimdSum(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.SumAttrs;
    const k = x.dtype === 'float32' ? leadingAxes(x.shape.length, attrs.axis) : 0;
    const c = x.shape.slice(k).reduce((p, d) => p * d, 1);
    const rows = x.shape.slice(0, k).reduce((p, d) => p * d, 1);
    const simd = SIMD.sum && k > 0 && c > 0 && c % 4 === 0 && rows > 0 ? simdKernels(args.backend) : null;
    if (!simd) return fallback(args);
    const { backend } = args;
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
    const acc = backend.makeOutput([4 * c], 'float32'); // two halves' c doubles (malloc aligns to 8 at least)
    try {
      const ap = backend.getMemoryOffset(acc.dataId);
      if (ap % 8 !== 0) return fallback(args);
      const y = backend.makeOutput(outShape, 'float32');
      const xp = backend.getMemoryOffset(x.dataId);
      const split = simd.split('sum_rows', rows, 1, (i0, i1, part) => [xp, ap + part * 8 * c, i0, i1, c]);
      const halves = new Float64Array(simd.heapF32().buffer, ap, 2 * c);
      const out = backend.typedArrayFromHeap(y) as Float32Array;
      for (let j = 0; j < c; j++) out[j] = split ? halves[j] + halves[c + j] : halves[j];
      return y;
    } finally {
      backend.disposeData(acc.dataId);
    }
  };
}
