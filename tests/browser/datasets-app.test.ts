// Your own images in the app (browser mode, Debian chromium via playwright-core, the real engine process): add a
// generated image folder by its path in the Train view's dataset picker (progress, per-class counts, skipped files),
// train on it, and see the class names in the Gallery and the confusion matrix; the digit model stays the Sketchpad's.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserMissing, startApp, type AppHandle } from '../helpers/browser.js';
import { SHAPES, writeShapesFolder } from '../helpers/image-folder.js';

const missing = browserMissing();
if (missing) console.warn(`dataset app tests skipped: ${missing}`);

describe.skipIf(!!missing)('datasets in the app (browser mode)', () => {
  let app: AppHandle;
  const work = mkdtempSync(path.join(os.tmpdir(), 'dl-datasets-app-'));
  const folder = path.join(work, 'shapes');

  beforeAll(async () => {
    writeShapesFolder(folder);
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('adds an image folder, trains on it, and shows its class names in the Gallery and the confusion matrix', async () => {
    const { page } = app;
    const shots = path.join(ROOT, 'artifacts/screenshots');
    mkdirSync(shots, { recursive: true });
    await page.getByTestId('train-form').waitFor();
    // The picker lists MNIST; a bad path is refused in one line.
    await expect.poll(() => page.getByTestId('train-dataset').locator('option').allTextContents(), { timeout: 30_000 }).toContainEqual(
      expect.stringMatching(/^MNIST — 10 classes/),
    );
    await page.getByTestId('dataset-add-open').click();
    // Browser mode has no system folder picker: the path is typed.
    await page.getByTestId('dataset-folder').waitFor();
    expect(await page.getByTestId('dataset-choose').count()).toBe(0);
    await page.getByTestId('dataset-folder').fill(path.join(work, 'nowhere'));
    await page.getByTestId('dataset-add-submit').click();
    await expect.poll(() => page.getByTestId('dataset-error').textContent(), { timeout: 30_000 }).toMatch(/nowhere: data folder not found$/);
    // The folder: counts per class and the skipped files.
    await page.getByTestId('dataset-folder').fill(folder);
    await page.getByTestId('dataset-add-submit').click();
    await page.getByTestId('dataset-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('dataset-count').allTextContents()).toEqual(['bar 10+2', 'circle 10+2', 'cross 10+2']);
    expect(await page.getByTestId('dataset-skipped').textContent()).toBe('3 files skipped');
    await expect.poll(() => page.getByTestId('train-dataset').inputValue()).toBe(folder);
    expect(await page.getByTestId('train-dataset').locator('option:checked').textContent()).toMatch(/shapes — 3 classes \(your images\)/);
    await page.screenshot({ path: path.join(shots, 'datasets-picker.png') });

    await page.getByTestId('preset-fast').check();
    await page.getByTestId('epochs').fill('12');
    await page.getByTestId('batch-size').fill('8');
    await page.getByTestId('train-size').fill('0');
    await page.getByTestId('train').click();
    await page.getByTestId('train-result').waitFor({ timeout: 180_000 });
    const accuracy = Number((await page.getByTestId('test-accuracy').textContent())!.replace('%', ''));
    console.log(`image folder in the app (3 shapes), fast, 12 epochs: ${accuracy}% test accuracy`);
    const model = (await page.getByTestId('model-name-result').textContent())!.trim();
    expect(await page.getByTestId('result-active').textContent()).toMatch(/Now the active model for shapes;\s+the digit model is unchanged/);
    // The end-of-run confusion matrix: 3 rows named by class.
    await expect.poll(() => page.getByTestId('confusion-row').allTextContents(), { timeout: 30_000 }).toEqual([...SHAPES]);

    // Gallery: the run's test images, labelled with the class names.
    await page.getByTestId('nav-gallery').click();
    // The header names the picked model's own test set and counts it: a digit model's is MNIST's.
    const galleryOptions = await page.getByTestId('gallery-model').locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));
    const digitModel = galleryOptions.find(([, text]) => !text.includes('shapes'))![0];
    await page.getByTestId('gallery-model').selectOption(digitModel);
    await expect.poll(() => page.getByTestId('gallery-about').textContent(), { timeout: 30_000 }).toMatch(/^Random images from the 10\u00a0000 test images of MNIST /);
    await page.getByTestId('gallery-model').selectOption(model);
    await expect.poll(() => page.getByTestId('gallery-about').textContent()).toMatch(/^Random images from the 6 test images of shapes /);
    await expect.poll(() => page.getByTestId('sample-label').allTextContents(), { timeout: 60_000 }).toHaveLength(6);
    for (const label of await page.getByTestId('sample-label').allTextContents()) expect(SHAPES).toContain(label);
    for (const p of await page.getByTestId('sample-predicted').allTextContents()) expect(SHAPES).toContain(p);
    await page.screenshot({ path: path.join(shots, 'datasets-gallery.png') });

    // Mistakes: the confusion matrix has the three classes.
    await page.getByTestId('nav-mistakes').click();
    await page.getByTestId('mistakes-model').selectOption(model);
    await expect.poll(() => page.getByTestId('mistakes-about').textContent()).toMatch(/^Which of the 6 test images of shapes the network gets wrong/);
    await page.getByTestId('mistakes-evaluate').click();
    await expect.poll(() => page.getByTestId('confusion-row').allTextContents(), { timeout: 60_000 }).toEqual([...SHAPES]);
    expect(await page.getByTestId('confusion-col').allTextContents()).toEqual([...SHAPES]);

    // The Sketchpad reads digits: the shapes model is not offered there.
    await page.getByTestId('nav-sketchpad').click();
    const options = await page.getByTestId('sketch-model').locator('option').allTextContents();
    expect(options.some((o) => o.startsWith(model))).toBe(false);
    // The Models view shows each model's dataset.
    await page.getByTestId('nav-models').click();
    await expect
      .poll(() => page.locator(`[data-testid="model-row"][data-name="${model}"] [data-testid="model-dataset"]`).textContent(), { timeout: 30_000 })
      .toMatch(/shapes · 3 classes/);
  });
});
