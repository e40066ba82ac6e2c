// Adam's fused update of one weight on the wasm backend's heap (simd/kernels.c: adam_update, the same arithmetic as
// engine/adam.ts's loop, two values at a time in double): no copy of the weight and its gradient out of the heap and
// back. The moments [m…, v…] live on the heap as a tensor the optimizer keeps, updated in place (nothing else holds
// them); the new weight is a new tensor (the old one's memory may be shared: Identity shares it).
import * as tf from '@tensorflow/tfjs';
import type { AdamStep } from '../adam.js';
import type { WasmBackend } from './kernel-call.js';
import { SIMD, simdKernels } from './simd.js';

/** One Adam step of `weight` on the wasm heap; returns its moments (a tensor on the heap: `moments` itself, or a new one
 *  from the values given, or zeros), or null where our kernels do not run (the caller's own loop runs). */
export function adamOnWasm(
  weight: tf.Variable, grad: tf.Tensor, moments: tf.Tensor | Float32Array | undefined, step: AdamStep,
): tf.Tensor | null {
  if (!SIMD.adam || tf.getBackend() !== 'wasm' || weight.dtype !== 'float32' || grad.dtype !== 'float32') return null;
  const backend = tf.backend() as unknown as WasmBackend;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const n = weight.size;
  const mv = moments instanceof tf.Tensor ? moments : tf.keep(moments ? tf.tensor1d(moments) : tf.zeros([2 * n]));
  const out = backend.makeOutput([...weight.shape], 'float32');
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const { learningRate, beta1, beta2, epsilon, bias1, bias2 } = step;
  simd.call('adam_update', at(weight), at(grad), at(mv), at(out), n, learningRate, beta1, beta2, epsilon, bias1, bias2);
  const next = tf.engine().makeTensorFromTensorInfo(out);
  weight.assign(next);
  next.dispose();
  return mv;
}
