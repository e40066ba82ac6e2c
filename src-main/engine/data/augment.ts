// Data augmentation for training batches, two levels (TrainConfig.augment):
// - affine: each 28×28 image gets its own small random affine transform (shift ±2 px, rotation ±10°,
//   scale 0.9-1.1), sampled bilinearly, black outside;
// - pen: how drawn digits differ from MNIST's: rotation, slant (shear), aspect and scale, a smooth
//   elastic distortion (random displacements on a coarse grid, interpolated), and thicker or thinner
//   strokes (a partial grey-level dilation or erosion).
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

export const PEN_AUGMENT_LIMITS = {
  shift: 2, rotationDeg: 12, shear: 0.3, scaleMin: 0.8, scaleMax: 1.1, aspect: 0.15,
  /** Largest displacement of the elastic grid's control points (px) and the grid's cells per side. */
  elastic: 1.6, elasticCells: 3,
  /** Stroke thickness: blend towards the dilated (up to +thicken) or eroded (up to thin) image. */
  thicken: 0.8, thin: 0.5,
};

/** A pen-style randomly distorted copy of a batch of n images (n*784 floats). */
export function augmentPenBatch(x: Float32Array, n: number, rng: Rng, out = new Float32Array(n * SIZE)): Float32Array {
  if (x.length < n * SIZE || out.length < n * SIZE) throw new RangeError(`augmentPenBatch: ${n} images need ${n * SIZE} floats`);
  if (out === x) throw new RangeError('augmentPenBatch: out must not be the input');
  const L = PEN_AUGMENT_LIMITS;
  const padded = new Float32Array(PAD * PAD);
  const grid = L.elasticCells + 1;
  const gx = new Float32Array(grid * grid);
  const gy = new Float32Array(grid * grid);
  const tmp = new Float32Array(SIZE);
  const sym = () => rng() * 2 - 1;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < SIDE; y++) padded.set(x.subarray(i * SIZE + y * SIDE, i * SIZE + (y + 1) * SIDE), (y + 1) * PAD + 1);
    // Inverse map (output → source): undo scale/aspect, then shear, then rotation.
    const angle = (sym() * L.rotationDeg * Math.PI) / 180;
    const shear = sym() * L.shear;
    const scale = L.scaleMin + rng() * (L.scaleMax - L.scaleMin);
    const aspect = 1 + sym() * L.aspect;
    const sx = scale * aspect, sy = scale / aspect;
    const cos = Math.cos(angle), sin = Math.sin(angle);
    // R(-angle) · Shear(-shear) · diag(1/sx, 1/sy)
    const a = cos / sx, b = (-cos * shear + sin) / sy;
    const c = -sin / sx, d = (sin * shear + cos) / sy;
    const dx = sym() * L.shift, dy = sym() * L.shift;
    for (let g = 0; g < grid * grid; g++) {
      gx[g] = sym() * L.elastic;
      gy[g] = sym() * L.elastic;
    }
    const o = i * SIZE;
    for (let v = 0; v < SIDE; v++) {
      const ry = v - CENTRE - dy;
      const cy = (v / (SIDE - 1)) * L.elasticCells;
      const cy0 = Math.min(L.elasticCells - 1, Math.floor(cy)), fy = cy - cy0;
      for (let u = 0; u < SIDE; u++) {
        const rx = u - CENTRE - dx;
        const cx = (u / (SIDE - 1)) * L.elasticCells;
        const cx0 = Math.min(L.elasticCells - 1, Math.floor(cx)), fx = cx - cx0;
        const g = cy0 * grid + cx0;
        const ex = lerp2(gx[g], gx[g + 1], gx[g + grid], gx[g + grid + 1], fx, fy);
        const ey = lerp2(gy[g], gy[g + 1], gy[g + grid], gy[g + grid + 1], fx, fy);
        out[o + v * SIDE + u] = sample(padded, a * rx + b * ry + CENTRE + ex, c * rx + d * ry + CENTRE + ey);
      }
    }
    const t = rng() * (L.thicken + L.thin) - L.thin;
    if (t > 0) morph(out, o, tmp, Math.max, t);
    else if (t < 0) morph(out, o, tmp, Math.min, -t);
  }
  return out;
}

const lerp2 = (p00: number, p10: number, p01: number, p11: number, fx: number, fy: number) => {
  const top = p00 + fx * (p10 - p00);
  return top + fy * (p01 + fx * (p11 - p01) - top);
};

/** Bilinear sample of the padded source at (sx, sy) in image coordinates; black outside. */
function sample(src: Float32Array, sx: number, sy: number): number {
  if (sx < -1 || sy < -1 || sx >= SIDE || sy >= SIDE) return 0;
  const x0 = Math.floor(sx), y0 = Math.floor(sy);
  const fx = sx - x0, fy = sy - y0;
  const p = (y0 + 1) * PAD + x0 + 1;
  const top = src[p] + fx * (src[p + 1] - src[p]);
  const bottom = src[p + PAD] + fx * (src[p + PAD + 1] - src[p + PAD]);
  return top + fy * (bottom - top);
}

/** Blend the image at `offset` by `amount` (0-1) towards its max (dilation) or min (erosion) over a plus-shaped neighbourhood. */
function morph(img: Float32Array, offset: number, tmp: Float32Array, pick: (...v: number[]) => number, amount: number): void {
  const edge = 0; // outside the image is black
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const p = offset + y * SIDE + x;
      tmp[y * SIDE + x] = pick(
        img[p],
        x > 0 ? img[p - 1] : edge,
        x < SIDE - 1 ? img[p + 1] : edge,
        y > 0 ? img[p - SIDE] : edge,
        y < SIDE - 1 ? img[p + SIDE] : edge,
      );
    }
  }
  for (let k = 0; k < SIZE; k++) img[offset + k] += amount * (tmp[k] - img[offset + k]);
}
