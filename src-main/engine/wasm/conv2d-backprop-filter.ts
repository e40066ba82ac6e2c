// Conv2DBackpropFilter for the `wasm` backend, which does not have it (tfjs-backend-wasm 4.22).
// The weight gradient is itself a convolution, so XNNPACK's own Conv2D computes it:
//   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − pad, ow·s + kw − pad, ci] · dy[b, oh, ow, co]
// is a stride-1 convolution of x' = x transposed to [ci, h, w, b] (channels ci become the batch,
// the batch b becomes the channels) with the filter f' = dy transposed to [oh, ow, b, co], dilated
// by the original stride, with the original top/left padding. Its output [ci, kh', kw', co] is cut
// to [ci, kh, kw, co] (kh' > kh when the stride does not divide the input) and transposed back.
// That GEMM's inner dimension is oh·ow·batch (73 728 for a 24×24 output at batch 128): XNNPACK
// streams the whole packed filter f' once per tile of output rows, so a large f' is cut into batch
// chunks whose part of f' stays in cache, and the chunks' results are added. bench/kernels.ts --wasm
// times both ways: chunks pay for seed's 26×26×32→64 dW; fast's first layer (4.7 MB) is fastest whole.
// Where nothing is padded on the top/left and co is a multiple of 4 (every preset), our SIMD kernel
// (simd/kernels.c: filter_grad) runs instead, on both cores, with no transposes.

import * as tf from '@tensorflow/tfjs';
import { BACKEND, Scratch, type WasmBackend, type WasmKernelArgs } from './kernel-call.js';
import { simdKernels } from './simd.js';

/** Chunking: f' above `minBytes` is cut into chunks of about `bytes` each. */
export const CHUNKING = { bytes: 2 << 20, minBytes: 6 << 20 };

/** How many images per chunk for a batch whose dy is [batch, oh, ow, co]. */
export function chunkImages(batch: number, oh: number, ow: number, co: number): number {
  const total = batch * oh * ow * co * 4;
  if (total <= CHUNKING.minBytes) return batch;
  const chunks = Math.min(batch, Math.max(1, Math.round(total / CHUNKING.bytes)));
  return Math.ceil(batch / chunks);
}

export function conv2dBackpropFilter({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (a.dataFormat === 'NCHW') throw new Error(`${tf.Conv2DBackpropFilter} on '${BACKEND}': NCHW is not supported`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode,
  );
  const { batchSize, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const simd = simdFilterGrad(backend, x, dy, info);
  if (simd) return simd;
  // Bottom/right padding so that the output covers kh × kw (never negative: extra rows are cut).
  const bottom = Math.max(0, kh + (oh - 1) * sh - h - top);
  const right = Math.max(0, kw + (ow - 1) * sw - w - left);
  const convAttrs = {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [sh, sw],
  };
  const chunk = chunkImages(batchSize, oh, ow, co);

  const s = new Scratch(backend);
  try {
    let sum: tf.TensorInfo | null = null;
    for (let b0 = 0; b0 < batchSize; b0 += chunk) {
      const n = Math.min(chunk, batchSize - b0);
      // NHWC: images b0 … b0+n are contiguous in x and in dy.
      const xs = n === batchSize ? x : s.view(x, b0 * h * w * ci, [n, h, w, ci]);
      const dys = n === batchSize ? dy : s.view(dy, b0 * oh * ow * co, [n, oh, ow, co]);
      const xT = s.run(tf.Transpose, { x: xs }, { perm: [3, 1, 2, 0] });
      const dyT = s.run(tf.Transpose, { x: dys }, { perm: [1, 2, 0, 3] });
      const part = s.run(tf.Conv2D, { x: xT, filter: dyT }, convAttrs);
      sum = sum ? s.run(tf.Add, { a: sum, b: part }) : part;
    }
    let dW = sum!;
    if (dW.shape[1] !== kh || dW.shape[2] !== kw) {
      dW = s.run(tf.Slice, { x: dW }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    }
    return s.keep(s.run(tf.Transpose, { x: dW }, { perm: [1, 2, 0, 3] }));
  } finally {
    s.dispose();
  }
}

/** dW by simd/kernels.c on the backend's heap, each thread over half the images; null where it does not apply. */
function simdFilterGrad(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const { batchSize: batch, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const inside = info.padInfo.top === 0 && info.padInfo.left === 0 && (oh - 1) * sh + kh <= h && (ow - 1) * sw + kw <= w;
  if (!inside || co % 4 !== 0 || batch < 1 || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const k = simdKernels(backend);
  if (!k) return null;
  const shape = [kh, kw, ci, co];
  const out = backend.makeOutput(shape, 'float32');
  const part = k.helperReady() && batch > 1 ? backend.makeOutput(shape, 'float32') : null;
  const xp = backend.getMemoryOffset(x.dataId);
  const dyp = backend.getMemoryOffset(dy.dataId);
  const outp = backend.getMemoryOffset(out.dataId);
  const partp = part ? backend.getMemoryOffset(part.dataId) : outp;
  const halves = k.split('filter_grad', batch, 1, (b0, b1, half) =>
    [xp, dyp, half ? partp : outp, b0, b1, h, w, ci, oh, ow, co, kh, kw, sh, sw]);
  if (halves) {
    const heap = k.heapF32();
    const n = kh * kw * ci * co;
    const o = outp / 4;
    const q = partp / 4;
    for (let i = 0; i < n; i++) heap[o + i] += heap[q + i];
  }
  if (part) backend.disposeData(part.dataId);
  return out;
}
