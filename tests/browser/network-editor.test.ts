// The network editor in a real browser (Debian chromium via playwright-core) against browser mode: from the `fast`
// template, remove a layer, add a Conv2D (first where it cannot go: Train is disabled with the reason), move it, change
// its filters; the shapes and totals follow; paste refuses bad text in one line; the design survives a reload; the speed
// is measured by the engine; a short run trains the designed layers (model.json); the design is saved as a My network
// (and one deleted); the Inside view draws it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserMissing, startApp, type AppHandle } from '../helpers/browser.js';

const missing = browserMissing();
if (missing) console.warn(`network editor tests skipped: ${missing}`);

const SHOTS = path.join(ROOT, 'artifacts/screenshots');

/** The layers of a saved model's model.json: class name and filters / units. */
function modelLayers(home: string, name: string): string[] {
  const dir = path.join(home, 'models', name);
  const file = path.join(dir, readFileSync(path.join(dir, 'current'), 'utf8').trim(), 'model.json');
  const layers = JSON.parse(readFileSync(file, 'utf8')).modelTopology.config.layers as { class_name: string; config: { filters?: number; units?: number } }[];
  return layers.map((l) => `${l.class_name}${l.config.filters ?? l.config.units ?? ''}`);
}

const texts = async (page: Page, id: string) => page.getByTestId(id).allTextContents();

