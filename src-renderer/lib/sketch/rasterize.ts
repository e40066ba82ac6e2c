// The model's view of a sketch: strokes rendered white on black at a fixed resolution with the
// MNIST-matched pen (pen.ts), then the shared MNIST preprocessing (crop, fit 20x20, centre of mass)
// that the CLI's `predict` uses too.
import { preprocessToMnist, type PreprocessResult } from '../../../src-shared/preprocess.js';
import { modelPenWidth } from './pen.js';
import { drawStrokes } from './render.js';
import type { Stroke } from './strokes.js';

/** Side of the square the strokes are rendered at before preprocessing (pixels). */
export const RASTER_SIDE = 280;

let canvas: OffscreenCanvas | HTMLCanvasElement | null = null;

function context(): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (!canvas) {
    if (typeof OffscreenCanvas !== 'undefined') canvas = new OffscreenCanvas(RASTER_SIDE, RASTER_SIDE);
    else {
      canvas = document.createElement('canvas');
      canvas.width = canvas.height = RASTER_SIDE;
    }
  }
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as
    | OffscreenCanvasRenderingContext2D
    | CanvasRenderingContext2D
    | null;
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  return ctx;
}

/** Render the strokes for the model and preprocess them: 784 values 0-1, or `empty`. */
export function sketchToMnist(strokes: readonly Stroke[]): PreprocessResult {
  const ctx = context();
  drawStrokes(ctx, strokes, RASTER_SIDE, RASTER_SIDE, { pen: modelPenWidth(strokes), color: '#fff', background: '#000' });
  const { data } = ctx.getImageData(0, 0, RASTER_SIDE, RASTER_SIDE);
  return preprocessToMnist(data, RASTER_SIDE, RASTER_SIDE, { invert: false });
}
