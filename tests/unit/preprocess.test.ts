// MNIST-style preprocessing of pictures, checked against real MNIST digits drawn into larger pictures.
import { describe, expect, it } from 'vitest';
import { centreOfMass, mnistToRgba, preprocessToMnist } from '../../src-shared/preprocess.js';
import { loadMnist } from '../../src-main/engine/data/mnist.js';
import { correlation } from '../helpers/stats.js';

const test = loadMnist().test;
const digit = (i: number) => Float32Array.from(test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);

/** A width×height RGBA picture filled with `background` (r, g, b, a). */
function picture(width: number, height: number, background: [number, number, number, number]) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set(background, i * 4);
  return { rgba, width, height };
}

/** Draw an MNIST digit (0-1, white on black) scaled `scale`× at (left, top) as dark ink: black, alpha = ink when `alphaInk`. */
function drawDigit(p: ReturnType<typeof picture>, pixels: Float32Array, left: number, top: number, scale: number, alphaInk = false) {
  for (let y = 0; y < 28 * scale; y++) {
    for (let x = 0; x < 28 * scale; x++) {
      const ink = pixels[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
      if (ink === 0) continue;
      const o = ((top + y) * p.width + left + x) * 4;
      if (alphaInk) p.rgba.set([0, 0, 0, Math.round(ink * 255)], o);
      else p.rgba.set([255 * (1 - ink), 255 * (1 - ink), 255 * (1 - ink), 255], o);
    }
  }
}

/** Test digit i drawn 3× at (37, 21) in a 200×150 white picture: preprocessToMnist's arguments. */
function drawn(i: number): [Uint8ClampedArray, number, number] {
  const p = picture(200, 150, [255, 255, 255, 255]);
  drawDigit(p, digit(i), 37, 21, 3);
  return [p.rgba, p.width, p.height];
}

/** A 28×28 image moved by (dx, dy) whole pixels, black coming in. */
function shift(pixels: Float32Array, dx: number, dy: number): Float32Array {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx, sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = pixels[sy * 28 + sx];
    }
  }
  return out;
}

