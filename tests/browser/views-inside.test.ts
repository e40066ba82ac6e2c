// The inside view and your handwriting in a real browser (Debian chromium via playwright-core) against browser mode: the Inside view fills
// with every layer's output for a drawing (tiles per channel checked against the model's own layer list in
// model.json), "Look inside" from the Gallery, five examples of the user's handwriting and a fine-tune that makes
// a new model with before/after figures, and the Train view's end-of-run charts (per-digit accuracy, confusion
// matrix, learning-rate schedule) after a tiny run.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserMissing, startApp, type AppHandle } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { readMeta } from '../helpers/keras.js';

const missing = browserMissing();
if (missing) console.warn(`inside view tests skipped: ${missing}`);

const SHOTS = path.join(ROOT, 'artifacts/screenshots');
const SHIPPED = process.env.DIGIT_LAB_MODELS ?? path.join(ROOT, 'models');

async function train(home: string, ...args: string[]): Promise<void> {
  const r = await runCli(home, 'train', '--epochs', '1', '--validation-size', '200', ...args);
  if (r.code !== 0) throw new Error(`digit-lab train ${args.join(' ')} failed: ${r.stderr}`);
}

/** The model's layers as its model.json lists them: class name and filters / units. */
function modelLayers(dir: string): { className: string; channels: number | null }[] {
  let file = path.join(dir, 'model.json');
  if (!existsSync(file)) file = path.join(dir, readFileSync(path.join(dir, 'current'), 'utf8').trim(), 'model.json');
  const topology = JSON.parse(readFileSync(file, 'utf8')).modelTopology;
  const config = (topology.model_config ?? topology).config;
  const layers = (Array.isArray(config) ? config : config.layers) as { class_name: string; config: { filters?: number; units?: number } }[];
  return layers
    .filter((l) => l.class_name !== 'InputLayer')
    .map((l) => ({ className: l.class_name, channels: l.config.filters ?? l.config.units ?? null }));
}

/** Draw one straight stroke on the pad from (x0, y0) to (x1, y1), in pad fractions; returns when released. */
async function drawStroke(page: Page, [x0, y0]: [number, number], [x1, y1]: [number, number]): Promise<void> {
  const pad = (await page.getByTestId('sketch-canvas').boundingBox())!;
  await page.mouse.move(pad.x + pad.width * x0, pad.y + pad.height * y0);
  await page.mouse.down();
  await page.mouse.move(pad.x + pad.width * x1, pad.y + pad.height * y1, { steps: 12 });
  await page.mouse.up();
}

/** Draw one vertical stroke (a "1") on the pad, a little offset by `dx` (pad fraction); returns when released. */
async function drawOne(page: Page, dx = 0): Promise<void> {
  await drawStroke(page, [0.5 + dx, 0.2], [0.53 + dx, 0.8]);
}

/** The Inside view's input tile (the 28×28 image the model was given) as 784 grey levels, read from its canvas. */
async function inputTile(page: Page): Promise<number[]> {
  return page.getByTestId('inside-layer').nth(0).locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return Array.from({ length: c.width * c.height }, (_, i) => px[i * 4]);
  });
}

/** Wait until the Inside view shows a result read after the last pointer-up (`lastPointer`, on the page's clock). */
async function waitForResultAfterPointer(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const read = Number(document.querySelector('[data-testid="inside-result"]')?.getAttribute('data-read'));
    return read >= (window as unknown as { lastPointer: number }).lastPointer;
  }, undefined, { timeout: 30_000 });
}

