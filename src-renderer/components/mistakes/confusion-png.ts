// The confusion matrix as a PNG-ready canvas: counts in a 10×10 grid, green diagonal, red mistakes
// (darker = more), with axis labels and a title.
import { CLASSES } from '../../../src-shared/domain.js';

const CELL = 44;
const HEAD = 24;
const MARGIN = 16;

export function renderConfusion(confusion: number[][], title: string): HTMLCanvasElement {
  const top = MARGIN + 38 + HEAD;
  const left = MARGIN + HEAD;
  const canvas = document.createElement('canvas');
  canvas.width = left + CLASSES * CELL + MARGIN;
  canvas.height = top + CLASSES * CELL + MARGIN;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#16181d';
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillText(title, MARGIN, MARGIN + 12);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#8a8fa0';
  ctx.fillText('rows: actual · columns: predicted', MARGIN, MARGIN + 28);

  const maxOff = Math.max(1, ...confusion.flatMap((row, a) => row.filter((_, p) => p !== a)));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let k = 0; k < CLASSES; k++) {
    ctx.fillStyle = '#5b6070';
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.fillText(String(k), left + k * CELL + CELL / 2, top - HEAD / 2);
    ctx.fillText(String(k), left - HEAD / 2, top + k * CELL + CELL / 2);
  }
  for (let a = 0; a < CLASSES; a++) {
    const total = Math.max(1, confusion[a].reduce((s, v) => s + v, 0));
    for (let p = 0; p < CLASSES; p++) {
      const v = confusion[a][p];
      const x = left + p * CELL;
      const y = top + a * CELL;
      const alpha = v === 0 ? 0 : a === p ? 0.25 + 0.75 * (v / total) : 0.15 + 0.85 * Math.sqrt(v / maxOff);
      ctx.fillStyle = '#f0f1f5';
      ctx.fillRect(x + 1, y + 1, CELL - 2, CELL - 2);
      ctx.fillStyle = a === p ? `rgba(21, 128, 61, ${alpha})` : `rgba(220, 38, 38, ${alpha})`;
      ctx.fillRect(x + 1, y + 1, CELL - 2, CELL - 2);
      if (v > 0) {
        ctx.fillStyle = alpha > 0.6 ? '#ffffff' : '#16181d';
        ctx.font = `${a === p ? '600 ' : ''}12px system-ui, sans-serif`;
        ctx.fillText(String(v), x + CELL / 2, y + CELL / 2);
      }
    }
  }
  return canvas;
}
