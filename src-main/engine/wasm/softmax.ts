// Softmax over the last axis for the `wasm` backend, in JS on the heap: the stock kernel (XNNPACK's) hands even fast's
// [batch, 10] to its thread pool, which costs more than the work. The same steps as the stock cpu kernel, each rounded
// to float32 as it stores them: the row's maximum (NaN wins), exp(x − max), their sum in double, each exp / the sum.
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';
import { SIMD } from './simd.js';

/** Rows up to this many values a row (the classifier's outputs); wider ones stay with the stock kernel. */
const MAX_ROW = 64;

export const softmax: WasmKernel = ({ inputs, backend, attrs }) => {
  const { logits } = inputs as { logits: tf.TensorInfo };
  const rank = logits.shape.length;
  const dim = (attrs as unknown as tf.SoftmaxAttrs).dim;
  const n = logits.shape[rank - 1];
  if (!SIMD.softmax || logits.dtype !== 'float32' || rank < 1 || (dim !== -1 && dim !== rank - 1) || !(n > 0) || n > MAX_ROW) return null;
  const out = backend.makeOutput([...logits.shape], 'float32'); // before taking views: it may grow the heap
  const x = backend.typedArrayFromHeap(logits) as Float32Array;
  const y = backend.typedArrayFromHeap(out) as Float32Array;
  const e = new Float32Array(n);
  for (let row = 0; row < x.length; row += n) {
    let max = x[row];
    for (let j = 0; j < n; j++) {
      const v = x[row + j];
      if (Number.isNaN(v) || v > max) max = v;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      e[j] = Math.exp(Math.fround(x[row + j] - max));
      sum += e[j];
    }
    const s = Math.fround(sum);
    for (let j = 0; j < n; j++) y[row + j] = e[j] / s;
  }
  return out;
};
