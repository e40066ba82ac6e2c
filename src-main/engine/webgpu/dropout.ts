// Dropout whose random mask is made on the GPU. TF.js draws dropout's uniform numbers on the CPU
// (tf.randomUniform) and uploads them at every step — at batch 512 through `fast`, 327 680 numbers a
// step — then turns them into a mask with three more kernels. Here one kernel hashes (seed, element) into
// the mask: keep with probability 1 − rate, and scale what is kept by 1 / (1 − rate), as tf.dropout does.
// The layer saves as Keras' and TF.js's `Dropout` and behaves as it does off the GPU and in inference.
import * as tf from '@tensorflow/tfjs';
import { ownKernelsActive } from '../kernel-overrides.js';
import { ElementwiseProgram, runProgram } from './program.js';

/** PCG hash (Jarzynski & Olano, "Hash functions for GPU rendering", 2020). */
const PCG_HASH = `
  fn pcgHash(v : u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
  }`;

const maskProgram = (n: number) =>
  new ElementwiseProgram(n, [], 'seed : u32, keep : f32,', 'digitLabDropoutMask', `
    let u = f32(pcgHash(u32(index) ^ pcgHash(uniforms.seed)) >> 8u) / 16777216.0;
    setOutputAtIndex(index, select(0.0, 1.0 / uniforms.keep, u < uniforms.keep));`, PCG_HASH);

/** A dropout multiplier of `n` elements (webgpu backend): 1 / (1 − rate) with probability 1 − rate, else 0. */
export function dropoutMask(n: number, rate: number, seed: number): tf.Tensor1D {
  return runProgram(maskProgram(n), [], [{ type: 'uint32', data: [seed >>> 0] }, { type: 'float32', data: [1 - rate] }]) as tf.Tensor1D;
}

type Dropout = ReturnType<typeof tf.layers.dropout>;
type DropoutArgs = Parameters<typeof tf.layers.dropout>[0];
type Kwargs = Parameters<Dropout['call']>[1];
const [StockDropout] = tf.serialization.SerializationMap.getMap().classNameMap.Dropout as unknown as [new (args: DropoutArgs) => Dropout];

/** tf.layers.dropout, with its mask made on the GPU while training on the webgpu backend. */
export class DeviceDropout extends StockDropout {
  /** The rate when the GPU mask applies (no noise shape, 0 < rate < 1), else undefined. */
  private readonly gpuRate: number | undefined;

  constructor(args: DropoutArgs) {
    super(args);
    this.gpuRate = args.noiseShape == null && args.rate > 0 && args.rate < 1 ? args.rate : undefined;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const rate = this.gpuRate;
    if (!kwargs.training || rate === undefined || tf.getBackend() !== 'webgpu' || !ownKernelsActive()) return super.call(inputs, kwargs);
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, dropoutMask(x.size, rate, Math.random() * 2 ** 32).reshape(x.shape)));
  }
}
