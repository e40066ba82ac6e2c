// Pen widths. The pad shows strokes at a fixed, comfortable width; the copy rendered for the model
// uses a width proportional to the digit's size, so that after the 20x20 fit of MNIST preprocessing
// every digit, small or large, ends up with MNIST-like strokes (~2-3 px in the 28x28 image).
// MODEL_PEN_FRACTION was tuned numerically against the MNIST test set (tests/views-sketchpad.test.ts
// measures the mean stroke thickness of both).
import { boundingBox, type Stroke } from './strokes.js';

/** Width of the strokes shown on the pad, in pad units (fraction of the pad's side). */
export const DISPLAY_PEN = 0.045;

/** Model pen width as a fraction of the digit's longer side (centre-line bounding box). */
export const MODEL_PEN_FRACTION = 0.1;

/** Limits in pad units, for degenerate drawings (a dot, a scribble across the whole pad). */
const MIN_MODEL_PEN = 0.012;
const MAX_MODEL_PEN = 0.09;

export function modelPenWidth(strokes: readonly Stroke[]): number {
  const box = boundingBox(strokes);
  if (!box) return MIN_MODEL_PEN;
  const side = Math.max(box.maxX - box.minX, box.maxY - box.minY);
  return Math.min(MAX_MODEL_PEN, Math.max(MIN_MODEL_PEN, side * MODEL_PEN_FRACTION));
}
