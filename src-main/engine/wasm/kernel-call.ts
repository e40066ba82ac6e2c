// Calling the `wasm` backend's own kernels (XNNPACK) from a kernel of ours, on TensorInfos, as its
// kernels call one another: no tensors, no tape, and the caller disposes what it does not return.
import * as tf from '@tensorflow/tfjs';

export const BACKEND = 'wasm';

/** BackendWasm (tfjs-backend-wasm), reduced to what our kernels use. */
export interface WasmBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  getMemoryOffset(dataId: tf.DataId): number;
  dataIdMap: {
    get(dataId: tf.DataId): { id: number; shape: number[]; dtype: tf.DataType } | undefined;
    delete(dataId: tf.DataId): boolean;
  };
  wasm: { tfjs: { disposeData(id: number): void } };
}

export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs?: tf.NamedAttrMap;
}

/** One of our kernels: its output, or null where it does not cover the case (the stock kernel runs). */
export type WasmKernel = (args: WasmKernelArgs) => tf.TensorInfo | null;

/** Runs the wasm backend's kernel `name` (the stock one where we wrapped it); throws when it has none. */
export function runKernel(
  name: string,
  inputs: Record<string, tf.TensorInfo>,
  backend: WasmBackend,
  attrs: Record<string, unknown> = {},
): tf.TensorInfo {
  const kernel = stockKernels.get(name) ?? tf.getKernel(name, BACKEND);
  if (!kernel) throw new Error(`the '${BACKEND}' backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/** The stock kernels that ours wrap (index.ts fills it). */
export const stockKernels = new Map<string, tf.KernelConfig>();


/** Runs kernels on TensorInfos and disposes every intermediate one at the end. */
export class Scratch {
  private readonly temps: tf.TensorInfo[] = [];
  private readonly views: tf.TensorInfo[] = [];
  constructor(private readonly backend: WasmBackend) {}

  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown> = {}): tf.TensorInfo {
    const out = runKernel(name, inputs, this.backend, attrs);
    this.temps.push(out);
    return out;
  }

  /** A tensor over `base`'s memory from element `offset` on (no copy; never freed by itself). */
  view(base: tf.TensorInfo, offset: number, shape: number[]): tf.TensorInfo {
    const bytes = offset * 4;
    const out = this.backend.makeOutput(shape, base.dtype, this.backend.getMemoryOffset(base.dataId) + bytes);
    this.views.push(out);
    return out;
  }

  /** Keeps `t` (the kernel's output) out of the disposal. */
  keep(t: tf.TensorInfo): tf.TensorInfo {
    const i = this.temps.indexOf(t);
    if (i >= 0) this.temps.splice(i, 1);
    return t;
  }

  dispose(): void {
    // A view's memory belongs to its base: unregister it without freeing.
    for (const v of this.views) {
      const data = this.backend.dataIdMap.get(v.dataId);
      if (!data) continue;
      this.backend.wasm.tfjs.disposeData(data.id);
      this.backend.dataIdMap.delete(v.dataId);
    }
    for (const t of this.temps) this.backend.disposeData(t.dataId);
  }
}
