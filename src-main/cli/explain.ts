// `digit-lab explain digit.png [--class 7] [--method gradient|occlusion] [--out map.png] [--json]`: why the model
// answers what it does: the prediction, the class explained, and its attribution map drawn over the digit (red: evidence
// for the class, blue: against), in the terminal and, with --out, as a PNG (each pixel a 10×10 square).
import path from 'node:path';
import { PNG } from 'pngjs';
import pc from 'picocolors';
import { attributionRgba, enlargeRgba, mapScale } from '../../src-shared/attribution.js';
import { IMAGE_SIDE as SIDE, formatPercent as percent } from '../../src-shared/domain.js';
import { preprocessToMnist } from '../../src-shared/preprocess.js';
import { EXPLAIN_METHOD_INFO, type ExplainMethod } from '../../src-shared/types.js';
import type { DigitLabEngine } from '../engine/engine.js';
import { writeFileAtomic } from '../engine/fsutil.js';
import { readImage } from './image.js';
import { digitLines, sideBySide } from './render.js';

/** Each of the 28×28 pixels as a PNG_SCALE × PNG_SCALE square in the written PNG. */
export const PNG_SCALE = 10;

export interface ExplainCliOptions {
  model?: string;
  class?: number;
  method: ExplainMethod;
  out?: string;
  json?: boolean;
}

/** The overlay as a PNG file's bytes. */
export function overlayPng(pixels: ArrayLike<number>, map: ArrayLike<number>): Buffer {
  const side = SIDE * PNG_SCALE;
  const png = new PNG({ width: side, height: side });
  png.data.set(enlargeRgba(attributionRgba(pixels, map), SIDE, PNG_SCALE));
  return PNG.sync.write(png);
}

/** The map in the terminal: each character two pixel rows; with colour the overlay's colours, else + (for), - (against). */
function mapLines(pixels: ArrayLike<number>, map: ArrayLike<number>, color = pc.isColorSupported): string[] {
  const rgba = attributionRgba(pixels, map);
  const scale = mapScale(map) || 1;
  const lines: string[] = [];
  for (let y = 0; y < SIDE; y += 2) {
    let line = '';
    for (let x = 0; x < SIDE; x++) {
      const [a, b] = [y * SIDE + x, (y + 1) * SIDE + x];
      if (color) {
        const rgb = (i: number) => `${rgba[i * 4]};${rgba[i * 4 + 1]};${rgba[i * 4 + 2]}`;
        line += `\x1b[38;2;${rgb(a)}m\x1b[48;2;${rgb(b)}m▀`;
      } else {
        const v = (Math.abs(map[a]) > Math.abs(map[b]) ? map[a] : map[b]) / scale;
        line += v > 0.25 ? '+' : v < -0.25 ? '-' : Math.max(pixels[a], pixels[b]) > 0 ? '·' : ' ';
      }
    }
    lines.push(color ? line + '\x1b[0m' : line);
  }
  return lines;
}

/** Explain one image file; returns what to print. */
export async function runExplain(e: DigitLabEngine, file: string, o: ExplainCliOptions): Promise<string> {
  const img = readImage(file);
  const pre = preprocessToMnist(img.data, img.width, img.height);
  if (pre.empty) throw new Error(`no digit found in ${path.basename(file)} (no ink)`);
  const r = await e.explain({ pixels: pre.pixels, model: o.model, class: o.class, method: o.method });
  const grey = Array.from(pre.pixels, (v) => Math.round(v * 255));
  if (o.out) writeFileAtomic(path.resolve(o.out), overlayPng(grey, r.map));
  if (o.json) {
    const { model, class: cls, predicted, probability, probs, method } = r;
    return JSON.stringify({ model, class: cls, predicted, probability, probs, method, map: Array.from(r.map), out: o.out ?? null }) + '\n';
  }
  const info = EXPLAIN_METHOD_INFO[r.method];
  const text = [
    `model: ${r.model}`,
    `prediction: ${pc.bold(String(r.predicted))} (${percent(r.probs[r.predicted], 1)})`,
    `explained: ${pc.bold(String(r.class))} (${percent(r.probability, 1)})`,
    `method: ${info.title}: ${info.text}`,
    `${pc.red('red')}: evidence for ${r.class}, ${pc.blue('blue')}: against`,
    ...(o.out ? ['', `wrote ${o.out} (${SIDE * PNG_SCALE}×${SIDE * PNG_SCALE} PNG)`] : []),
  ];
  return [...sideBySide([digitLines(grey), mapLines(grey, r.map), text], '   '), ''].join('\n');
}
