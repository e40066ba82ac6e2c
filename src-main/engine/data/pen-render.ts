// Node adapter for the sketchpad's model rendering: a Skia canvas (@napi-rs/canvas, the same 2D
// library Chromium uses) handed to the renderer's own `strokesToMnist`, so a pen digit becomes exactly
// the 28×28 input the sketchpad would send (tests/browser/pendigits.test.ts compares with Chromium).
import { RASTER_SIDE, strokesToMnist, type RasterContext } from '../../../src-shared/sketch/rasterize.js';
import { PIXELS } from '../../../src-shared/domain.js';
import type { Split } from './mnist.js';
import { loadPenDigits, PEN_TUNING_WRITERS, tabletSide, toSketch, type PenDigit } from './pendigits.js';

const CANVAS_PACKAGE = '@napi-rs/canvas';
type CanvasModule = { createCanvas(w: number, h: number): { getContext(kind: '2d'): unknown } };

/** A RASTER_SIDE² Skia canvas context; a one-line error when the canvas package is missing. */
export async function nodeRasterContext(): Promise<RasterContext> {
  let mod: CanvasModule;
  try {
    // A native package, loaded only when pen digits are drawn: kept out of bundles (electron-vite) on purpose.
    mod = (await import(/* @vite-ignore */ CANVAS_PACKAGE)) as CanvasModule;
  } catch {
    throw new Error('rendering pen digits needs the @napi-rs/canvas package (npm install @napi-rs/canvas)');
  }
  return mod.createCanvas(RASTER_SIDE, RASTER_SIDE).getContext('2d') as RasterContext;
}

/** Render every digit as the sketchpad's model input: n × 784 floats 0-1 (white ink on black).
 *  `side`: the tablet side to map from (default: from these digits; pass the whole file's for a subset). */
export async function renderPenDigits(digits: readonly PenDigit[], side = tabletSide(digits)): Promise<Float32Array> {
  const ctx = await nodeRasterContext();
  const out = new Float32Array(digits.length * PIXELS);
  digits.forEach((d, i) => out.set(strokesToMnist(ctx, toSketch(d, side)).pixels, i * PIXELS));
  return out;
}

/** The tuning writers' digits of a pen file (all, or `writers` of them), rendered as the sketchpad does, as training images (0-255). */
export async function penTrainingSplit(file: string, writers: readonly number[] = PEN_TUNING_WRITERS): Promise<Split> {
  const heldOut = writers.find((w) => !PEN_TUNING_WRITERS.includes(w));
  if (heldOut !== undefined) throw new Error(`writer ${heldOut} is not a tuning writer (${PEN_TUNING_WRITERS[0]}-${PEN_TUNING_WRITERS.at(-1)}): never train on the others`);
  const chosen = new Set(writers);
  const all = loadPenDigits(file);
  const digits = all.filter((d) => chosen.has(d.writer));
  if (digits.length === 0) throw new Error(`${file}: no digits by the tuning writers ${writers.join(', ')}`);
  const pixels = await renderPenDigits(digits, tabletSide(all));
  return {
    images: Uint8Array.from(pixels, (v) => Math.round(v * 255)),
    labels: Uint8Array.from(digits, (d) => d.label),
    count: digits.length,
  };
}
