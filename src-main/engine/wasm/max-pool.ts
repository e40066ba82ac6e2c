// MaxPool for the `wasm` backend where the pool is the presets' (2×2 at stride 2, no padding, windows tiling x exactly,
// c a multiple of 4): our SIMD kernel (simd/kernels.c: max_pool_2x2), half the images on the helper thread where that
// pays. Elsewhere the stock kernel (XNNPACK).
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';
import { SIMD, simdKernels } from './simd.js';
import { poolGeometry } from '../kernels/pool-geometry.js';

export const maxPool: WasmKernel = (args) => {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const g = SIMD.maxPool && x.dtype === 'float32' ? poolGeometry(x.shape, args.attrs as Record<string, unknown>) : null;
  const tiled = g && g.fH === 2 && g.fW === 2 && g.strideH === 2 && g.strideW === 2 && g.padTop === 0 &&
    g.padLeft === 0 && g.inH === 2 * g.outH && g.inW === 2 * g.outW && g.channels % 4 === 0 && g.batch > 0;
  const simd = tiled ? simdKernels(args.backend) : null;
  if (!g || !simd) return null;
  const { backend } = args;
  const y = backend.makeOutput([g.batch, g.outH, g.outW, g.channels], 'float32');
  const xp = backend.getMemoryOffset(x.dataId);
  const yp = backend.getMemoryOffset(y.dataId);
  simd.split('max_pool_2x2', g.batch, 1, (b0, b1) => [xp, yp, b0, b1, g.outH, g.outW, g.channels]);
  return y;
};
