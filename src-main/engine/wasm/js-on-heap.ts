// Runs one of the JS kernels (kernels/, written for the `cpu` backend) on the wasm backend's heap:
// its inputs are read in place; its output is written in place (newOutput) or copied into a new wasm tensor. For loops that the
// stock wasm kernels run badly (a reduction over leading axes, pooling gradients, broadcasting).
import * as tf from '@tensorflow/tfjs';
import type { CpuBackend, FastKernel } from '../kernels/types.js';
import type { WasmKernel } from './kernel-call.js';
import { isRowBroadcast } from '../kernels/elementwise.js';
import { SIMD } from './simd.js';

export function onWasmHeap(kernel: FastKernel): WasmKernel {
  return ({ inputs, backend, attrs }) => {
    const cpu: CpuBackend = {
      data: {
        get(dataId: unknown) {
          const d = backend.dataIdMap.get(dataId as tf.DataId);
          if (!d || d.dtype !== 'float32') return {};
          return { values: backend.typedArrayFromHeap({ dataId: dataId as tf.DataId, shape: d.shape, dtype: d.dtype }) };
        },
      },
      writableOutput(shape) {
        const info = backend.makeOutput(shape, 'float32');
        return { info, values: backend.typedArrayFromHeap(info) as Float32Array };
      },
      makeTensorInfo(shape, dtype, values) {
        // The inputs' views are not read after this point: allocating may grow (and detach) the heap.
        const out = backend.makeOutput(shape, dtype);
        (backend.typedArrayFromHeap(out) as Float32Array).set(values);
        return out;
      },
    };
    return kernel({ inputs, backend: cpu, attrs: attrs as Record<string, unknown> });
  };
}

/**
 * A binary element-wise JS kernel for the broadcasting cases only (a bias over the channels, a
 * scalar): the stock wasm kernels map every element's index through the broadcast (slower than the JS
 * loop on [128, 24, 24, 16] + [16]); equal shapes stay with XNNPACK (far faster than JS).
 */
export function broadcastOnWasmHeap(kernel: FastKernel): WasmKernel {
  const onHeap = onWasmHeap(kernel);
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) return null;
    if (!SIMD.rowBroadcast && isRowBroadcast(a.shape, b.shape)) return null;
    return onHeap(args);
  };
}
