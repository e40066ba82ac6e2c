// Data augmentation for training batches: each 28×28 image gets its own small random affine
// transform (shift ±2 px, rotation ±10°, scale 0.9-1.1), sampled bilinearly, black outside.
import { IMAGE_SIDE as SIDE, PIXELS as SIZE } from '../../../src-shared/domain.js';
import type { Rng } from '../../../src-shared/random.js';

const CENTRE = (SIDE - 1) / 2;
const PAD = SIDE + 2; // the source image with a one-pixel black border: bilinear taps need no bounds checks

export const AUGMENT_LIMITS = { shift: 2, rotationDeg: 10, scaleMin: 0.9, scaleMax: 1.1 };

/** A randomly transformed copy of a batch of n images (n*784 floats); `out` may be given to reuse memory. */
export function augmentBatch(x: Float32Array, n: number, rng: Rng, out = new Float32Array(n * SIZE)): Float32Array {
  if (x.length < n * SIZE || out.length < n * SIZE) throw new RangeError(`augmentBatch: ${n} images need ${n * SIZE} floats`);
  if (out === x) throw new RangeError('augmentBatch: out must not be the input');
  const padded = new Float32Array(PAD * PAD);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < SIDE; y++) padded.set(x.subarray(i * SIZE + y * SIDE, i * SIZE + (y + 1) * SIDE), (y + 1) * PAD + 1);
    const { angle, scale, dx, dy } = randomTransform(rng);
    warp(padded, out, i * SIZE, angle, scale, dx, dy);
  }
  return out;
}

export interface Transform {
  angle: number; // radians
  scale: number;
  dx: number;
  dy: number;
}

/** One image's random transform within AUGMENT_LIMITS (four draws from `rng`, in this order). */
export function randomTransform(rng: Rng): Transform {
  const { shift, rotationDeg, scaleMin, scaleMax } = AUGMENT_LIMITS;
  const angle = ((rng() * 2 - 1) * rotationDeg * Math.PI) / 180;
  const scale = scaleMin + rng() * (scaleMax - scaleMin);
  const dx = (rng() * 2 - 1) * shift;
  const dy = (rng() * 2 - 1) * shift;
  return { angle, scale, dx, dy };
}

/**
 * out(u, v) = src(A⁻¹ · ((u, v) - c - d) + c): rotate by `angle` and scale about the centre c, then shift by d.
 * Walks each output row with the inverse map's constant per-pixel step.
 */
function warp(src: Float32Array, out: Float32Array, offset: number, angle: number, scale: number, dx: number, dy: number): void {
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  for (let v = 0; v < SIDE; v++) {
    const ry = v - CENTRE - dy;
    const rx0 = -CENTRE - dx;
    // source coordinates of (u = 0, v), one column to the right adds (cos, -sin)
    let sx = cos * rx0 + sin * ry + CENTRE;
    let sy = -sin * rx0 + cos * ry + CENTRE;
    let o = offset + v * SIDE;
    for (let u = 0; u < SIDE; u++, o++, sx += cos, sy -= sin) {
      // inside the padded image when -1 ≤ s < 28 (padded index s + 1 and s + 2 stay within 0..29)
      if (sx < -1 || sy < -1 || sx >= SIDE || sy >= SIDE) {
        out[o] = 0;
        continue;
      }
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      const p = (y0 + 1) * PAD + x0 + 1;
      const top = src[p] + fx * (src[p + 1] - src[p]);
      const bottom = src[p + PAD] + fx * (src[p + PAD + 1] - src[p + PAD]);
      out[o] = top + fy * (bottom - top);
    }
  }
}
