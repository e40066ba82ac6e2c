// Identity for the `wasm` backend without a copy: the output shares its input's memory (one more reference), as the
// cpu backend's Identity and the wasm backend's own Reshape do — tensors are never written in place. The stock kernel
// copies the whole tensor (a training step runs it on whole activations). Strings: the stock kernel.
import type * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';
import { SIMD } from './simd.js';

export const identity: WasmKernel = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  if (!SIMD.identity || x.dtype === 'string' || !backend.dataIdMap.get(x.dataId)) return null;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};
