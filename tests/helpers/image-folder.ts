// A generated image folder for the dataset tests: three classes of simple shapes (PNG, many sizes, dark ink on light
// and light on dark), plus files an import must skip (a corrupt PNG, a text file, a 4×4 image).
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { mulberry32 } from '../../src-shared/random.js';

export const SHAPES = ['bar', 'circle', 'cross'] as const;

/** One shape in a `side`×`side` picture: ink where `inside(u, v)` holds (u, v in -1…1 around the shape's centre). */
function drawShape(shape: (typeof SHAPES)[number], side: number, dark: boolean, rng: () => number): Buffer {
  const png = new PNG({ width: side, height: side });
  const cx = side / 2 + (rng() - 0.5) * side * 0.1;
  const cy = side / 2 + (rng() - 0.5) * side * 0.1;
  const r = side * (0.3 + rng() * 0.1);
  const inside = (u: number, v: number) =>
    shape === 'bar' ? Math.abs(v) < 0.22 && Math.abs(u) < 1
      : shape === 'circle' ? Math.abs(Math.hypot(u, v) - 0.8) < 0.18
        : (Math.abs(u) < 0.18 && Math.abs(v) < 1) || (Math.abs(v) < 0.18 && Math.abs(u) < 1);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const ink = inside((x - cx) / r, (y - cy) / r);
      const v = dark ? (ink ? 20 : 235) : ink ? 240 : 15;
      const o = (y * side + x) * 4;
      png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Write `perClass` PNGs of each shape (sides 16-120 px) and the files to skip; returns the skipped files' names. */
export function writeShapesFolder(dir: string, perClass = 12, seed = 7): string[] {
  const rng = mulberry32(seed);
  for (const shape of SHAPES) {
    fs.mkdirSync(path.join(dir, shape), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const side = 16 + Math.floor(rng() * 105);
      fs.writeFileSync(path.join(dir, shape, `${shape}-${i}.png`), drawShape(shape, side, i % 2 === 0, rng));
    }
  }
  fs.writeFileSync(path.join(dir, 'bar', 'broken.png'), 'not really a png');
  fs.writeFileSync(path.join(dir, 'circle', 'notes.txt'), 'hello');
  fs.writeFileSync(path.join(dir, 'cross', 'tiny.png'), drawShape('cross', 4, true, rng));
  return ['bar/broken.png', 'circle/notes.txt', 'cross/tiny.png'];
}

/** A PNG of one shape (for `predict`). */
export function writeShapePng(file: string, shape: (typeof SHAPES)[number], side = 64): void {
  fs.writeFileSync(file, drawShape(shape, side, true, mulberry32(99)));
}

/** A tiny PNG (under the importer's minimum side). */
export function tinyPng(): Buffer {
  return drawShape('bar', 5, true, mulberry32(1));
}
