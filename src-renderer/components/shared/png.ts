// PNG export: draw a sheet of digit images with captions on a canvas, and download any canvas as a
// PNG file (canvas.toBlob → object URL → <a download>). Used by the gallery and the mistakes view.
import { IMAGE_SIDE } from '../../../src-shared/domain.js';
import { mnistToRgba } from '../../../src-shared/preprocess.js';

export interface SheetItem {
  /** 784 grey levels 0-255, white ink on black. */
  pixels: ArrayLike<number>;
  caption: string;
  wrong?: boolean;
}

const SCALE = 3;
const CELL = IMAGE_SIDE * SCALE;
const CAPTION = 18;
const PAD = 8;

/** A grid of digits with a caption under each, on a white sheet, with an optional title on top. */
export function renderSheet(items: SheetItem[], title = '', columns = 8): HTMLCanvasElement {
  const cols = Math.max(1, Math.min(columns, items.length || 1));
  const rows = Math.max(1, Math.ceil(items.length / cols));
  const head = title ? 32 : 0;
  const canvas = document.createElement('canvas');
  canvas.width = PAD + cols * (CELL + PAD);
  canvas.height = head + PAD + rows * (CELL + CAPTION + PAD);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (title) {
    ctx.fillStyle = '#16181d';
    ctx.font = '600 15px system-ui, sans-serif';
    ctx.fillText(title, PAD, 22);
  }
  const digit = document.createElement('canvas');
  digit.width = digit.height = IMAGE_SIDE;
  const dctx = digit.getContext('2d')!;
  const image = dctx.createImageData(IMAGE_SIDE, IMAGE_SIDE);
  ctx.imageSmoothingEnabled = false;
  items.forEach((item, k) => {
    const x = PAD + (k % cols) * (CELL + PAD);
    const y = head + PAD + Math.floor(k / cols) * (CELL + CAPTION + PAD);
    image.data.set(mnistToRgba(item.pixels, true));
    dctx.putImageData(image, 0, 0);
    ctx.drawImage(digit, x, y, CELL, CELL);
    if (item.wrong) {
      ctx.strokeStyle = '#dc2626';
      ctx.lineWidth = 3;
      ctx.strokeRect(x + 1.5, y + 1.5, CELL - 3, CELL - 3);
    }
    ctx.fillStyle = item.wrong ? '#dc2626' : '#5b6070';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(item.caption, x, y + CELL + 14, CELL);
  });
  return canvas;
}

/** Save a canvas as a PNG download. */
export function downloadPng(canvas: HTMLCanvasElement, filename: string): Promise<void> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) return reject(new Error('could not encode the PNG'));
      downloadBlob(blob, filename);
      resolve();
    }, 'image/png');
  });
}

/** Offer a blob as a file download. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe timestamp, e.g. 2025-01-31-1405. */
export function stamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}`;
}
