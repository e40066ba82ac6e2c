// Digit Lab's own kernels for TF.js's webgpu backend, registered over the stock ones; each returns
// null for cases it does not cover, and the stock kernel runs instead.
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilter } from './filter-grad.js';

const BACKEND = 'webgpu';

type WebGpuKernel = (args: never) => tf.TensorInfo | null;

const KERNELS: Record<string, WebGpuKernel> = {
  Conv2DBackpropFilter: conv2dBackpropFilter,
};

const stock = new Map<string, tf.KernelConfig>();

/** Register the kernels (idempotent); returns the names now served by ours. */
export function registerWebGpuKernels(): string[] {
  for (const [name, ours] of Object.entries(KERNELS)) {
    if (stock.has(name)) continue;
    const original = tf.getKernel(name, BACKEND);
    if (!original) continue;
    stock.set(name, original);
    const kernelFunc = ((args: never) => ours(args) ?? original.kernelFunc(args)) as tf.KernelFunc;
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ ...original, kernelFunc });
  }
  return [...stock.keys()];
}

/** Put the stock kernels back (numerics comparisons in tests and benchmarks). */
export function unregisterWebGpuKernels(): void {
  for (const [name, original] of stock) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(original);
  }
  stock.clear();
}
