// Adam for the webgpu backend in two GPU kernels per weight instead of TF.js's thirteen: kernel launches,
// not arithmetic, bound a training step there. The first moment m and second moment v of a weight are
// kept together in one buffer [m…, v…]: one kernel updates both from the gradient, one updates the weight.
// Same formula as tf.train.adam: w ← w − lr · m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).
import * as tf from '@tensorflow/tfjs';
import { ownWebGpuKernels } from './kernels.js';
import { ElementwiseProgram, runProgram } from './program.js';

/** [m, v] (2n) from the old [m, v] and the gradient (n). */
const momentsProgram = (n: number) =>
  new ElementwiseProgram(2 * n, ['moments', 'grad'], 'beta1 : f32, beta2 : f32, n : i32,', 'digitLabAdamMoments', `
    if (index < uniforms.n) {
      setOutputAtIndex(index, uniforms.beta1 * moments[index] + (1.0 - uniforms.beta1) * grad[index]);
    } else {
      let g = grad[index - uniforms.n];
      setOutputAtIndex(index, uniforms.beta2 * moments[index] + (1.0 - uniforms.beta2) * g * g);
    }`);

/** The new weight (n) from the weight and the updated [m, v]. */
const weightProgram = (n: number) =>
  new ElementwiseProgram(n, ['weight', 'moments'], 'stepSize : f32, vScale : f32, epsilon : f32,', 'digitLabAdamWeight', `
    let m = moments[index];
    let v = moments[index + uniforms.size];
    setOutputAtIndex(index, weight[index] - uniforms.stepSize * m / (sqrt(v * uniforms.vScale) + uniforms.epsilon));`);

/** tf.train.adam's optimizer; on the webgpu backend its update runs as two kernels per weight. */
export class WebGpuAdam extends tf.AdamOptimizer {
  private moments: (tf.Variable | undefined)[] = [];
  private steps = 0;

  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getBackend() !== 'webgpu' || !ownWebGpuKernels()) return super.applyGradients(variableGradients);
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    this.steps++;
    const stepSize = this.learningRate / (1 - this.beta1 ** this.steps);
    const vScale = 1 / (1 - this.beta2 ** this.steps);
    tf.tidy(() => {
      list.forEach(({ name, tensor: grad }, i) => {
        const weight = tf.engine().registeredVariables[name];
        if (!grad || !weight || grad.dtype !== 'float32') return;
        const n = weight.size;
        const moments = (this.moments[i] ??= tf.variable(tf.zeros([2 * n]), false));
        moments.assign(runProgram(momentsProgram(n), [moments, grad], [
          { type: 'float32', data: [this.beta1] }, { type: 'float32', data: [this.beta2] }, { type: 'int32', data: [n] },
        ]));
        const updated = runProgram(weightProgram(n), [weight, moments], [
          { type: 'float32', data: [stepSize] }, { type: 'float32', data: [vScale] }, { type: 'float32', data: [this.epsilon] },
        ]);
        weight.assign(updated.reshape(weight.shape));
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    tf.dispose(this.moments.filter((m): m is tf.Variable => m !== undefined));
    this.moments = [];
  }
}
