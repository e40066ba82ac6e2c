// `npm run bench:compare`: how long the Compare view takes to open five full runs in browser mode — from the click on
// Compare to the four charts drawn, the table, the per-digit bars and the fixed/broken counts shown (and, separately, until the galleries' thumbnails, loaded when the page is idle, are drawn too). The five runs are
// one real quick training's model saved five times with full-size histories (20 epochs, a 1 999-point per-batch
// curve, its values kept as the recorder keeps them: what a long run keeps after thinning) and its real test-set predictions, some flipped so that the runs differ.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_CURVE_POINTS } from '../src-shared/protocol.js';
import { curveValue } from '../src-main/engine/curve.js';
import { createEngine } from '../src-main/engine/engine.js';
import { SIDE_FILES } from '../src-main/engine/store.js';
import { browserMissing, startApp } from '../tests/helpers/browser.js';

const RUNS = 5;
const REPEATS = 5;

async function makeRuns(home: string): Promise<string[]> {
  const engine = await createEngine({ home, shippedDir: path.join(home, 'none') });
  try {
    await engine.train({ preset: 'fast', epochs: 1, batchSize: 64, trainSize: 2048, validationSize: 512, name: 'seed-run' });
    const files = engine.store.readFiles('seed-run');
    const meta = engine.store.readMeta('seed-run')!;
    const predictions = engine.store.readSide('seed-run', SIDE_FILES.predictions)!;
    const names: string[] = [];
    for (let r = 0; r < RUNS; r++) {
      const n = MAX_CURVE_POINTS - 1;
      const epochs = 20;
      const curve = {
        images: Array.from({ length: n }, (_, i) => Math.round(((i + 1) / n) * epochs * 2048)),
        elapsedMs: Array.from({ length: n }, (_, i) => (i + 1) * (300 + r * 40)),
        loss: Array.from({ length: n }, (_, i) => 2.3 * Math.exp(-i / (200 + r * 50)) + 0.05 + 0.05 * Math.sin(i * 7.1)),
        accuracy: Array.from({ length: n }, (_, i) => 1 - 0.9 * Math.exp(-i / (200 + r * 50))),
        learningRate: Array.from({ length: n }, (_, i) => 0.001 * (r + 1) * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * i) / n)))),
      };
      const history = Array.from({ length: epochs }, (_, e) => ({
        epoch: e + 1, epochs, loss: 0.3 / (e + 1), accuracy: 1 - 0.1 / (e + 1), valLoss: 0.2 / (e + 1) + r * 0.01,
        valAccuracy: 1 - 0.05 / (e + 1) - r * 0.001, imagesPerSec: 900 + r * 10, elapsedMs: (e + 1) * 60_000, etaMs: 0,
      }));
      const labels = Uint8Array.from(predictions, (p, i) => (i % (50 + r * 13) === 0 ? (p + 1) % 10 : p));
      const name = `full-${r + 1}`;
      const config = { ...meta.config!, epochs, learningRate: 0.001 * (r + 1), name };
      engine.store.writeFiles(name, [
        ...files.filter((f) => !['meta.json', ...Object.values(SIDE_FILES)].includes(f.path)),
        { path: 'meta.json', data: JSON.stringify({ ...meta, name, config, history }) },
        { path: SIDE_FILES.curve, data: JSON.stringify(curve, (_k, v) => (typeof v === 'number' ? curveValue(v) : v)) },
        { path: SIDE_FILES.predictions, data: labels },
      ]);
      names.push(name);
    }
    return names;
  } finally {
    engine.dispose();
  }
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-compare-bench-'));
  const names = await makeRuns(home);
  const app = await startApp({ home });
  try {
    const { page } = app;
    await page.evaluate('globalThis.__name = (f) => f');
    const times: number[] = [];
    const calls: number[] = [];
    const thumbs: number[] = [];
    for (let k = 0; k < REPEATS; k++) {
      // A fresh page each time: the view opens from nothing (the engine process stays warm, as in the app).
      await page.goto('about:blank'); // a hash-only change would keep the page (and the view's state)
      await page.goto(app.url.replace(/#.*$/, '') + '#compare');
      if (await page.getByTestId('compare-results').count()) throw new Error('the page kept the previous comparison');
      await page.evaluate('globalThis.__name = (f) => f');
      for (const n of names) await page.getByTestId(`compare-pick-${n}`).check();
      const t0 = await page.evaluate(() => performance.now());
      await page.getByTestId('compare-go').click();
      const t1 = await page.waitForFunction(() => {
        const results = document.querySelector('[data-testid="compare-results"]');
        const ready = results &&
          document.querySelectorAll('[data-testid^="compare-chart-"] canvas').length === 4 &&
          document.querySelector('[data-testid="diff-counts"]') && document.querySelectorAll('[data-testid="digit-bar"]').length === 50;
        return ready ? new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now())))) : null;
      }, undefined, { polling: 'raf', timeout: 60_000 });
      times.push(((await t1.jsonValue()) ?? NaN) - t0);
      calls.push(Number(await page.getByTestId('compare-results').getAttribute('data-load-ms')));
      // The fixed / broken thumbnails load when the page is idle, after the view above them: when they are drawn too.
      const t2 = await page.waitForFunction(
        () => (document.querySelectorAll('[data-testid="gallery-fixed"] canvas').length > 0 ? performance.now() : null),
        undefined, { polling: 'raf', timeout: 60_000 },
      );
      thumbs.push(((await t2.jsonValue()) ?? NaN) - t0);
    }
    const shots = path.join(process.cwd(), 'artifacts/screenshots');
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'compare-5-runs.png') });
    for (const part of ['compare-table', 'compare-per-digit', 'compare-pair']) {
      await page.getByTestId(part).screenshot({ path: path.join(shots, `${part}.png`) });
    }
    if (app.pageErrors.length) console.log('page errors:', app.pageErrors);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`Compare view, ${RUNS} runs of ${MAX_CURVE_POINTS - 1} batch points and 20 epochs, browser mode on ${os.cpus()[0]?.model ?? '?'} (${os.cpus().length} cores)`);
    console.log(`open times (ms): ${times.map((t) => t.toFixed(0)).join(', ')}; median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms`);
    console.log(`of which the compare.runs call (engine + transport + validation, ms): ${calls.join(', ')}`);
    console.log(`the fixed / broken thumbnails drawn too (ms): ${thumbs.map((t) => t.toFixed(0)).join(', ')}`);
  } finally {
    await app.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
