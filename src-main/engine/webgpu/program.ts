// A one-thread-per-element WebGPU program of our own, and running one on the webgpu backend (Adam's
// update in adam.ts, dropout's mask in dropout.ts).
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const WORKGROUP = 64;

/** One thread per output element; `body` sets output `index` (of `uniforms.size`) from the inputs. */
export class ElementwiseProgram implements WebGPUProgram {
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];

  /** `helpers`: WGSL functions the body calls. */
  constructor(
    length: number,
    readonly variableNames: string[],
    readonly uniforms: string,
    readonly shaderKey: string,
    private readonly body: string,
    private readonly helpers = '',
  ) {
    this.outputShape = [length];
    this.dispatch = [Math.ceil(length / WORKGROUP), 1, 1];
  }

  getUserCode(): string {
    return `${this.helpers}
      fn main(index : i32) { if (index < uniforms.size) { ${this.body} } }`;
  }
}

export type Uniform = { type: 'float32' | 'int32' | 'uint32'; data: number[] };

/** Run `program` on the webgpu backend (the active one): its float32 output as a tensor. */
export function runProgram(program: WebGPUProgram, inputs: tf.Tensor[], uniforms: Uniform[]): tf.Tensor {
  const backend = tf.backend() as WebGPUBackend;
  return tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(program, inputs, 'float32', uniforms));
}
