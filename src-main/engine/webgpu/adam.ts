// Adam's update of one weight on the webgpu backend in two GPU kernels instead of TF.js's thirteen: kernel
// launches, not arithmetic, bound a training step there. The first moment m and second moment v of a weight
// are kept together in one buffer [m…, v…]: one kernel updates both from the gradient, one the weight.
import * as tf from '@tensorflow/tfjs';
import type { AdamStep } from '../adam.js';
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

/** One Adam step of `weight` (inside a tidy); returns its [m, v] variable, made on the first step. */
export function adamOnGpu(weight: tf.Variable, grad: tf.Tensor, moments: tf.Variable | undefined, step: AdamStep): tf.Variable {
  const n = weight.size;
  const mv = moments ?? tf.variable(tf.zeros([2 * n]), false); // variables outlive the tidy
  mv.assign(runProgram(momentsProgram(n), [mv, grad], [
    { type: 'float32', data: [step.beta1] }, { type: 'float32', data: [step.beta2] }, { type: 'int32', data: [n] },
  ]));
  const updated = runProgram(weightProgram(n), [weight, mv], [
    { type: 'float32', data: [step.learningRate / step.bias1] }, { type: 'float32', data: [1 / step.bias2] },
    { type: 'float32', data: [step.epsilon] },
  ]);
  weight.assign(updated.reshape(weight.shape));
  return mv;
}
