// Real pen-drawn digits (tests/data/pendigits, UCI pendigits training writers): the UNIPEN parser on the real
// file and on bad input, and the Node rendering of a trajectory (Skia via @napi-rs/canvas + the renderer's
// own drawing and preprocessing code) against Chromium's, pixel for pixel, through the sketchpad's own
// sketchToMnist on an OffscreenCanvas.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderForModel, RASTER_SIDE } from '../../src-shared/sketch/rasterize.js';
import type { Stroke } from '../../src-shared/sketch/strokes.js';
import { nodeRasterContext, renderPenDigits } from '../../src-main/engine/data/pen-render.js';
import {
  loadPenDigits, parsePenDigits, PEN_HELDOUT_WRITERS, PEN_TUNING_WRITERS, PenFileError, toSketch, type PenDigit,
} from '../../src-main/engine/data/pendigits.js';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from '../helpers/browser.js';
import { PEN_FILE as FILE } from '../helpers/data.js';

describe('pendigits file', () => {
  let digits: PenDigit[];
  beforeAll(() => {
    digits = loadPenDigits(FILE);
  });

  it('holds 7 494 digits by 30 writers with the class counts of its README', () => {
    expect(digits.length).toBe(7494);
    const perClass = Array(10).fill(0);
    for (const d of digits) perClass[d.label]++;
    expect(perClass).toEqual([780, 779, 780, 719, 780, 720, 720, 778, 719, 719]);
    const writers = new Set(digits.map((d) => d.writer));
    expect([...writers].sort((a, b) => a - b)).toEqual([...PEN_TUNING_WRITERS, ...PEN_HELDOUT_WRITERS]);
    for (const w of writers) expect(digits.filter((d) => d.writer === w).length).toBeGreaterThanOrEqual(247);
    const twoStrokes = digits.filter((d) => d.strokes.length > 1).length / digits.length;
    expect(twoStrokes).toBeGreaterThan(0.1);
    expect(twoStrokes).toBeLessThan(0.3);
  });

  it('maps the tablet (y up) onto the pad (y down) through the sketch model', () => {
    const d = digits[0]; // an 8 whose first point is near the top of the tablet box
    const strokes = toSketch(d);
    expect(strokes[0][0].x).toBeCloseTo(d.strokes[0][0].x / 500, 6);
    expect(strokes[0][0].y).toBeCloseTo(1 - d.strokes[0][0].y / 500, 6);
    for (const s of strokes) for (const p of s) expect(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1).toBe(true);
  });

  it('rejects malformed files with a one-line error naming the line', () => {
    const bad: [string, RegExp][] = [
      ['hello\n', /line 1: not a UNIPEN digit file/],
      ['.SEGMENT DIGIT 0 ? "3"\n.PEN_DOWN\n 1 2\n 3 x\n.PEN_UP\n', /line 4: expected 'x y'/],
      ['.SEGMENT DIGIT 0 ? "3"\n.PEN_DOWN\n 1 2\n', /ends inside a .PEN_DOWN block/],
      ['.SEGMENT DIGIT 0 ? "3"\n.PEN_UP\n', /line 2: .PEN_UP without .PEN_DOWN/],
      ['.SEGMENT DIGIT 0 ? "3"\n.COMMENT 3 1 1\n', /digit 1 has no pen strokes/],
      ['.SEGMENT WORD 0 ? "hi"\n', /line 1: expected '.SEGMENT DIGIT/],
      ['', /no '.SEGMENT DIGIT' lines/],
    ];
    for (const [text, why] of bad) {
      let err: unknown;
      try {
        parsePenDigits(text, 'bad.txt');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PenFileError);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).not.toContain('\n');
    }
    expect(() => loadPenDigits('/no/such/file.tra')).toThrow(/cannot read \/no\/such\/file.tra: ENOENT/);
  });
});

const noBrowser = !fs.existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install -y chromium)` : null;
if (noBrowser) console.warn(`pendigits browser comparison skipped: ${noBrowser}`);

describe.skipIf(noBrowser)('pen digits drawn in Node match the sketchpad in Chromium', () => {
  let browser: Browser;
  let sample: PenDigit[];
  beforeAll(async () => {
    const all = loadPenDigits(FILE);
    // Two digits of every class from different writers, and every two-stroke digit among the first 60.
    sample = [
      ...Array.from({ length: 10 }, (_, k) => all.filter((d) => d.label === k).slice(0, 2)).flat(),
      ...all.slice(0, 60).filter((d) => d.strokes.length > 1),
    ];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('raster and 28×28 input: max abs difference within a stated tolerance', async () => {
    // The renderer's own module, bundled for the page: sketchToMnist there runs on an OffscreenCanvas, as in the app.
    const bundle = await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        write: false,
        minify: false,
        lib: { entry: path.join(ROOT, 'src-renderer/lib/sketch/browser-raster.ts'), formats: ['iife'], name: 'raster' },
      },
    });
    const output = (Array.isArray(bundle) ? bundle[0] : bundle) as { output: { code?: string }[] };
    const code = output.output[0].code!;
    const page = await browser.newPage();
    await page.addScriptTag({ content: code });
    const strokes = sample.map((d) => toSketch(d));
    const fromBrowser = await page.evaluate(
      ({ strokes, side }) => {
        const r = (globalThis as unknown as { raster: typeof import('../../src-renderer/lib/sketch/browser-raster.js') }).raster;
        const ctx = new OffscreenCanvas(side, side).getContext('2d', { willReadFrequently: true })!;
        return strokes.map((s: Stroke[]) => ({
          raster: Array.from(r.renderForModel(ctx, s)),
          input: Array.from(r.sketchToMnist(s).pixels),
        }));
      },
      { strokes: strokes as Stroke[][], side: RASTER_SIDE },
    );
    await page.close();

    const ctx = await nodeRasterContext();
    const inputs = await renderPenDigits(sample);
    let rasterMax = 0, rasterDiffering = 0, inputMax = 0;
    strokes.forEach((s, i) => {
      const node = renderForModel(ctx, s);
      const chrome = fromBrowser[i].raster;
      for (let p = 0; p < node.length; p += 4) {
        const d = Math.abs(node[p] - chrome[p]);
        rasterMax = Math.max(rasterMax, d);
        if (d > 0) rasterDiffering++;
      }
      for (let p = 0; p < 784; p++) inputMax = Math.max(inputMax, Math.abs(inputs[i * 784 + p] - fromBrowser[i].input[p]));
    });
    const pixels = strokes.length * RASTER_SIDE * RASTER_SIDE;
    console.log(
      `pen digits, Node (Skia via @napi-rs/canvas) vs Chromium, ${strokes.length} digits: raster ${RASTER_SIDE}² max |Δ| ` +
        `${rasterMax}/255 on ${rasterDiffering} of ${pixels} pixels; 28×28 input max |Δ| ${inputMax.toFixed(4)}`,
    );
    // Measured identical (0 of 2 979 200 pixels differ); a little room for Skia builds that round edge pixels differently.
    expect(rasterMax).toBeLessThanOrEqual(4);
    expect(rasterDiffering / pixels).toBeLessThan(0.001);
    expect(inputMax).toBeLessThanOrEqual(0.01);
  }, 120_000);
});
