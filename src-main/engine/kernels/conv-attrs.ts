// From a TF.js conv kernel's attrs to the plain ConvGeometry the arithmetic uses (conv-geometry.ts),
// and which attrs the fast kernels cover. Kept apart so that the helper thread, which runs only the
// arithmetic, does not load TF.js.
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.js';

/** Padding modes and strides the fast kernels cover; anything else runs the stock kernel. */
export function supportedConv(attrs: Record<string, unknown> | undefined): boolean {
  if (!attrs) return false;
  const { pad, dataFormat, dilations, strides } = attrs as {
    pad?: unknown;
    dataFormat?: unknown;
    dilations?: unknown;
    strides?: unknown;
  };
  if (pad !== 'same' && pad !== 'valid') return false;
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') return false;
  if (dilations !== undefined && dilations !== 1 && !(Array.isArray(dilations) && dilations.every((d) => d === 1))) {
    return false;
  }
  const s = Array.isArray(strides) ? strides : [strides, strides];
  return s.length === 2 && s.every((v) => v === 1 || v === 2);
}

/** Geometry from TF.js's own shape arithmetic, so output shapes and padding match the stock kernels. */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid',
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
