// Pen trajectories in Node: the UNIPEN text format of the UCI pendigits collection, and a simple
// stroke rasteriser (straight segments, round caps, anti-aliased by distance) with the sketchpad's
// MNIST-matched model pen, feeding the shared MNIST preprocessing — a drawing becomes the same kind
// of 28×28 input the sketchpad sends. (The sketchpad itself draws quadratic curves on a canvas.)
import { preprocessToMnist, type PreprocessResult } from '../../src-shared/preprocess.js';
import { modelPenWidth } from '../../src-renderer/lib/sketch/pen.js';
import type { PadPoint } from '../engine/user-samples.js';

/** Side of the square the strokes are rendered at before preprocessing, as the sketchpad does. */
export const RASTER_SIDE = 280;
/** pendigits' writing boxes are 500 × 500 tablet units, y pointing up. */
const TABLET_SIDE = 500;

export interface PenDigit {
  label: number;
  writer: number;
  /** Position in the file, 0-based. */
  index: number;
  /** Strokes in pad units (0-1, origin top-left, y down). */
  strokes: PadPoint[][];
}

/** Parse a UNIPEN file of digits (`.SEGMENT DIGIT … "8"`, `.COMMENT label writer n`, `.PEN_DOWN` … `.PEN_UP`). */
export function parseUnipen(text: string): PenDigit[] {
  const digits: PenDigit[] = [];
  let digit: PenDigit | null = null;
  let stroke: PadPoint[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('.SEGMENT')) {
      const m = /"(\d)"\s*$/.exec(line);
      if (!m) throw new Error(`UNIPEN: a segment without a digit label: '${line.slice(0, 60)}'`);
      digit = { label: Number(m[1]), writer: -1, index: digits.length, strokes: [] };
      digits.push(digit);
    } else if (line.startsWith('.COMMENT') && digit) {
      digit.writer = Number(line.split(/\s+/)[2] ?? -1);
    } else if (line === '.PEN_DOWN' && digit) {
      stroke = [];
      digit.strokes.push(stroke);
    } else if (line === '.PEN_UP') {
      stroke = null;
    } else if (stroke && /^-?\d+\s+-?\d+$/.test(line)) {
      const [x, y] = line.split(/\s+/).map(Number);
      stroke.push({ x: x / TABLET_SIDE, y: 1 - y / TABLET_SIDE });
    }
  }
  return digits.filter((d) => d.strokes.some((s) => s.length > 0));
}

/** The sketchpad's model pen for these strokes (pen.ts). */
function penFor(strokes: readonly PadPoint[][]): number {
  return modelPenWidth(strokes.map((s) => s.map((p) => ({ ...p, pressure: 0.5 }))));
}

/** Distance from (px, py) to the segment a→b. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Strokes drawn white on black, `side` × `side` RGBA, with a round pen `pen` pad units wide. */
export function rasterizeStrokes(strokes: readonly PadPoint[][], side = RASTER_SIDE, pen = penFor(strokes)): Uint8ClampedArray {
  const ink = new Float32Array(side * side);
  const r = (pen * side) / 2;
  for (const s of strokes) {
    for (let i = 0; i < s.length; i++) {
      const a = s[i];
      const b = s[Math.min(i + 1, s.length - 1)];
      const [ax, ay, bx, by] = [a.x * side, a.y * side, b.x * side, b.y * side];
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
      const x1 = Math.min(side - 1, Math.ceil(Math.max(ax, bx) + r + 1));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
      const y1 = Math.min(side - 1, Math.ceil(Math.max(ay, by) + r + 1));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const cover = Math.min(1, Math.max(0, r + 0.5 - segmentDistance(x + 0.5, y + 0.5, ax, ay, bx, by)));
          if (cover > ink[y * side + x]) ink[y * side + x] = cover;
        }
      }
    }
  }
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let i = 0; i < ink.length; i++) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = Math.round(ink[i] * 255);
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

/** Strokes → the model's 28×28 input (784 values 0-1), as the sketchpad prepares a drawing. */
export function strokesToMnist(strokes: readonly PadPoint[][]): PreprocessResult {
  return preprocessToMnist(rasterizeStrokes(strokes), RASTER_SIDE, RASTER_SIDE, { invert: false });
}
