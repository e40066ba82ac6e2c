// An attribution map drawn over its digit, the same way in the app and in the CLI's PNG: the digit in grey, red where
// the map is evidence for the class, blue where it is against, the colour's strength the square root of |value| / the
// largest |value| (so that the many small values stay visible beside the largest).
import { PIXELS } from './domain.js';

/** Red: evidence for the class; blue: against (RGB). */
export const FOR_COLOUR = [220, 38, 38] as const;
export const AGAINST_COLOUR = [37, 99, 235] as const;

/** The largest |value| of a map (0 for an all-zero map): the colours' full strength. */
export function mapScale(map: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < map.length; i++) max = Math.max(max, Math.abs(map[i]));
  return max;
}

/** 28×28 RGBA: `pixels` (784 grey levels 0-255, white ink on black) dimmed to grey, `map` blended over it. */
export function attributionRgba(pixels: ArrayLike<number>, map: ArrayLike<number>): Uint8ClampedArray {
  if (pixels.length !== PIXELS || map.length !== PIXELS) throw new Error(`expected ${PIXELS} pixels and map values`);
  const out = new Uint8ClampedArray(PIXELS * 4);
  const scale = mapScale(map) || 1;
  for (let i = 0; i < PIXELS; i++) {
    const grey = 24 + pixels[i] * 0.45;
    const v = map[i] / scale;
    const a = Math.min(1, Math.sqrt(Math.abs(v)));
    const colour = v >= 0 ? FOR_COLOUR : AGAINST_COLOUR;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = grey * (1 - a) + colour[c] * a;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** An RGBA image of side × side made `factor` times larger, each pixel a square (nearest neighbour). */
export function enlargeRgba(rgba: ArrayLike<number>, side: number, factor: number): Uint8ClampedArray {
  const big = side * factor;
  const out = new Uint8ClampedArray(big * big * 4);
  for (let y = 0; y < big; y++) {
    for (let x = 0; x < big; x++) {
      const from = (Math.floor(y / factor) * side + Math.floor(x / factor)) * 4;
      out.set([rgba[from], rgba[from + 1], rgba[from + 2], rgba[from + 3]], (y * big + x) * 4);
    }
  }
  return out;
}
