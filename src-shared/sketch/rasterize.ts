// The model's view of a sketch: strokes rendered white on black at a fixed resolution with the
// MNIST-matched pen (pen.ts), then the shared MNIST preprocessing (crop, fit 20x20, centre of mass)
// that the CLI's `predict` uses too. `strokesToMnist` takes any canvas context, so Node (the pen-digit
// benchmark, src-main/engine/data/pen-render.ts) renders exactly what the browser renders.
import { preprocessToMnist, type PreprocessResult } from '../preprocess.js';
import { modelPenWidth } from './pen.js';
import { drawStrokes, type StrokeContext } from './render.js';
import type { Stroke } from './strokes.js';

/** Side of the square the strokes are rendered at before preprocessing (pixels). */
export const RASTER_SIDE = 280;

/** A context of a RASTER_SIDE × RASTER_SIDE canvas that can be drawn on and read back. */
export type RasterContext = StrokeContext & {
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray | Uint8Array };
};

/** The model's copy of the strokes: white on black, MNIST-matched pen, RASTER_SIDE² RGBA pixels. */
export function renderForModel(ctx: RasterContext, strokes: readonly Stroke[]): Uint8ClampedArray | Uint8Array {
  drawStrokes(ctx, strokes, RASTER_SIDE, RASTER_SIDE, { pen: modelPenWidth(strokes), color: '#fff', background: '#000' });
  return ctx.getImageData(0, 0, RASTER_SIDE, RASTER_SIDE).data;
}

/** Render the strokes on `ctx` and preprocess them: 784 values 0-1, or `empty`. */
export function strokesToMnist(ctx: RasterContext, strokes: readonly Stroke[]): PreprocessResult {
  return preprocessToMnist(renderForModel(ctx, strokes), RASTER_SIDE, RASTER_SIDE, { invert: false });
}
