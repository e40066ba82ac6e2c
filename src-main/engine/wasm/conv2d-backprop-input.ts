// Conv2DBackpropInput for the `wasm` backend: the stock one is a scalar C++ loop (~0.5 G
// multiply-adds/s). For stride 1 the input gradient is a "full" convolution that XNNPACK's Conv2D
// runs: dx = conv(dy, W rotated 180° with in/out channels swapped), padded by k − 1 − pad.
// Strides > 1 (the gradient would need dy spread out with zeros) and NCHW: the stock kernel.
import * as tf from '@tensorflow/tfjs';
import { Scratch, type WasmKernel } from './kernel-call.js';

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
