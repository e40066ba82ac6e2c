// Add for the `wasm` backend where one side is a bias over the channels ([..., c] + [c], c a multiple of 4): our
// SIMD kernel (simd/kernels.c: bias_add), half the rows on the helper thread where that pays. Elsewhere the
// JS loop on the heap (broadcasts) or XNNPACK (equal shapes).
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';
import { SIMD, simdKernels } from './simd.js';

export function withSimdBiasAdd(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const [x, bias] = b.shape.length === 1 && a.shape.length > 1 ? [a, b] : [b, a];
    const c = bias.shape.length === 1 ? bias.shape[0] : 0;
    const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
    const simd = SIMD.biasAdd && c > 0 && c % 4 === 0 && x.shape.length > 1 && x.shape[x.shape.length - 1] === c &&
      a.dtype === 'float32' && b.dtype === 'float32' && rows > 0 ? simdKernels(args.backend) : null;
    if (!simd) return fallback(args);
    const { backend } = args;
    const y = backend.makeOutput([...x.shape], 'float32');
    const xp = backend.getMemoryOffset(x.dataId);
    const bp = backend.getMemoryOffset(bias.dataId);
    const yp = backend.getMemoryOffset(y.dataId);
    simd.split('bias_add', rows, 1, (i0, i1) => [xp, bp, yp, i0, i1, c]);
    return y;
  };
}
