// ClipByValue for the `wasm` backend: the stock one (XNNPACK's clamp) turns NaN into the lower
// bound, so a diverged model's NaN probabilities would come out of the loss's clip as a finite,
// uniform distribution and training would go on. Here NaN stays NaN, as on the CPU backend.
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';

export const clipByValue: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  if (x.dtype !== 'float32') return null;
  const { clipValueMin: lo, clipValueMax: hi } = attrs as unknown as tf.ClipByValueAttrs;
  const out = backend.makeOutput(x.shape, 'float32'); // before taking views: it may grow the heap
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    o[i] = a > hi ? hi : a < lo ? lo : a;
  }
  return out;
};
