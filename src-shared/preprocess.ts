// MNIST-style preprocessing of any picture of a digit, following LeCun's recipe for MNIST itself:
// ink only, cropped to its bounding box, scaled (keeping the aspect ratio, anti-aliased) to fit a
// 20×20 box, then placed in a 28×28 field so that its centre of mass sits at (14, 14).
// Browser-safe (no Node imports): the CLI's `predict` and the renderer's sketchpad both use it.

import { IMAGE_SIDE as MNIST_SIDE } from './domain.js';
/** The box the digit is scaled to fit, as in MNIST. */
export const DIGIT_BOX = 20;

/** Ink fainter than this (0-1, relative to the darkest ink) is treated as noise and dropped. */
const NOISE_LEVEL = 0.05;
/** Below this ink-vs-background contrast (0-1) the picture is taken as blank. */
const MIN_CONTRAST = 0.2;
/** The picture counts as empty unless its total ink (in full-ink pixels) reaches this many pixels... */
const MIN_INK_PIXELS = 2;
/** ...and this fraction of its area. */
const MIN_INK_FRACTION = 0.0005;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PreprocessOptions {
  /** 'auto' (default): invert when the background (judged by the border) is light;
   *  true: the picture is dark ink on light; false: it is already light ink on dark. */
  invert?: 'auto' | boolean;
}

export interface PreprocessResult {
  /** 784 values 0-1, white ink on black, row-major: the network's input. */
  pixels: Float32Array;
  /** True when there is no ink (or nearly none); `pixels` are then all zero. */
  empty: boolean;
  /** The ink's bounding box in the input picture, or null when empty. */
  bbox: Box | null;
}

