// Canvas rendering of strokes: smooth quadratic curves through the midpoints of successive points,
// round caps and joins, a dot for a single tap.
import type { Stroke } from './strokes.js';

/** The part of a 2D canvas context that stroke drawing uses: the browser's canvases, or a Node canvas
 *  (written out rather than picked from the DOM's types, so the engine side compiles without the DOM lib). */
export interface StrokeContext {
  save(): void;
  restore(): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number): void;
  fill(): void;
  stroke(): void;
  lineCap: string;
  lineJoin: string;
  strokeStyle: unknown;
  fillStyle: unknown;
  lineWidth: number;
}

export interface RenderStyle {
  /** Pen width in pad units. */
  pen: number;
  color: string;
  /** Fill the canvas first; transparent when absent. */
  background?: string;
}

/** Draw all strokes onto a canvas of `width` x `height` device pixels (pad units scale to it). */
export function drawStrokes(
  ctx: StrokeContext,
  strokes: readonly Stroke[],
  width: number,
  height: number,
  style: RenderStyle,
): void {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  if (style.background) {
    ctx.fillStyle = style.background;
    ctx.fillRect(0, 0, width, height);
  } else {
    ctx.clearRect(0, 0, width, height);
  }
  const scale = Math.min(width, height);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = style.color;
  ctx.fillStyle = style.color;
  ctx.lineWidth = style.pen * scale;
  for (const s of strokes) traceStroke(ctx, s, width, height, (style.pen * scale) / 2);
  ctx.restore();
}

function traceStroke(
  ctx: StrokeContext,
  s: Stroke,
  w: number,
  h: number,
  radius: number,
): void {
  if (s.length === 0) return;
  const X = (i: number) => s[i].x * w;
  const Y = (i: number) => s[i].y * h;
  if (s.length === 1) {
    ctx.beginPath();
    ctx.arc(X(0), Y(0), radius, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(X(0), Y(0));
  if (s.length === 2) {
    ctx.lineTo(X(1), Y(1));
  } else {
    for (let i = 1; i < s.length - 1; i++) {
      ctx.quadraticCurveTo(X(i), Y(i), (X(i) + X(i + 1)) / 2, (Y(i) + Y(i + 1)) / 2);
    }
    ctx.lineTo(X(s.length - 1), Y(s.length - 1));
  }
  ctx.stroke();
}
