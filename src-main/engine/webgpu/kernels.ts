// Digit Lab's own kernels for TF.js's webgpu backend, registered over the stock ones (each returns null
// for cases it does not cover, and the stock kernel runs instead).
import { KernelOverrides } from '../kernel-overrides.js';
import { conv2dBackpropFilter, type FilterGradArgs } from './filter-grad.js';

const overrides = new KernelOverrides<FilterGradArgs>('webgpu', { Conv2DBackpropFilter: conv2dBackpropFilter });

/** Register the kernels (idempotent); returns the names now served by ours. */
export function registerWebGpuKernels(): string[] {
  return overrides.register();
}

/** Put the stock kernels back (numerics comparisons in tests, --stock-kernels in the GPU check). */
export function unregisterWebGpuKernels(): void {
  overrides.unregister();
}
