// Conv2DBackpropFilter for TF.js's webgpu backend, with the reduction split across threads ("split-K").
//
// The stock kernel (tfjs-backend-webgpu's Conv2DDerFilterProgram) runs one GPU thread per filter
// weight, each looping serially over batch × output rows × output columns: for the `fast` preset's
// first layer (5×5×1×16) that is 400 threads of 73 728 multiply-adds each at batch 128, and it took
// most of a training step's GPU time. Here the positions are cut into `splits` chunks and one thread
// sums one chunk for one weight (neighbouring threads: neighbouring weights, so they read
// neighbouring gradient values); the backend's own Sum then adds the chunks up.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** Enough threads to fill a large GPU; each still sums at least MIN_CHUNK positions. */
const TARGET_THREADS = 1 << 17;
const MIN_CHUNK = 32;

export function filterGradSplits(weights: number, positions: number): number {
  return Math.max(1, Math.min(Math.ceil(TARGET_THREADS / weights), Math.floor(positions / MIN_CHUNK)));
}

export class FilterGradProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, outHeight : i32, outWidth : i32, inHeight : i32, inWidth : i32, ' +
    'inChannels : i32, outChannels : i32, filterWidth : i32, weights : i32, splits : i32, chunk : i32, positions : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  shaderKey = 'digitLabFilterGradSplitK';

  /** Output: [weights, splits] partial sums. */
  constructor(weights: number, splits: number) {
    this.outputShape = [weights, splits];
    this.dispatch = [Math.ceil((weights * splits) / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) {
          return;
        }
        let w = index % uniforms.weights;
        let s = index / uniforms.weights;
        // w → filter row, column, in channel, out channel
        let d2 = w % uniforms.outChannels;
        let t = w / uniforms.outChannels;
        let d1 = t % uniforms.inChannels;
        let wC = (t / uniforms.inChannels) % uniforms.filterWidth;
        let wR = (t / uniforms.inChannels) / uniforms.filterWidth;
        let start = s * uniforms.chunk;
        let end = min(start + uniforms.chunk, uniforms.positions);
        var acc = 0.0;
        // position p = (b, yR, yC), stepped with counters (no division in the loop)
        var yC = start % uniforms.outWidth;
        var yR = (start / uniforms.outWidth) % uniforms.outHeight;
        var b = (start / uniforms.outWidth) / uniforms.outHeight;
        for (var p = start; p < end; p = p + 1) {
          let xR = wR + yR * uniforms.strides[0] - uniforms.pads[0];
          let xC = wC + yC * uniforms.strides[1] - uniforms.pads[1];
          if (xR >= 0 && xR < uniforms.inHeight && xC >= 0 && xC < uniforms.inWidth) {
            acc = acc + x[((b * uniforms.inHeight + xR) * uniforms.inWidth + xC) * uniforms.inChannels + d1] *
              dy[p * uniforms.outChannels + d2];
          }
          yC = yC + 1;
          if (yC == uniforms.outWidth) {
            yC = 0;
            yR = yR + 1;
            if (yR == uniforms.outHeight) {
              yR = 0;
              b = b + 1;
            }
          }
        }
        setOutputAtIndex(w * uniforms.splits + s, acc);
      }
    `;
  }
}

export type FilterGradArgs = {
  inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
  backend: WebGPUBackend;
  attrs: { strides: number | [number, number]; pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
};

/** The weight gradient for NHWC float32 inputs; null for anything else (the stock kernel runs). */
export function conv2dBackpropFilter({ inputs, backend, attrs }: FilterGradArgs): tf.TensorInfo | null {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  const weights = filterShape.reduce((a, b) => a * b, 1);
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const splits = filterGradSplits(weights, positions);
  const uniforms = [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    ...[info.outHeight, info.outWidth, info.inHeight, info.inWidth, info.inChannels, info.outChannels, info.filterWidth,
      weights, splits, Math.ceil(positions / splits), positions].map((v) => ({ type: 'int32', data: [v] })),
  ];
  const partial = backend.runWebGPUProgram(new FilterGradProgram(weights, splits), [x, dy], 'float32', uniforms);
  const kernel = (name: string) => tf.getKernel(name, 'webgpu')!.kernelFunc as unknown as (args: object) => tf.TensorInfo;
  const summed = splits > 1 ? kernel('Sum')({ inputs: { x: partial }, backend, attrs: { axis: [1], keepDims: false } }) : partial;
  const result = kernel('Reshape')({ inputs: { x: summed }, backend, attrs: { shape: filterShape } });
  backend.disposeData(partial.dataId);
  if (summed !== partial) backend.disposeData(summed.dataId);
  return result;
}
