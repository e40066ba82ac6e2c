// MaxPoolGrad for the `wasm` backend: the stock one is a scalar C++ loop over 4-D indices; this is
// the JS kernels' NHWC loop (kernels/pool-geometry.ts) run on the wasm heap, in place.
import * as tf from '@tensorflow/tfjs';
import { maxPoolArgmax, poolGeometry } from '../kernels/pool-geometry.js';
import type { WasmKernel } from './kernel-call.js';

export const maxPoolGrad: WasmKernel = ({ inputs, backend, attrs }) => {
  const { input, dy } = inputs as { input: tf.TensorInfo; dy: tf.TensorInfo };
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const g = poolGeometry(input.shape, attrs as Record<string, unknown>);
  if (!g) return null;
  // Allocate first: growing the heap detaches every view taken before.
  const out = backend.makeOutput(input.shape, 'float32');
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const argmax = maxPoolArgmax(x, g);
  for (let o = 0; o < argmax.length; o++) {
    const at = argmax[o];
    if (at >= 0) dx[at] += dyv[o];
  }
  return out;
};
