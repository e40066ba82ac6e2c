// Three Adam steps (learning rate changing each step, as the trainer's schedule does) on seeded weights
// and gradients of the `fast` preset's shapes: the weights after them, and how many tensors were left
// behind, and how many TF.js kernels the last step ran. For comparing a fused Adam with tf.train.adam.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src-shared/random.js';

const SHAPES = [[5, 5, 1, 16], [16], [800, 10]];

export async function threeAdamSteps(makeOptimizer: () => tf.Optimizer): Promise<{ start: Float32Array[]; after: Float32Array[]; leaked: number; kernels: number }> {
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