describe.skipIf(!!missing)('Inside view, your handwriting and the Train view charts (browser mode)', () => {
  let app: AppHandle;
  let home: string;
  /** A CNN: the shipped default when present, else one trained here. */
  let cnn: string;
  let cnnDir: string;
  const small = 'inside-mlp';

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-inside-'));
    if (existsSync(path.join(SHIPPED, 'default/model.json'))) {
      cnn = 'default';
      cnnDir = path.join(SHIPPED, 'default');
    } else {
      cnn = 'inside-cnn';
      await train(home, '--preset', 'fast', '--train-size', '3000', '--name', cnn);
      cnnDir = path.join(home, 'models', cnn);
    }
    await train(home, '--preset', 'mlp', '--train-size', '3000', '--name', small);
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp({ home });
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('Inside: a drawing fills every layer, one tile per channel, as the model lists its layers', async () => {
    const { page } = app;
    await page.keyboard.press('Control+6');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#inside');
    await page.getByTestId('view-inside').waitFor();
    const picker = page.getByTestId('inside-model');
    await expect.poll(() => picker.locator(`option[value="${cnn}"]`).count(), { timeout: 30_000 }).toBe(1);
    await picker.selectOption(cnn);

    // Time from the last pointer event (its timeStamp, on the page's clock) to the view showing that drawing: the
    // first result whose image was read after that event.
    await page.evaluate(() => {
      const w = window as unknown as { lastPointer: number };
      window.addEventListener('pointerup', (e) => (w.lastPointer = e.timeStamp), { capture: true });
    });
    await drawOne(page);
    await waitForResultAfterPointer(page);
    const latency = await page.evaluate(
      () => Number(document.querySelector('[data-testid="inside-result"]')!.getAttribute('data-updated')) - (window as unknown as { lastPointer: number }).lastPointer,
    );
    // For information only: speed is measured by bench/activations.ts, not asserted here.
    console.log(`inside view: ${latency.toFixed(0)} ms from the last pointer event to every layer drawn (${cnn}, load ${os.loadavg()[0].toFixed(2)})`);
    expect(await page.getByTestId('inside-result').getAttribute('data-model')).toBe(cnn);
    // The view shows this drawing: the input tile holds a stroke (not a blank or a stale image)...
    const vertical = await inputTile(page);
    const inked = (tile: number[]) => tile.filter((v) => v > 128).length;
    expect(inked(vertical)).toBeGreaterThan(20);
    expect(inked(vertical)).toBeLessThan(400);
    // ...and a new drawing replaces it: a horizontal stroke, after Clear, is a different input (centring by mass
    // makes a shifted copy of the same stroke the same input, so the shape differs).
    await page.getByTestId('inside-clear').click();
    await drawStroke(page, [0.2, 0.5], [0.8, 0.53]);
    await waitForResultAfterPointer(page);
    const horizontal = await inputTile(page);
    expect(inked(horizontal)).toBeGreaterThan(20);
    expect(vertical.filter((v, i) => Math.abs(v - horizontal[i]) > 128).length).toBeGreaterThan(20);
    await page.getByTestId('inside-clear').click();
    await drawOne(page); // the first drawing again (the checks below and the Sketchpad's stroke count use it)
    await waitForResultAfterPointer(page);
    const again = await inputTile(page);
    expect(again.filter((v, i) => Math.abs(v - vertical[i]) > 32).length).toBeLessThanOrEqual(5);

    const expected = modelLayers(cnnDir);
    const layers = page.getByTestId('inside-layer');
    expect(await layers.count()).toBe(expected.length + 1); // the input, then every layer
    expect(await layers.nth(0).getAttribute('data-shape')).toBe('28x28x1');
    expect(await layers.nth(0).getByTestId('inside-tile').count()).toBe(1);
    let channels = 1;
    for (const [i, l] of expected.entries()) {
      const layer = layers.nth(i + 1);
      const shape = (await layer.getAttribute('data-shape'))!.split('x').map(Number);
      if (l.className === 'Conv2D' || l.className === 'Dense') channels = l.channels!;
      if (l.className === 'Flatten') channels = shape[0];
      if (shape.length === 3) {
        expect(shape[2], `${l.className} channels`).toBe(channels);
        expect(await layer.getByTestId('inside-tile').count(), `${l.className} tiles`).toBe(channels);
      } else {
        expect(shape).toEqual([channels]);
        expect(Number(await layer.getByTestId('inside-bars').getAttribute('data-units'))).toBe(channels);
      }
    }
    const firstConv = expected.find((l) => l.className === 'Conv2D');
    if (firstConv) expect(await page.getByTestId('inside-filter').count()).toBe(firstConv.channels);
    // The softmax: ten bars that sum to 1 is the engine's job; here, the last layer has ten units.
    expect(await layers.last().getAttribute('data-shape')).toBe('10');

    // Hovering a tile enlarges it.
    await layers.nth(1).getByTestId('inside-tile').nth(3).hover();
    await expect.poll(() => page.getByTestId('inside-focus').textContent()).toMatch(/channel 3/);
    await page.screenshot({ path: path.join(SHOTS, 'inside.png'), fullPage: true });

    // The same drawing is on the Sketchpad.
    await page.keyboard.press('Control+3');
    await expect.poll(() => page.getByTestId('sketch-strokes').textContent()).toBe('1');
  });

  it('Inside: "Look inside" on a Gallery image shows that image', async () => {
    const { page } = app;
    await page.getByTestId('nav-gallery').click();
    const cards = page.getByTestId('sample');
    await cards.first().waitFor({ timeout: 60_000 });
    await cards.first().click();
    await page.getByTestId('look-inside').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#inside');
    await page.getByTestId('inside-back-to-drawing').waitFor();
    await page.getByTestId('inside-result').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('inside-layer').count()).toBeGreaterThan(2);
    await page.getByTestId('inside-back-to-drawing').click();
    await page.getByTestId('inside-clear').click();
  });

  it('Your handwriting: five examples and a fine-tune make a new model that learned them, its figures shown', async () => {
    const { page } = app;
    await page.getByTestId('nav-sketchpad').click();
    await expect.poll(() => page.getByTestId('sketch-model').locator(`option[value="${small}"]`).count(), { timeout: 30_000 }).toBe(1);
    await page.getByTestId('sketch-model').selectOption(small);
    for (let i = 0; i < 5; i++) {
      await page.getByTestId('sketch-clear').click().catch(() => {});
      await drawOne(page, (i - 2) * 0.04);
      await page.getByTestId('predicted-digit').waitFor({ timeout: 10_000 });
      // Labelled 7: the MLP reads a vertical stroke as a 1, so it gets the held-out example wrong until it learns.
      await page.getByTestId('teach-label').selectOption('7');
      await page.getByTestId('teach-add').click();
      await expect.poll(() => page.getByTestId('teach-example').count()).toBe(i + 1);
    }
    await page.getByTestId('teach-finetune').click();
    await page.getByTestId('teach-result').waitFor({ timeout: 180_000 });
    const name = (await page.getByTestId('teach-new-model').textContent())!;
    expect(name).toMatch(new RegExp(`^${small}-tuned-\\d+$`));
    // The card shows the figures the engine recorded with the new model, and they say it learned: the held-out
    // example is read as 7 after (wrong before). Teaching that a 1-like stroke is a 7 costs MNIST some of its 1s
    // (measured 84.7% → 77.5%), but MNIST replay keeps the rest: the drop stays under the 1s' share of the test set
    // (11.35%) plus a margin.
    const { before, after } = readMeta(home, name).finetune!;
    const pct = (v: number | null) => `${(v! * 100).toFixed(1)}%`;
    expect(await page.getByTestId('teach-user-row').locator('td.num').allTextContents()).toEqual([pct(before.user), pct(after.user)]);
    expect(await page.getByTestId('teach-mnist-row').locator('td.num').allTextContents()).toEqual([pct(before.mnist), pct(after.mnist)]);
    expect(after.user!).toBeGreaterThan(before.user!);
    expect(after.mnist!).toBeGreaterThanOrEqual(before.mnist! - 0.15);
    await page.screenshot({ path: path.join(SHOTS, 'sketchpad-finetune.png'), fullPage: true });
    // The new model is in the models list; the original is still there.
    await page.getByTestId('nav-models').click();
    await page.locator(`[data-testid="model-row"][data-name="${name}"]`).waitFor({ timeout: 30_000 });
    await page.locator(`[data-testid="model-row"][data-name="${small}"]`).waitFor();
    expect(existsSync(path.join(home, 'samples'))).toBe(true);
  }, 240_000);

  it('Train: after a tiny run, the per-digit accuracy, the confusion matrix and the learning-rate curve', async () => {
    const { page } = app;
    await page.keyboard.press('Control+1');
    await page.getByTestId('train-form').waitFor();
    await page.getByTestId('preset-mlp').check();
    await page.getByTestId('train-size').fill('1000');
    await page.getByTestId('epochs').fill('2');
    await page.getByTestId('batch-size').fill('100');
    if (!(await page.getByTestId('validation-size').isVisible())) await page.getByText('More options').click();
    await page.getByTestId('validation-size').fill('200');
    await page.getByTestId('train').click();
    await page.getByTestId('train-result').waitFor({ timeout: 180_000 });
    await page.getByTestId('train-end-charts').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('class-accuracy').count()).toBe(1);
    expect(await page.locator('[data-testid^="confusion-cell-"]').count()).toBeGreaterThanOrEqual(10);
    expect(Number(await page.getByTestId('chart-lr').getAttribute('data-points'))).toBeGreaterThan(50);
    await page.getByTestId('train-end-charts').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'train-end-charts.png'), fullPage: true });
    await page.getByTestId('chart-lr').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'train-lr-schedule.png') });
    expect(app.pageErrors).toEqual([]);
  }, 240_000);
});