/** Bilinear sample of a 28×28 image at (x, y), black outside. */
function bilinear(pixels: Float32Array, x: number, y: number): number {
  const at = (px: number, py: number) => (px < 0 || py < 0 || px >= 28 || py >= 28 ? 0 : pixels[py * 28 + px]);
  const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Bounding box of the non-zero pixels of a 28×28 image. */
function box28(pixels: Float32Array) {
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let i = 0; i < 784; i++) {
    if (pixels[i] <= 0) continue;
    const x = i % 28, y = Math.floor(i / 28);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return { w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

describe('preprocessToMnist', () => {
  it('recovers real MNIST digits drawn 3× larger, off-centre, dark on a white 200×150 picture', () => {
    const direct: number[] = [];
    const aligned: number[] = [];
    for (let i = 0; i < 60; i++) {
      const original = digit(i);
      const p = picture(200, 150, [255, 255, 255, 255]);
      drawDigit(p, original, 100 + (i % 7), 40 + (i % 5), 3);
      const r = preprocessToMnist(p.rgba, p.width, p.height);
      expect(r.empty).toBe(false);
      const com = centreOfMass(r.pixels, 28, 28)!;
      expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5);
      const b = box28(r.pixels);
      expect(Math.max(b.w, b.h)).toBeLessThanOrEqual(20);
      expect(r.bbox!.x).toBeGreaterThanOrEqual(100);
      expect(r.bbox!.y).toBeGreaterThanOrEqual(40);
      expect(r.bbox!.x + r.bbox!.w).toBeLessThanOrEqual(100 + 6 + 84);
      expect(r.bbox!.y + r.bbox!.h).toBeLessThanOrEqual(40 + 4 + 84);
      const c = correlation(r.pixels, original);
      // MNIST's own centre of mass is anywhere within ±0.5 px of (14, 14), as is ours: where the original's
      // is near a half pixel, the two whole-pixel placements may differ by one pixel.
      const o = centreOfMass(original, 28, 28)!;
      if (Math.abs(o.x - 14) < 0.4 && Math.abs(o.y - 14) < 0.4) direct.push(c);
      let best = c;
      for (const [dx, dy] of [[-1, 0], [1, 0], [0, -1], [0, 1], [-1, -1], [-1, 1], [1, -1], [1, 1]]) {
        best = Math.max(best, correlation(r.pixels, shift(original, dx, dy)));
      }
      aligned.push(best);
    }
    direct.sort((a, b) => a - b);
    aligned.sort((a, b) => a - b);
    console.log(
      `preprocess: correlation with the original MNIST digit: min ${direct[0].toFixed(3)} over ${direct.length} unambiguously centred digits; ` +
        `min ${aligned[0].toFixed(3)}, median ${aligned[30].toFixed(3)} over all 60 within one pixel of shift`,
    );
    expect(direct.length).toBeGreaterThan(20);
    expect(direct[0]).toBeGreaterThan(0.8);
    expect(aligned[0]).toBeGreaterThan(0.9);
    expect(correlation(preprocessToMnist(...drawn(0)).pixels, digit(0))).toBeGreaterThan(0.8); // the 7 of the brief
  });

  it('recovers digits resampled 2.5× (smooth edges) in blue pen on cream paper', () => {
    const scores: number[] = [];
    for (let i = 100; i < 130; i++) {
      const original = digit(i);
      const p = picture(160, 120, [235, 228, 210, 255]);
      for (let y = 0; y < 70; y++) {
        for (let x = 0; x < 70; x++) {
          const ink = bilinear(original, x / 2.5 - 0.3, y / 2.5 - 0.3);
          const mix = (paper: number, pen: number) => paper + ink * (pen - paper);
          p.rgba.set([mix(235, 20), mix(228, 30), mix(210, 120), 255], ((25 + y) * 160 + 40 + x) * 4);
        }
      }
      const r = preprocessToMnist(p.rgba, p.width, p.height);
      let best = -1;
      for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) best = Math.max(best, correlation(r.pixels, shift(original, dx, dy)));
      scores.push(best);
    }
    scores.sort((a, b) => a - b);
    console.log(`preprocess: 2.5× smooth blue-on-cream digits: correlation min ${scores[0].toFixed(3)}, median ${scores[15].toFixed(3)}`);
    expect(scores[0]).toBeGreaterThan(0.8);
  });

  it('gives the same digit for a transparent canvas with dark strokes', () => {
    const white = picture(200, 150, [255, 255, 255, 255]);
    const clear = picture(200, 150, [0, 0, 0, 0]);
    drawDigit(white, digit(7), 30, 20, 3);
    drawDigit(clear, digit(7), 30, 20, 3, true);
    const a = preprocessToMnist(white.rgba, 200, 150);
    const b = preprocessToMnist(clear.rgba, 200, 150);
    expect(b.empty).toBe(false);
    expect(b.bbox).toEqual(a.bbox);
    expect(correlation(a.pixels, b.pixels)).toBeGreaterThan(0.99);
  });

  it('leaves white-on-black pictures (MNIST itself) uninverted', () => {
    const r = preprocessToMnist(mnistToRgba(digit(3)), 28, 28);
    expect(correlation(r.pixels, digit(3))).toBeGreaterThan(0.8);
    // Forced to read it as dark ink on light paper, the black field is all "ink" of equal depth: no digit.
    expect(preprocessToMnist(mnistToRgba(digit(3)), 28, 28, { invert: true }).empty).toBe(true);
    // The same digit drawn dark on light is inverted by 'auto' and by invert: true alike.
    const auto = preprocessToMnist(...drawn(3));
    const forced = preprocessToMnist(...drawn(3), { invert: true });
    expect(forced.pixels).toEqual(auto.pixels);
  });

  it('keeps thin strokes of a large 400×400 sketch visible', () => {
    const p = picture(400, 400, [0, 0, 0, 0]);
    // A "7": a 3-pixel-wide bar and diagonal, drawn in black on a transparent canvas.
    const dot = (x: number, y: number) => p.rgba.set([0, 0, 0, 255], (Math.round(y) * 400 + Math.round(x)) * 4);
    for (let t = 0; t <= 1; t += 0.001) {
      for (let w = -1; w <= 1; w++) {
        dot(100 + 200 * t, 60 + w);
        dot(300 - 120 * t + w, 60 + 290 * t);
      }
    }
    const r = preprocessToMnist(p.rgba, 400, 400);
    expect(r.empty).toBe(false);
    expect(r.bbox).toEqual({ x: 100, y: 59, w: 202, h: 292 });
    expect(Math.max(...r.pixels)).toBeCloseTo(1, 5);
    const visible = r.pixels.filter((v) => v > 0.3).length;
    expect(visible).toBeGreaterThan(30); // ~20 px of bar plus ~20 rows of diagonal
    const b = box28(r.pixels);
    expect(b.h).toBe(20);
  });

  it('reports a blank or nearly blank picture as empty, with all-zero pixels', () => {
    const blank = picture(120, 80, [255, 255, 255, 255]);
    const clear = picture(120, 80, [0, 0, 0, 0]);
    const grey = picture(50, 50, [128, 128, 128, 255]);
    const speck = picture(300, 300, [255, 255, 255, 255]);
    speck.rgba.set([0, 0, 0, 255], (150 * 300 + 150) * 4);
    const noise = picture(100, 100, [255, 255, 255, 255]);
    for (let i = 0; i < 100 * 100; i += 7) noise.rgba.set([240, 240, 240, 255], i * 4);
    for (const p of [blank, clear, grey, speck, noise]) {
      const r = preprocessToMnist(p.rgba, p.width, p.height);
      expect(r.empty).toBe(true);
      expect(r.bbox).toBeNull();
      expect(r.pixels.length).toBe(784);
      expect(r.pixels.every((v) => v === 0)).toBe(true);
    }
  });

  it('rejects RGBA data that does not match the size', () => {
    expect(() => preprocessToMnist(new Uint8Array(10), 2, 2)).toThrow(/10 bytes of RGBA for a 2×2 picture \(expected 16\)/);
    expect(() => preprocessToMnist(new Uint8Array(0), 0, 0)).toThrow(/invalid picture size 0×0/);
  });
});
