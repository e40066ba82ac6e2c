// The small slice of TF.js's CPU backend that the fast kernels use, typed for strict TS.
import type * as tf from '@tensorflow/tfjs';

/** What a CPU kernel receives: input tensors' handles, the backend that owns their data, attrs. */
export interface CpuKernelArgs {
  inputs: Record<string, tf.TensorInfo | null | undefined>;
  backend: CpuBackend;
  attrs?: Record<string, unknown>;
}

/** MathBackendCPU, reduced to what is read and written here. */
export interface CpuBackend {
  data: { get(dataId: unknown): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

/** A fast kernel returns its output, or null when it does not cover the case (the stock kernel runs). */
export type FastKernel = (args: CpuKernelArgs) => tf.TensorInfo | null;

/** The float32 values behind a tensor, or null (other dtype, complex, not on this backend). */
export function float32Values(backend: CpuBackend, t: tf.TensorInfo | null | undefined): Float32Array | null {
  if (t == null || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : null;
}
