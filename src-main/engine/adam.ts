// Adam as tf.train.adam computes it, with each weight's update fused. TF.js's runs 13 kernels a weight, each
// making a tensor: 116 kernel calls a step for `fast` (its cost: docs/benchmarks.md). Here one
// loop updates a weight on the CPU backends (cpu and wasm, with Digit Lab's kernels on; the moments are
// Float32Arrays; on wasm with our SIMD kernels the same loop in SIMD on the heap, wasm/adam.ts, the moments a tensor
// there), two kernels on webgpu (webgpu/adam.ts); elsewhere (tfjs-node, stock kernels) TF.js's own runs.
// Same formula: w ← w − lr · m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), m and v updated first.
import * as tf from '@tensorflow/tfjs';
import { ownKernelsActive } from './kernel-overrides.js';
import { adamOnGpu } from './webgpu/adam.js';
import { adamOnWasm } from './wasm/adam.js';

/** The numbers of one Adam step: bias1 = 1 − β₁ᵗ, bias2 = 1 − β₂ᵗ. */
export interface AdamStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  bias1: number;
  bias2: number;
}

/** Where the fused update runs on the active backend, or null for TF.js's own. */
function fusedOn(): 'cpu' | 'gpu' | null {
  const backend = tf.getBackend();
  if (!ownKernelsActive(backend)) return null;
  if (backend === 'webgpu') return 'gpu';
  return backend === 'cpu' || backend === 'wasm' ? 'cpu' : null;
}

/** One Adam step of weight values `w` (in place) from gradient `g`; `mv` holds [m…, v…], updated in place. */
export function adamOnCpu(w: Float32Array, g: Float32Array, mv: Float32Array, step: AdamStep): void {
  const { learningRate: lr, beta1, beta2, epsilon, bias1, bias2 } = step;
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const m = (mv[i] = beta1 * mv[i] + (1 - beta1) * gi);
    const v = (mv[n + i] = beta2 * mv[n + i] + (1 - beta2) * gi * gi);
    w[i] -= (lr * (m / bias1)) / (Math.sqrt(v / bias2) + epsilon);
  }
}

/** tf.train.adam's optimizer (by default β₁ 0.9, β₂ 0.999), its update fused where Digit Lab's kernels serve the backend. */
export class FusedAdam extends tf.AdamOptimizer {
  /** Each weight's [m…, v…], by weight name: a Float32Array on the CPU backends, a tensor on the wasm heap (our SIMD
   *  kernels), a variable on webgpu. */
  private readonly moments = new Map<string, Float32Array | tf.Tensor>();
  private steps = 0;

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999) {
    super(learningRate, beta1, beta2);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const on = fusedOn();
    if (!on) return super.applyGradients(variableGradients);
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    this.steps++;
    const step: AdamStep = {
      learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon,
      bias1: 1 - this.beta1 ** this.steps, bias2: 1 - this.beta2 ** this.steps,
    };
    tf.tidy(() => {
      for (const { name, tensor: grad } of list) {
        const weight = tf.engine().registeredVariables[name];
        if (!grad || !weight || grad.dtype !== 'float32') continue;
        const moments = this.moments.get(name);
        if (on === 'gpu') {
          this.moments.set(name, adamOnGpu(weight, grad, moments instanceof tf.Variable ? moments : undefined, step));
          continue;
        }
        const onHeap = adamOnWasm(weight, grad, moments instanceof tf.Variable ? undefined : moments, step);
        if (onHeap) {
          this.moments.set(name, onHeap);
          continue;
        }
        const mv = moments instanceof Float32Array ? moments : new Float32Array(2 * weight.size);
        if (moments instanceof tf.Tensor && !(moments instanceof tf.Variable)) { // from the heap path (switched off since)
          mv.set(moments.dataSync());
          moments.dispose();
        }
        this.moments.set(name, mv);
        const w = (weight.dataSync() as Float32Array).slice(); // the cpu backend hands out its own array
        adamOnCpu(w, grad.dataSync() as Float32Array, mv, step);
        weight.assign(tf.tensor(w, weight.shape));
      }
    });
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([...this.moments.values()].filter((m): m is tf.Tensor => m instanceof tf.Tensor));
    this.moments.clear();
  }
}
