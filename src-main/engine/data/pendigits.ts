// Real pen-drawn digits in the UNIPEN text format of the UCI "Pen-Based Recognition of Handwritten
// Digits" collection (E. Alpaydin, F. Alimoglu, 1998; CC BY 4.0): each digit is a `.SEGMENT DIGIT … "L"`
// line, a `.COMMENT label writer sample` line, then `.PEN_DOWN` … `.PEN_UP` blocks of `x y` tablet
// points, one stroke each. The writer is the second number of `.COMMENT` (1-30 in the training file,
// about 250 digits each, interleaved in random order); digits without a `.COMMENT` get writer 0.
// Tablet boxes are 500 × 500 units with y pointing up; `toSketch` maps them onto the sketchpad's
// unit square (y down) through the sketchpad's own stroke model, so the same points are kept.
import { readFileSync } from 'node:fs';
import { Sketch, type Stroke } from '../../../src-shared/sketch/strokes.js';

export interface PenDigit {
  label: number;
  /** Writer id from `.COMMENT` (0 when the file does not say). */
  writer: number;
  /** Strokes in tablet units, y up as recorded. */
  strokes: { x: number; y: number }[][];
}

/** Side of the tablet's writing box (units); a file with larger coordinates is scaled by its own extent. */
export const TABLET_SIDE = 500;

/** The per-writer split of `tests/data/pendigits/pendigits-orig.tra`, defined once: tune on these… */
export const PEN_TUNING_WRITERS: readonly number[] = Array.from({ length: 20 }, (_, i) => i + 1);
/** …and report on these (never used to train or tune anything). */
export const PEN_HELDOUT_WRITERS: readonly number[] = Array.from({ length: 10 }, (_, i) => i + 21);

export class PenFileError extends Error {}

/** Parse a UNIPEN digit file. Throws PenFileError with a one-line message on anything malformed. */
export function parsePenDigits(text: string, source = 'pen file'): PenDigit[] {
  const digits: PenDigit[] = [];
  let current: PenDigit | null = null;
  let stroke: { x: number; y: number }[] | null = null;
  const lines = text.split(/\r?\n/);
  const fail = (i: number, why: string): never => {
    throw new PenFileError(`${source}: line ${i + 1}: ${why}`);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    if (line.startsWith('.SEGMENT')) {
      if (stroke) fail(i, '.SEGMENT inside a .PEN_DOWN block');
      const m = /^\.SEGMENT\s+DIGIT\b.*"([0-9])"\s*$/.exec(line);
      if (!m) fail(i, `expected '.SEGMENT DIGIT … "0-9"', got '${line.slice(0, 60)}'`);
      current = { label: Number(m![1]), writer: 0, strokes: [] };
      digits.push(current);
    } else if (line.startsWith('.COMMENT')) {
      const f = line.split(/\s+/);
      if (current && current.strokes.length === 0 && f.length >= 3 && /^\d+$/.test(f[2])) current.writer = Number(f[2]);
    } else if (line.startsWith('.PEN_DOWN')) {
      if (!current) fail(i, '.PEN_DOWN before any .SEGMENT DIGIT');
      if (stroke) fail(i, '.PEN_DOWN inside a .PEN_DOWN block');
      stroke = [];
    } else if (line.startsWith('.PEN_UP')) {
      if (!stroke) fail(i, '.PEN_UP without .PEN_DOWN');
      if (stroke!.length) current!.strokes.push(stroke!);
      stroke = null;
    } else if (line.startsWith('.')) {
      continue; // .DT, .INCLUDE, .LEXICON, .HIERARCHY, … carry nothing we draw
    } else {
      const f = line.split(/\s+/);
      const x = Number(f[0]), y = Number(f[1]);
      if (!current) fail(i, "not a UNIPEN digit file: expected '.SEGMENT DIGIT' lines before any points");
      if (!stroke) fail(i, `a point outside .PEN_DOWN … .PEN_UP: '${line.slice(0, 40)}'`);
      if (f.length < 2 || !Number.isFinite(x) || !Number.isFinite(y)) fail(i, `expected 'x y', got '${line.slice(0, 40)}'`);
      stroke!.push({ x, y });
    }
  }
  if (stroke) throw new PenFileError(`${source}: ends inside a .PEN_DOWN block`);
  if (digits.length === 0) throw new PenFileError(`${source}: no '.SEGMENT DIGIT' lines: not a UNIPEN digit file`);
  const blank = digits.findIndex((d) => d.strokes.length === 0);
  if (blank >= 0) throw new PenFileError(`${source}: digit ${blank + 1} has no pen strokes`);
  return digits;
}

export function loadPenDigits(file: string): PenDigit[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PenFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePenDigits(text, file);
}

/** The tablet side the file's digits are mapped from: TABLET_SIDE, or the file's largest coordinate beyond it. */
export function tabletSide(digits: readonly PenDigit[]): number {
  let max = TABLET_SIDE;
  for (const d of digits) for (const s of d.strokes) for (const p of s) max = Math.max(max, p.x, p.y);
  return max;
}

/** The digit as the sketchpad would hold it: pad units 0-1, y down, points added through `Sketch`. */
export function toSketch(digit: PenDigit, side = TABLET_SIDE): readonly Stroke[] {
  const sketch = new Sketch();
  for (const s of digit.strokes) {
    const points = s.map((p) => ({ x: p.x / side, y: 1 - p.y / side, pressure: 0.5 }));
    sketch.begin(points[0]);
    sketch.extend(points.slice(1));
    sketch.end();
  }
  return sketch.strokes;
}
