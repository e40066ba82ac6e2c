// Digit Lab's `wasm` CPU path: tfjs-backend-wasm (XNNPACK, SIMD, both cores: load.ts) plus our
// kernels for what it lacks or runs as scalar loops when training our presets. Each of ours
// that wraps a stock kernel returns null where it does not cover the case, and the stock one runs.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, fusedMatMul } from './batch-mat-mul.js';
import { clipByValue } from './clip-by-value.js';
import { tile } from './tile.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2d } from './conv2d.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import { BACKEND, stockKernels, type WasmBackend, type WasmKernel, type WasmKernelArgs } from './kernel-call.js';
import { loadWasmBackend, type WasmLoad } from './load.js';
import { maxPoolGrad } from '../kernels/max-pool-grad.js';
import { sum } from '../kernels/sum.js';
import { mean } from '../kernels/mean.js';
import { add, multiply, realDiv, sub } from '../kernels/elementwise.js';
import { broadcastOnWasmHeap, onWasmHeap } from './js-on-heap.js';
import { withSimdBiasAdd } from './bias-add.js';
import { withSimdMaxPoolGrad } from './max-pool-grad.js';
import { identity } from './identity.js';
import { maxPool } from './max-pool.js';
import { installReluGradient, relu, RELU_GRAD, reluGrad } from './relu.js';
import { softmax } from './softmax.js';
import { withSimdSum } from './sum.js';
import { batchNormForward, batchNormGrad, batchNormStats } from './batch-norm.js';
import { BATCH_NORM, BATCH_NORM_GRAD, BATCH_NORM_STATS } from '../batch-norm.js';
import { noteStockFallback, setOwnKernels } from '../kernel-overrides.js';
import { startSimd } from './simd.js';

/** Kernels the wasm backend lacks. */
const ADDED: Record<string, (args: WasmKernelArgs) => tf.TensorInfo | tf.TensorInfo[]> = {
  [tf.Conv2DBackpropFilter]: conv2dBackpropFilter,
  [RELU_GRAD]: reluGrad,
  [BATCH_NORM_STATS]: batchNormStats,
  [BATCH_NORM]: batchNormForward,
  [BATCH_NORM_GRAD]: batchNormGrad,
};

/** Kernels that replace stock ones where they cover the case. */
const REPLACED: Record<string, WasmKernel> = {
  [tf.Conv2D]: conv2d,
  [tf.Conv2DBackpropInput]: conv2dBackpropInput,
  [tf.BatchMatMul]: batchMatMul,
  [tf._FusedMatMul]: fusedMatMul,
  [tf.MaxPoolGrad]: withSimdMaxPoolGrad(onWasmHeap(maxPoolGrad)),
  [tf.Sum]: withSimdSum(onWasmHeap(sum)),
  [tf.Mean]: onWasmHeap(mean),
  [tf.MaxPool]: maxPool,
  [tf.Relu]: relu,
  [tf.Add]: withSimdBiasAdd(broadcastOnWasmHeap(add)),
  [tf.Sub]: broadcastOnWasmHeap(sub),
  [tf.Multiply]: broadcastOnWasmHeap(multiply),
  [tf.RealDiv]: broadcastOnWasmHeap(realDiv),
  [tf.ClipByValue]: clipByValue,
  [tf.Tile]: tile,
  [tf.Identity]: identity,
  [tf.Softmax]: softmax,
};

/** Names of the kernels we add to, or replace in, the wasm backend. */
export const WASM_KERNEL_NAMES: readonly string[] = [...Object.keys(ADDED), ...Object.keys(REPLACED)];

/** Registers our kernels for 'wasm' (idempotent). */
export function registerWasmKernels(): void {
  for (const [kernelName, fn] of Object.entries(ADDED)) {
    if (!tf.getKernel(kernelName, BACKEND)) {
      tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc: fn as unknown as tf.KernelFunc });
    }
  }
  for (const [kernelName, fn] of Object.entries(REPLACED)) {
    const original = tf.getKernel(kernelName, BACKEND);
    if (!original || stockKernels.has(kernelName)) continue;
    stockKernels.set(kernelName, original);
    const kernelFunc = ((args: WasmKernelArgs) => fn(args) ?? (noteStockFallback(kernelName), original.kernelFunc(args as never))) as tf.KernelFunc;
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel({ ...original, kernelFunc });
  }
  installReluGradient(); // RELU_GRAD on the backends that have it, TF.js's own gradient elsewhere
  setOwnKernels(BACKEND, true, WASM_KERNEL_NAMES);
}

/** Puts the stock kernels back and removes the added ones (for comparisons in tests and benchmarks). */
export function unregisterWasmKernels(): void {
  for (const [kernelName, original] of stockKernels) {
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel(original);
  }
  stockKernels.clear();
  for (const kernelName of Object.keys(ADDED)) {
    if (tf.getKernel(kernelName, BACKEND)) tf.unregisterKernel(kernelName, BACKEND);
  }
  setOwnKernels(BACKEND, false);
}

/** Loads the wasm backend, adds our kernels and makes it the active backend. */
export async function startWasm(threads?: number): Promise<WasmLoad> {
  const load = await loadWasmBackend(threads);
  registerWasmKernels();
  await startSimd(tf.backend() as unknown as WasmBackend);
  return load;
}

export { wantedThreads, WASM_FILES, type WasmLoad } from './load.js';
