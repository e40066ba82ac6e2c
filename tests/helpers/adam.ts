// Three Adam steps (learning rate changing each step, as the trainer's schedule does) on seeded weights
// and gradients of the `fast` preset's shapes: the weights after them, and how many tensors were left
// behind, and how many TF.js kernels the last step ran. For comparing a fused Adam with tf.train.adam.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { FusedAdam } from '../../src-main/engine/adam.js';
import { mulberry32 } from '../../src-shared/random.js';
import { relError } from './stats.js';

const SHAPES = [[5, 5, 1, 16], [16], [800, 10]];

async function threeAdamSteps(makeOptimizer: () => tf.Optimizer): Promise<{ start: Float32Array[]; after: Float32Array[]; leaked: number; kernels: number }> {
  const rng = mulberry32(5);
  const start = SHAPES.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng() - 0.5));
  const grads = [0, 1, 2].map(() => SHAPES.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => (rng() - 0.5) * 0.1)));
  const before = tf.memory().numTensors;
  const optimizer = makeOptimizer();
  const vars = SHAPES.map((shape, i) => tf.tidy(() => tf.variable(tf.tensor(start[i], shape))));
  let kernels = 0;
  for (const [step, g] of grads.entries()) {
    (optimizer as unknown as { learningRate: number }).learningRate = 0.01 / (step + 1);
    const map = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(g[i], SHAPES[i])]));
    kernels = (await tf.profile(() => optimizer.applyGradients(map))).kernels.length;
    tf.dispose(Object.values(map));
  }
  const after = (await Promise.all(vars.map((v) => v.data()))) as Float32Array[];
  tf.dispose(vars);
  optimizer.dispose();
  return { start, after, leaked: tf.memory().numTensors - before, kernels };
}

/**
 * Three steps of FusedAdam and of tf.train.adam on the active backend: ours must give the same weights
 * (within 1e-5), move every weight and leave no tensor behind. `cpuLoop` (cpu, wasm): ours runs no TF.js
 * kernel at all, where TF.js runs 13 or more a weight.
 */
export async function expectFusedAdamAsTfAdam({ cpuLoop = false } = {}): Promise<void> {
  const ours = await threeAdamSteps(() => new FusedAdam(0.01));
  const stock = await threeAdamSteps(() => tf.train.adam(0.01));
  expect(ours.leaked).toBe(0);
  ours.after.forEach((w, i) => expect(relError(stock.after[i], w), `weight ${i}`).toBeLessThan(1e-5));
  ours.after.forEach((w, i) => expect(relError(ours.start[i], w), `weight ${i} moved`).toBeGreaterThan(1e-3));
  if (cpuLoop) {
    expect(ours.kernels).toBe(0);
    expect(stock.kernels).toBeGreaterThanOrEqual(13 * SHAPES.length);
  }
}
