// Geometry of a 2-D max pool in NHWC layout: x [batch, inH, inW, C] → y [batch, outH, outW, C].
import * as tf from '@tensorflow/tfjs';

export interface PoolGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  fH: number;
  fW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** Pools the fast kernels cover: 'same' or 'valid' padding, no dilation. */
export function poolGeometry(xShape: number[], attrs: Record<string, unknown> | undefined): PoolGeometry | null {
  if (!attrs || xShape.length !== 4) return null;
  if (attrs.pad !== 'same' && attrs.pad !== 'valid') return null;
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    channels: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    fH: info.filterHeight,
    fW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * For each output value, the flat index in x of the maximum of its window (the first one in
 * row-major window order on ties, like the stock kernel), or -1 when the window holds no value
 * greater than -Infinity. Also fills y with the maxima when given.
 */
export function maxPoolArgmax(x: Float32Array, g: PoolGeometry, y?: Float32Array): Int32Array {
  const C = g.channels;
  const argmax = new Int32Array(g.batch * g.outH * g.outW * C);
  const best = new Float64Array(C);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const y0 = oy * g.strideH - g.padTop;
      const yMin = Math.max(0, y0);
      const yMax = Math.min(g.inH, y0 + g.fH);
      for (let ox = 0; ox < g.outW; ox++, o += C) {
        const x0 = ox * g.strideW - g.padLeft;
        const xMin = Math.max(0, x0);
        const xMax = Math.min(g.inW, x0 + g.fW);
        best.fill(-Infinity);
        argmax.fill(-1, o, o + C);
        // Channels innermost: each window pixel is C contiguous values.
        for (let iy = yMin; iy < yMax; iy++) {
          for (let ix = xMin; ix < xMax; ix++) {
            const src = ((b * g.inH + iy) * g.inW + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[src + c];
              if (v > best[c]) {
                best[c] = v;
                argmax[o + c] = src + c;
              }
            }
          }
        }
        if (y) for (let c = 0; c < C; c++) y[o + c] = best[c];
      }
    }
  }
  return argmax;
}
