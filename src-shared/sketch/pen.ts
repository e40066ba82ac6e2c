// Pen widths. The pad shows strokes at a fixed, comfortable width; the copy rendered for the model
// uses a width proportional to the digit's size, so that after the 20x20 fit of MNIST preprocessing
// every digit, small or large, ends up with MNIST-like strokes (~2-3 px in the 28x28 image).
// MODEL_PEN_FRACTION was tuned numerically against the MNIST test set: with the stroke-thickness
// estimate 2·area/perimeter of the ink (pixels ≥ 128), MNIST's test digits measure 1.9-2.25 px per
// class; sketched 0s, 1s and 7s measured 1.4-1.7 px at 0.10 and 1.85-2.17 px at 0.14, small or large
// (tests/browser/views-app.test.ts checks this on every run).
import { boundingBox, type Stroke } from './strokes.js';

/** Width of the strokes shown on the pad, in pad units (fraction of the pad's side). */
export const DISPLAY_PEN = 0.045;

/** Model pen width as a fraction of the digit's longer side (centre-line bounding box). */
export const MODEL_PEN_FRACTION = 0.14;

/** Limits in pad units, for degenerate drawings (a dot, a scribble across the whole pad). */
const MIN_MODEL_PEN = 0.012;
const MAX_MODEL_PEN = 0.14;

export function modelPenWidth(strokes: readonly Stroke[]): number {
  const box = boundingBox(strokes);
  if (!box) return MIN_MODEL_PEN;
  const side = Math.max(box.maxX - box.minX, box.maxY - box.minY);
  return Math.min(MAX_MODEL_PEN, Math.max(MIN_MODEL_PEN, side * MODEL_PEN_FRACTION));
}
