// The Train view in a real browser (Debian chromium via playwright-core) against browser mode: real engine
// process, real MNIST, real training steps. Small subsets keep it to well under a minute on 2 cores.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserMissing, startApp, type AppHandle } from './helpers/browser.js';

const missing = browserMissing();
if (missing) console.warn(`app tests skipped: ${missing}`);

async function points(page: Page, chart: string): Promise<number> {
  return Number(await page.getByTestId(chart).getAttribute('data-points'));
}

async function waitForPoints(page: Page, chart: string, atLeast: number, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    ([id, n]) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-points')) >= n,
    [chart, atLeast] as const,
    { timeout },
  );
}

async function configure(page: Page, opts: { trainSize: number; epochs: number; batchSize: number }): Promise<void> {
  await page.getByTestId('preset-fast').check();
  await page.getByTestId('train-size').fill(String(opts.trainSize));
  await page.getByTestId('epochs').fill(String(opts.epochs));
  await page.getByTestId('batch-size').fill(String(opts.batchSize));
}

describe.skipIf(!!missing)('Train view (browser mode)', () => {
  let app: AppHandle;

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the backend and validates hyperparameters', async () => {
    const { page } = app;
    await expect.poll(() => page.getByTestId('backend-badge').textContent(), { timeout: 30_000 }).toMatch(/Pure JS/);
    await expect.poll(() => page.getByTestId('backend-hint').textContent()).toMatch(/tfjs-node/);
    await page.getByTestId('epochs').fill('0');
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    expect(await page.getByTestId('epochs').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('epochs').fill('2');
    expect(await page.getByTestId('train').isDisabled()).toBe(false);
    // Keyboard navigation between views.
    await page.keyboard.press('Control+5');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#models');
    await page.keyboard.press('Control+1');
    await page.getByTestId('train-form').waitFor();
  });

  it('trains a small subset: charts grow, epochs finish, test accuracy and model name at the end', async () => {
    const { page } = app;
    await configure(page, { trainSize: 256, epochs: 2, batchSize: 64 });
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 10_000 }).toBe('Training');

    await waitForPoints(page, 'chart-batch-loss', 2);
    const early = await points(page, 'chart-batch-loss');
    await waitForPoints(page, 'chart-batch-loss', early + 2);
    await waitForPoints(page, 'chart-epoch-loss', 1);
    expect(await page.getByTestId('epoch-row').count()).toBeGreaterThanOrEqual(1);

    await page.getByTestId('train-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('train-state').textContent()).toBe('Finished');
    expect(await points(page, 'chart-batch-loss')).toBe(8); // 256 images / 64 per batch × 2 epochs
    expect(await points(page, 'chart-epoch-accuracy')).toBe(2);
    expect(await page.getByTestId('epoch-row').count()).toBe(2);
    const acc = Number((await page.getByTestId('test-accuracy').textContent())!.replace('%', ''));
    expect(acc).toBeGreaterThan(10); // better than chance after 8 real steps
    expect(acc).toBeLessThanOrEqual(100);
    const model = (await page.getByTestId('model-name-result').textContent())!.trim();
    expect(model).toMatch(/^fast-/);

    mkdirSync(path.join(ROOT, 'artifacts/screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'artifacts/screenshots/train.png') });
  });

  it('re-attaches to a running job after a reload, then stops it at once', async () => {
    const { page } = app;
    await configure(page, { trainSize: 512, epochs: 50, batchSize: 32 });
    await page.getByTestId('train').click();
    await waitForPoints(page, 'chart-batch-loss', 3);
    const before = await points(page, 'chart-batch-loss');

    await page.reload();
    await page.getByTestId('reattached').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('train-state').textContent()).toBe('Training');
    // The history so far is redrawn from `status`, and live events keep coming.
    await waitForPoints(page, 'chart-batch-loss', before);
    const after = await points(page, 'chart-batch-loss');
    await waitForPoints(page, 'chart-batch-loss', after + 2);

    const t0 = Date.now();
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 60_000 }).toBe('Stopped');
    const stoppedAt = await points(page, 'chart-batch-loss');
    expect(stoppedAt).toBeLessThan(50 * 16); // far from all 50 epochs
    expect(Date.now() - t0).toBeLessThan(60_000);
    await page.getByTestId('train-result').waitFor();
    expect(await page.getByTestId('train-result').textContent()).toMatch(/stopped early/);
    // Train is available again.
    expect(await page.getByTestId('train').isDisabled()).toBe(false);
  });

  it('raised no console errors and no CSP violations', () => {
    expect(app.pageErrors.filter((e) => !/WebSocket connection .* failed/.test(e))).toEqual([]);
  });
});