describe.skipIf(!!missing)('network editor (browser mode)', () => {
  let app: AppHandle;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-editor-'));
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp({ home });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('edits the fast template: shapes and totals follow; an impossible edit disables Train with the reason', async () => {
    const { page } = app;
    await expect.poll(() => page.getByTestId('backend-badge').textContent(), { timeout: 30_000 }).toMatch(/\S/);
    await page.getByTestId('design-toggle').check();
    await page.getByTestId('template').selectOption('preset:fast');
    const rows = page.getByTestId('layer-row');
    expect(await rows.count()).toBe(9); // 8 layers and the output
    expect(await page.getByTestId('network-totals').textContent()).toMatch(/80,202 params · 1,116,416 multiply-adds per image/);
    expect(await page.getByTestId('network-text').textContent()).toBe('conv16k5-relu,maxpool2,conv32k5-relu,maxpool2,flatten,dropout0.25,dense128-relu,dropout0.4');

    // Remove the first dropout, add a Conv2D: at the end it follows a Dense, which cannot be.
    await rows.nth(5).getByTestId('layer-remove').click();
    expect(await rows.count()).toBe(8);
    await page.getByTestId('add-kind').selectOption('conv');
    await page.getByTestId('add-layer').click();
    expect(await rows.count()).toBe(9);
    const reason = 'Conv2D needs a 3-D input (height×width×channels), but the output before it is 128: put it before flatten';
    expect(await rows.nth(7).getByTestId('layer-problem').textContent()).toBe(reason); // flagged at the layer
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    expect(await page.getByTestId('train-disabled-reason').textContent()).toBe(`Cannot train this network: layer 8 'conv16k3-same-relu': ${reason}`);
    await page.screenshot({ path: path.join(SHOTS, 'network-editor-broken.png'), fullPage: true });

    // Move it up after the second convolution, then give it 24 filters.
    for (let i = 0; i < 4; i++) await rows.nth(7 - i).getByLabel('move up').click();
    expect(await page.getByTestId('layer-problem').count()).toBe(0);
    expect(await page.getByTestId('train').isDisabled()).toBe(false);
    await rows.nth(3).getByTestId('layer-filters').fill('24');
    expect(await texts(page, 'layer-shape')).toEqual(['24×24×16', '12×12×16', '8×8×32', '8×8×24', '4×4×24', '384', '128', '128', '10']);
    expect(await rows.nth(3).getByTestId('layer-params').textContent()).toBe('6,936'); // 3·3·32·24 + 24
    expect(await rows.nth(3).getByTestId('layer-macs').textContent()).toBe('442,368'); // 8·8·24 · 3·3·32
    // 416 + 12 832 + 6 936 + (384·128 + 128) + 1 290; 230 400 + 819 200 + 442 368 + 49 152 + 1 280
    expect(await page.getByTestId('network-totals').textContent()).toMatch(/70,754 params · 1,542,400 multiply-adds per image/);
    expect(await page.getByTestId('network-text').textContent()).toBe('conv16k5-relu,maxpool2,conv32k5-relu,conv24k3-same-relu,maxpool2,flatten,dense128-relu,dropout0.4');

    // A kernel larger than what is left shrinks the size below 1.
    await rows.nth(3).getByTestId('layer-padding').selectOption('valid');
    await rows.nth(3).getByTestId('layer-kernel').fill('9');
    expect(await page.getByTestId('train-disabled-reason').textContent()).toContain("layer 4 'conv24k9-relu': output size below 1: a 9×9 window on 8×8×32");
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    await rows.nth(3).getByTestId('layer-kernel').fill('3');
    await rows.nth(3).getByTestId('layer-padding').selectOption('same');
    expect(await page.getByTestId('train').isDisabled()).toBe(false);
  });

  it('paste refuses bad text in one line and keeps the design; good text replaces it', async () => {
    const { page } = app;
    const before = await page.getByTestId('network-text').textContent();
    await page.getByTestId('paste-text').fill('conv8k3-relu,flatten,dense10x');
    await page.getByTestId('paste-apply').click();
    expect(await page.getByTestId('network-message').textContent()).toMatch(/^cannot paste: layer 3 'dense10x': /);
    expect(await page.getByTestId('network-text').textContent()).toBe(before);
    await page.getByTestId('paste-text').fill(before!);
    await page.getByTestId('paste-apply').click();
    expect(await page.getByTestId('network-message').count()).toBe(0);
  });

  it('keeps the design across a page reload (localStorage): on, its template, every layer', async () => {
    const { page } = app;
    const before = await page.getByTestId('network-text').textContent();
    expect(before).toBe('conv16k5-relu,maxpool2,conv32k5-relu,conv24k3-same-relu,maxpool2,flatten,dense128-relu,dropout0.4');
    await page.reload();
    await expect.poll(() => page.getByTestId('network-text').textContent(), { timeout: 30_000 }).toBe(before);
    expect(await page.getByTestId('design-toggle').isChecked()).toBe(true);
    expect(await page.getByTestId('template').inputValue()).toBe('preset:fast');
    expect(await page.getByTestId('layer-row').count()).toBe(9);
    expect(await page.getByTestId('network-totals').textContent()).toMatch(/70,754 params · 1,542,400 multiply-adds per image/);
    expect(await page.getByTestId('train').isDisabled()).toBe(false);
  });

  it('measures the speed on the engine, then trains a short run of the designed layers', async () => {
    const { page } = app;
    await page.getByTestId('measure').click();
    const speed = async () => (await page.getByTestId('network-speed').textContent())?.replace(/\s+/g, ' ');
    await expect.poll(speed, { timeout: 120_000 }).toMatch(/[\d,]+ images\/s at batch \d+ on cpu · an epoch of 55,000 images ≈/);
    expect(await page.getByTestId('network-kernels').textContent()).toMatch(/\S/);

    await page.getByTestId('train-size').fill('256');
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('batch-size').fill('64');
    if (!(await page.getByTestId('validation-size').isVisible())) await page.getByText('More options').click();
    await page.getByTestId('validation-size').fill('200');
    await page.getByTestId('model-name').fill('designed-ui');
    await page.getByTestId('train').click();
    await page.getByTestId('train-result').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('train-state').textContent()).toBe('Finished');
    expect(modelLayers(home, 'designed-ui')).toEqual([
      'Conv2D16', 'MaxPooling2D', 'Conv2D32', 'Conv2D24', 'MaxPooling2D', 'Flatten', 'Dense128', 'Dropout', 'Dense10',
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'network-editor.png'), fullPage: true });
  }, 300_000);

  it('saves the design as a My network, offered as a template', async () => {
    const { page } = app;
    await page.getByTestId('save-name').fill('ui-net');
    await page.getByTestId('save-network').click();
    await expect.poll(() => page.getByTestId('template').locator('option[value="saved:ui-net"]').count()).toBe(1);
    const file = path.join(home, 'networks', 'ui-net.json');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).layers).toBe(await page.getByTestId('network-text').textContent());
    await page.getByTestId('template').selectOption('empty');
    expect(await page.getByTestId('layer-row').count()).toBe(1);
    await page.getByTestId('template').selectOption('saved:ui-net');
    expect(await page.getByTestId('layer-row').count()).toBe(9);
    // Saved again under another name, then deleted: gone from the list and the folder.
    await page.getByTestId('save-name').fill('ui-net-2');
    await page.getByTestId('save-network').click();
    await expect.poll(() => page.getByTestId('template').inputValue()).toBe('saved:ui-net-2');
    await page.getByTestId('delete-network').click();
    await expect.poll(() => page.getByTestId('template').locator('option[value="saved:ui-net-2"]').count()).toBe(0);
    expect(existsSync(path.join(home, 'networks', 'ui-net-2.json'))).toBe(false);
    expect(existsSync(file)).toBe(true);
  });

  it('the Inside view draws the designed layers', async () => {
    const { page } = app;
    await page.keyboard.press('Control+6');
    await page.getByTestId('view-inside').waitFor();
    const picker = page.getByTestId('inside-model');
    await expect.poll(() => picker.locator('option[value="designed-ui"]').count(), { timeout: 30_000 }).toBe(1);
    await picker.selectOption('designed-ui');
    const pad = (await page.getByTestId('sketch-canvas').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.52, pad.y + pad.height * 0.8, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('inside-result').getAttribute('data-model'), { timeout: 30_000 }).toBe('designed-ui');
    const shapes = await page.getByTestId('inside-layer').evaluateAll((els) => els.map((e) => e.getAttribute('data-shape')));
    expect(shapes).toEqual(['28x28x1', '24x24x16', '12x12x16', '8x8x32', '8x8x24', '4x4x24', '384', '128', '128', '10']);
    expect(await page.getByTestId('inside-layer').nth(4).getByTestId('inside-tile').count()).toBe(24);
    await page.screenshot({ path: path.join(SHOTS, 'network-editor-inside.png'), fullPage: true });
  });
});