/** Preprocess an RGBA picture (PNG, JPEG, canvas ImageData) into a 28×28 MNIST-style digit. */
export function preprocessToMnist(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  opts: PreprocessOptions = {},
): PreprocessResult {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`preprocess: invalid picture size ${width}×${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new Error(`preprocess: ${rgba.length} bytes of RGBA for a ${width}×${height} picture (expected ${width * height * 4})`);
  }
  const empty: PreprocessResult = { pixels: new Float32Array(MNIST_SIDE * MNIST_SIDE), empty: true, bbox: null };

  const ink = toInk(rgba, width, height, opts.invert ?? 'auto');
  const bbox = inkBox(ink, width, height);
  if (!bbox) return empty;

  const ow = Math.max(1, Math.round((bbox.w * DIGIT_BOX) / Math.max(bbox.w, bbox.h)));
  const oh = Math.max(1, Math.round((bbox.h * DIGIT_BOX) / Math.max(bbox.w, bbox.h)));
  const digit = resizeBox(ink, width, bbox, ow, oh);
  let peak = 0;
  for (const v of digit) peak = Math.max(peak, v);
  if (peak <= 0) return empty;
  // Scaling a large sketch down thins its strokes' intensity; bring the darkest ink back to 1 as in MNIST.
  for (let i = 0; i < digit.length; i++) digit[i] /= peak;

  return { pixels: placeByCentreOfMass(digit, ow, oh), empty: false, bbox };
}

/** Ink per pixel, 0 (background) to 1 (darkest ink), faint noise zeroed; all zeros when the picture is blank. */
function toInk(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, invert: 'auto' | boolean): Float32Array {
  const n = width * height;
  // Grey level 0 (black) to 1 (white), alpha-composited on white: a transparent canvas is white paper.
  const grey = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const a = rgba[p + 3] / 255;
    const lum = (0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2]) / 255;
    grey[i] = lum * a + (1 - a);
  }
  const border = borderMedian(grey, width, height);
  const darkInk = invert === 'auto' ? border > 0.5 : invert;
  const background = darkInk ? 1 - border : border;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = darkInk ? 1 - grey[i] : grey[i];
    grey[i] = v;
    if (v > peak) peak = v;
  }
  const contrast = peak - background;
  if (contrast < MIN_CONTRAST) return grey.fill(0);
  for (let i = 0; i < n; i++) {
    const v = (grey[i] - background) / contrast;
    grey[i] = v < NOISE_LEVEL ? 0 : v;
  }
  return grey;
}

/** Median grey level (to 1/255) of the picture's outer ring, a few pixels wide: the background. */
function borderMedian(grey: Float32Array, width: number, height: number): number {
  const ring = Math.max(1, Math.floor(Math.min(width, height) * 0.02));
  const histogram = new Uint32Array(256);
  let count = 0;
  for (let y = 0; y < height; y++) {
    const edgeRow = y < ring || y >= height - ring;
    for (let x = 0; x < width; x++) {
      if (edgeRow || x < ring || x >= width - ring) {
        histogram[Math.round(grey[y * width + x] * 255)]++;
        count++;
      }
    }
  }
  for (let level = 0, seen = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen * 2 > count) return level / 255;
  }
  return 1;
}

/** Bounding box of the ink, or null when there is none or nearly none. */
function inkBox(ink: Float32Array, width: number, height: number): Box | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1, mass = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ink[y * width + x];
      if (v <= 0) continue;
      mass += v;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0 || mass < Math.max(MIN_INK_PIXELS, MIN_INK_FRACTION * width * height)) return null;
  return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** For each of `outSize` cells spanning `inSize` source pixels: the source pixels it covers and their weights (sum 1). */
function boxWeights(inSize: number, outSize: number): { start: number; weights: number[] }[] {
  const step = inSize / outSize;
  const cells = [];
  for (let j = 0; j < outSize; j++) {
    const from = j * step, to = (j + 1) * step;
    const start = Math.floor(from);
    const weights: number[] = [];
    for (let s = start; s < to && s < inSize; s++) {
      weights.push((Math.min(to, s + 1) - Math.max(from, s)) / step);
    }
    cells.push({ start, weights });
  }
  return cells;
}

/** Resize the `box` region of `src` (row width `srcWidth`) to ow×oh by area averaging (a box filter), rows then columns. */
export function resizeBox(src: Float32Array, srcWidth: number, box: Box, ow: number, oh: number): Float32Array {
  const cols = boxWeights(box.w, ow);
  const rows = boxWeights(box.h, oh);
  const tmp = new Float32Array(box.h * ow);
  for (let y = 0; y < box.h; y++) {
    const rowStart = (box.y + y) * srcWidth + box.x;
    for (let j = 0; j < ow; j++) {
      const { start, weights } = cols[j];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * src[rowStart + start + k];
      tmp[y * ow + j] = sum;
    }
  }
  const out = new Float32Array(oh * ow);
  for (let i = 0; i < oh; i++) {
    const { start, weights } = rows[i];
    for (let j = 0; j < ow; j++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * tmp[(start + k) * ow + j];
      out[i * ow + j] = sum;
    }
  }
  return out;
}

/** Centre of mass (x, y) of a w×h image, pixel (x, y) at coordinates (x, y); null when it has no mass. */
export function centreOfMass(pixels: ArrayLike<number>, w: number, h: number): { x: number; y: number } | null {
  let mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = pixels[y * w + x];
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  return mass > 0 ? { x: cx / mass, y: cy / mass } : null;
}

/** Paste the ow×oh digit into a 28×28 field, shifted (whole pixels, as MNIST did) so its centre of mass is at (14, 14). */
function placeByCentreOfMass(digit: Float32Array, ow: number, oh: number): Float32Array {
  const com = centreOfMass(digit, ow, oh) ?? { x: ow / 2, y: oh / 2 };
  const centre = MNIST_SIDE / 2;
  const left = clamp(Math.round(centre - com.x), 0, MNIST_SIDE - ow);
  const top = clamp(Math.round(centre - com.y), 0, MNIST_SIDE - oh);
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < oh; y++) out.set(digit.subarray(y * ow, (y + 1) * ow), (top + y) * MNIST_SIDE + left);
  return out;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Draw 784 MNIST values (0-1, or 0-255 when `scale255`) as an opaque 28×28 RGBA picture, white ink on black. */
export function mnistToRgba(pixels784: ArrayLike<number>, scale255 = false): Uint8ClampedArray {
  const out = new Uint8ClampedArray(MNIST_SIDE * MNIST_SIDE * 4);
  for (let i = 0; i < MNIST_SIDE * MNIST_SIDE; i++) {
    const v = scale255 ? pixels784[i] : pixels784[i] * 255;
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}
