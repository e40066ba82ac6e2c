// Conv2DBackpropInput for the `wasm` backend: the stock one is a scalar C++ loop (~0.5 G
// multiply-adds/s). For stride 1 the input gradient is a "full" convolution that XNNPACK's Conv2D
// runs: dx = conv(dy, W rotated 180° with in/out channels swapped), padded by k − 1 − pad.
// Strides > 1 (the gradient would need dy spread out with zeros) and NCHW: the stock kernel.
// Where ci is a multiple of 4, our SIMD kernel (simd/kernels.c: input_grad) runs instead, on both cores: it
// sums only the taps that land inside dy, where the full convolution multiplies its zero padding too.
import * as tf from '@tensorflow/tfjs';
import { Scratch, type WasmBackend, type WasmKernel } from './kernel-call.js';
import { simdKernels } from './simd.js';

export const conv2dBackpropInput: WasmKernel = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (a.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const { filterHeight: kh, filterWidth: kw } = info;
  const { top, bottom, left, right } = info.padInfo;
  const simd = simdInputGrad(backend, dy, filter, info);
  if (simd) return simd;
  const s = new Scratch(backend);
  try {
    const swapped = s.run(tf.Transpose, { x: filter }, { perm: [0, 1, 3, 2] });
    const rotated = s.run(tf.Reverse, { x: swapped }, { dims: [0, 1] });
    const dx = s.run(tf.Conv2D, { x: dy, filter: rotated }, {
      strides: [1, 1],
      pad: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    });
    return s.keep(dx);
  } finally {
    s.dispose();
  }
};

/** dx by simd/kernels.c on the backend's heap, each thread over half the images; null where it does not apply. */
function simdInputGrad(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const { batchSize: batch, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw } = info;
  if (ci % 4 !== 0 || batch < 1) return null;
  const k = simdKernels(backend);
  if (!k) return null;
  const wt = backend.makeOutput([kh, kw, co, ci], 'float32');
  const dx = backend.makeOutput([batch, h, w, ci], 'float32');
  const wtp = backend.getMemoryOffset(wt.dataId);
  const dyp = backend.getMemoryOffset(dy.dataId);
  const dxp = backend.getMemoryOffset(dx.dataId);
  k.call('transpose_filter', backend.getMemoryOffset(filter.dataId), wtp, kh * kw, ci, co);
  k.split('input_grad', batch, 2, (b0, b1) =>
    [dyp, wtp, dxp, b0, b1, h, w, ci, oh, ow, co, kh, kw, info.padInfo.top, info.padInfo.left]);
  backend.disposeData(wt.dataId);
  return dx;
}
