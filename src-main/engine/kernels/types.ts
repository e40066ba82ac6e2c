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
  /** Where the output can be written in place (the wasm heap, wasm/js-on-heap.ts): a new float32 tensor
   *  and its values. Allocating may grow the heap: input views taken before are stale. */
  writableOutput?(shape: number[]): { info: tf.TensorInfo; values: Float32Array };
}

/**
 * A float32 output of `shape` to fill, and the tensor it becomes. On the wasm heap it is written in place:
 * a fresh multi-megabyte Float32Array pays a page fault per 4 KiB page on its first write, then a copy.
 * Its values are not zeroed. Read the inputs' views
 * after this call (`float32Values` again): the heap may have grown.
 */
export function newOutput(backend: CpuBackend, shape: number[]): { values: Float32Array; tensor(): tf.TensorInfo } {
  if (backend.writableOutput) {
    const { info, values } = backend.writableOutput(shape);
    return { values, tensor: () => info };
  }
  const values = new Float32Array(shape.reduce((s, d) => s * d, 1));
  return { values, tensor: () => backend.makeTensorInfo(shape, 'float32', values) };
}

/** A fast kernel returns its output, or null when it does not cover the case (the stock kernel runs). */
export type FastKernel = (args: CpuKernelArgs) => tf.TensorInfo | null;

/** The float32 values behind a tensor, or null (other dtype, complex, not on this backend). */
export function float32Values(backend: CpuBackend, t: tf.TensorInfo | null | undefined): Float32Array | null {
  if (t == null || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : null;
}
