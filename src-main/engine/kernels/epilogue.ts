// Bias and activation applied in place to a row-major rows×n output (NHWC: n = channels last).
import type { CpuBackend } from './types.js';
import { float32Values } from './types.js';
import type * as tf from '@tensorflow/tfjs';

export type Activation = 'linear' | 'relu';

/** The activations fused here; others (relu6, elu, prelu, leakyrelu, sigmoid) run the stock kernel. */
export function fusableActivation(name: unknown): Activation | null {
  if (name === undefined || name === null || name === 'linear') return 'linear';
  return name === 'relu' ? 'relu' : null;
}

/**
 * The bias values when the bias is a 1-D tensor of n (one per output channel) or a single value;
 * undefined when there is no bias; null when its shape is one this code does not broadcast.
 */
export function biasValues(
  backend: CpuBackend,
  bias: tf.TensorInfo | null | undefined,
  n: number,
): Float32Array | undefined | null {
  if (bias == null) return undefined;
  const size = bias.shape.reduce((a, b) => a * b, 1);
  const lastMatches = bias.shape.length === 1 && bias.shape[0] === n;
  if (!lastMatches && size !== 1) return null;
  const values = float32Values(backend, bias);
  if (values === null) return null;
  if (size === 1) return new Float32Array(n).fill(values[0]);
  return values;
}

export function applyBiasActivation(
  y: Float32Array,
  n: number,
  bias: Float32Array | undefined,
  activation: Activation,
): void {
  if (bias) {
    for (let o = 0; o < y.length; o += n) {
      for (let j = 0; j < n; j++) y[o + j] += bias[j];
    }
  }
  if (activation === 'relu') {
    for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
  }
}
