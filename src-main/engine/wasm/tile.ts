// Tile for the `wasm` backend where it repeats the whole input: every axis the input is tiled along comes before its
// data (size 1 there), e.g. batch normalisation's gradient spreading a [1,1,1,C] vector over [N,H,W,C]. The stock
// kernel computes a source index per element (a scalar loop: a third of a batch-normalised network's step); here the
// input is copied once and the copy doubled with copyWithin. Other tilings: the stock kernel.
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel } from './kernel-call.js';

/** How many times `shape` is repeated whole when tiled by `reps`; 0 where the tiling interleaves it. */
export function wholeRepeats(shape: readonly number[], reps: readonly number[]): number {
  let times = 1;
  let seenData = false; // an axis of size > 1 to the left of which all tiled axes must lie
  for (let i = 0; i < shape.length; i++) {
    if (reps[i] > 1 && seenData) return 0;
    if (shape[i] > 1) seenData = true;
    times *= reps[i];
  }
  return times;
}

export const tile: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const { reps } = attrs as unknown as tf.TileAttrs;
  if (x.dtype === 'string' || x.dtype === 'complex64') return null;
  const times = wholeRepeats(x.shape, reps);
  if (times === 0) return null;
  const out = backend.makeOutput(x.shape.map((s, i) => s * reps[i]), x.dtype); // before taking views: it may grow the heap
  const v = backend.typedArrayFromHeap(x);
  const o = backend.typedArrayFromHeap(out);
  if (v.length === 0 || o.length === 0) return out;
  o.set(v, 0);
  for (let filled = v.length; filled < o.length; filled *= 2) o.copyWithin(filled, 0, Math.min(filled, o.length - filled));
  return out;
};
