// The browser's side of rasterize.ts: one reusable canvas (OffscreenCanvas where the browser has it) on which
// the sketchpad's strokes are rendered for the model. Kept apart so rasterize.ts needs no DOM types (Node
// renders pen digits with it too: src-main/engine/data/pen-render.ts).
import type { PreprocessResult } from '../../../src-shared/preprocess.js';
import { RASTER_SIDE, strokesToMnist } from '../../../src-shared/sketch/rasterize.js';

export { renderForModel } from '../../../src-shared/sketch/rasterize.js';
import type { Stroke } from '../../../src-shared/sketch/strokes.js';

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
  return strokesToMnist(context(), strokes);
}
