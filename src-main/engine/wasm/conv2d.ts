// Conv2D for the `wasm` backend where our SIMD kernel (simd/kernels.c: conv_forward) covers it: NHWC, float32,
// no dilation, nothing padded on the top/left, co a multiple of 4 (every preset's layers while training; their
// inference runs FusedConv2D, XNNPACK's). Two images at a time share each filter vector, half the batch on the
// helper thread. Elsewhere XNNPACK's Conv2D runs.
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';
import { simdKernels } from './simd.js';

export const conv2d: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DAttrs;
  if (a.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    a.strides, a.dilations, a.pad, a.dimRoundingMode,
  );
  const { batchSize: batch, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const inside = info.padInfo.top === 0 && info.padInfo.left === 0 && (oh - 1) * sh + kh <= h && (ow - 1) * sw + kw <= w;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || !inside || co % 4 !== 0 || batch < 1) return null;
  const k = simdKernels(backend);
  if (!k) return null;
  const y = backend.makeOutput([batch, oh, ow, co], 'float32');
  const xp = backend.getMemoryOffset(x.dataId);
  const fp = backend.getMemoryOffset(filter.dataId);
  const yp = backend.getMemoryOffset(y.dataId);
  k.split('conv_forward', batch, 2, (b0, b1) => [xp, fp, yp, b0, b1, h, w, ci, oh, ow, co, kh, kw, sh, sw]);
  return y;
};
