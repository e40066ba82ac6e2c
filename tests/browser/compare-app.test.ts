// The Compare view in a real browser (Debian chromium via playwright-core) against browser mode: two short real
// training runs that differ only in learning rate, trained in the Train view; its result card's "Compare with the
// active model" opens the view; then the two runs: two curves per chart, the learning-rate row highlighted, equal
// rows hidden, the fixed/broken counts equal to the CLI's `compare --json`, a chart exported as a valid PNG.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserMissing, startApp, type AppHandle } from '../helpers/browser.js';

const missing = browserMissing();
if (missing) console.warn(`compare app tests skipped: ${missing}`);

async function trainRun(page: Page, name: string, learningRate: number): Promise<void> {
  await page.getByTestId('nav-train').click();
  await page.getByTestId('train-form').waitFor();
  await page.getByTestId('preset-fast').check();
  await page.getByTestId('train-size').fill('1024');
  await page.getByTestId('epochs').fill('1');
  await page.getByTestId('batch-size').fill('64');
  await page.getByTestId('learning-rate').fill(String(learningRate));
  if (!(await page.getByTestId('validation-size').isVisible())) await page.getByText('More options').click();
  await page.getByTestId('validation-size').fill('500');
  await page.getByTestId('model-name').fill(name);
  await page.getByTestId('train').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid="model-name-result"]')?.textContent?.trim() === n, name, { timeout: 180_000 });
}

describe.skipIf(!!missing)('Compare view (browser mode)', () => {
  let app: AppHandle;

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('two runs differing in learning rate: curves, highlighted row, hidden equal rows, counts as the CLI, PNG', async () => {
    const { page } = app;
    await trainRun(page, 'lr-fast', 0.003);
    await trainRun(page, 'lr-slow', 0.0005);

    // The result card opens the Compare view on the new run and the active one (the shipped default).
    await page.getByTestId('compare-with-active').click();
    await page.getByTestId('view-compare').waitFor();
    expect(await page.getByTestId('compare-pick-lr-slow').isChecked()).toBe(true);
    await page.getByTestId('compare-results').waitFor({ timeout: 120_000 }); // the default is scored once first

    await page.getByTestId('compare-pick-default').uncheck();
    await page.getByTestId('compare-pick-lr-fast').check();
    await page.getByTestId('compare-go').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-table"] thead th').length === 3 &&
      document.querySelector('[data-testid="compare-table"] thead')?.textContent?.includes('lr-fast'));

    for (const chart of ['loss', 'valAccuracy', 'valLoss', 'learningRate']) {
      // uPlot's legend (no x row when not live): one series a run.
      const legend = page.locator(`[data-testid="compare-chart-${chart}"] .u-legend .u-series`);
      expect(await legend.allTextContents()).toEqual(['lr-slow', 'lr-fast']);
    }
    const lr = page.getByTestId('row-learningRate');
    expect(await lr.getAttribute('data-differs')).toBe('true');
    expect(await lr.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    expect(await lr.textContent()).toMatch(/0\.0005.*0\.003/);
    expect(await page.getByTestId('row-batchSize').getAttribute('data-differs')).toBe('false');
    await page.getByTestId('hide-equal').check();
    expect(await page.getByTestId('row-batchSize').count()).toBe(0);
    expect(await lr.count()).toBe(1);

    await page.getByTestId('diff-counts').waitFor();
    const shown = async (id: string) => Number((await page.getByTestId(id).locator('b').textContent())!.trim());
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin/digit-lab.js'), 'compare', 'lr-slow', 'lr-fast', '--json'], {
      cwd: ROOT, env: { ...process.env, DIGIT_LAB_HOME: app.home, DIGIT_LAB_BACKEND: 'js' }, encoding: 'utf8', timeout: 120_000,
    });
    expect(cli.status, cli.stderr).toBe(0);
    const counts = JSON.parse(cli.stdout).diff.counts;
    expect({
      fixed: await shown('count-fixed'), broken: await shown('count-broken'),
      bothRight: await shown('count-both-right'), bothWrong: await shown('count-both-wrong'),
    }).toEqual(counts);
    expect(counts.fixed + counts.broken + counts.bothRight + counts.bothWrong).toBe(10_000);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('png-loss').click()]);
    const png = readFileSync((await download.path())!);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBeGreaterThan(100);
    expect(png.readUInt32BE(20)).toBeGreaterThan(100);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(',lr-slow,lr-fast');
    expect(lines).toContain('Learning rate,0.0005,0.003');
    expect(lines).toContain('Batch size,64,64'); // the CSV has every row, hidden or not

    // x = wall time: the chart is drawn again with its new axis (uPlot draws the labels on the canvas).
    const drawn = () => page.locator('[data-testid="compare-chart-loss"] canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    const before = await drawn();
    await page.getByTestId('axis-time').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="compare-chart-loss"] .chart')?.getAttribute('data-x-label') === 'wall time (s)');
    await expect.poll(drawn).not.toBe(before);
    expect(app.pageErrors).toEqual([]);
  }, 600_000);
});
