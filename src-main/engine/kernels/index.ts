// Fast pure-JS kernels for TF.js's `cpu` backend, registered over the stock ones.
//
// The stock CPU kernels for convolutions compute every output with a scalar loop through
// TensorBuffer.get(); training a small CNN spends most of its time in Conv2DBackpropFilter.
// These kernels use im2col + a register-blocked GEMM (gemm.ts) and NHWC-contiguous pooling.
// Each fast kernel covers the common cases (NHWC, strides 1-2, 'same'/'valid', no dilation,
// float32, bias/relu fusions) and returns null otherwise, in which case the stock kernel runs.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, fusedMatMul } from './batch-mat-mul.js';
import { conv2d, fusedConv2d } from './conv2d.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import { maxPool } from './max-pool.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { add, multiply, realDiv, sub } from './elementwise.js';
import { relu, step } from './relu.js';
import { mean } from './mean.js';
import { sum } from './sum.js';
import { startHelper } from './parallel.js';
import { KernelOverrides } from '../kernel-overrides.js';
import type { CpuKernelArgs, FastKernel } from './types.js';

const BACKEND = 'cpu';

const FAST_KERNELS: Record<string, FastKernel> = {
  Conv2D: conv2d,
  FusedConv2D: fusedConv2d,
  Conv2DBackpropFilter: conv2dBackpropFilter,
  Conv2DBackpropInput: conv2dBackpropInput,
  MaxPool: maxPool,
  MaxPoolGrad: maxPoolGrad,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Add: add,
  Sub: sub,
  Multiply: multiply,
  RealDiv: realDiv,
  Sum: sum,
  Mean: mean,
  Relu: relu,
  Step: step,
};

const overrides = new KernelOverrides<CpuKernelArgs>(BACKEND, FAST_KERNELS);

export interface FastKernelOptions {
  /**
   * Split large convolutions across a helper thread (the second core). Default: on, unless the
   * environment variable DIGIT_LAB_THREADS is 1.
   */
  threads?: boolean;
}

/**
 * Registers the fast kernels for the 'cpu' backend when it is the active backend (idempotent).
 * Returns the names of the kernels now served by fast implementations.
 */
export function registerFastKernels(options: FastKernelOptions = {}): string[] {
  if (tf.getBackend() !== BACKEND) return [];
  const threads = options.threads ?? process.env.DIGIT_LAB_THREADS !== '1';
  if (threads) void startHelper();
  return overrides.register();
}

/** Puts the stock kernels back (for comparisons in tests and the benchmark). */
export function unregisterFastKernels(): void {
  overrides.unregister();
}


export { DEFAULT_MIN_MACS, helperActive, parallelStats, setSplitPolicy, startHelper, stopHelper } from './parallel.js';
export { splitDecisions } from './split-policy.js';

/** Names of the kernels that have a fast implementation, whether registered or not. */
export const FAST_KERNEL_NAMES: readonly string[] = Object.keys(FAST_KERNELS);
