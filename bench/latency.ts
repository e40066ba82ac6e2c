// `npm run bench:latency`: round-trip latency of `predict` in browser mode, measured in the page itself —
// browser → WebSocket → server relay → engine process → and back — with one 28×28 image each, for
//   - the default model on the default backend: the shipped `default` (the `fast` CNN) with `--backend auto`, what a
//     user's sketchpad gets;
//   - an MLP on the pure-JS backend (`--backend js`), the lightest case, beside it.
// Both servers run at once and the calls alternate in blocks of 100 (1000 each after 50 warm-up calls), so load
// from other work falls on both alike. Prints p50/p95 and writes them into docs/benchmarks.md under their own
// heading (only that section is replaced).
import os from 'node:os';
import type { Page } from 'playwright-core';
import { browserMissing, startApp, type AppHandle } from '../tests/helpers/browser.js';
import { writeDocSection } from './doc-section.js';

const CALLS = Number(process.env.LATENCY_CALLS ?? 1000);
const WARMUP = 50;
const BLOCK = 100;

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/** Opens a WebSocket from the page and keeps a `call(method, params)` there; with `trainMlp`, trains a quick MLP
 *  (512 images, seconds) that becomes the model predictions use. Returns the backend's name and the model. */
async function prepare(page: Page, trainMlp: boolean): Promise<{ backend: string; model: string }> {
  // tsx (esbuild keepNames) wraps functions in __name(); the page has no such helper.
  await page.evaluate('globalThis.__name = (f) => f');
  return page.evaluate(async (train) => {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    let nextId = 1;
    const waiting = new Map<number, (m: any) => void>();
    const listeners: ((m: any) => void)[] = [];
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data as string);
      if (m.type === 'response') waiting.get(m.id)?.(m);
      else for (const l of listeners) l(m);
    };
    const call = (method: string, params: unknown) =>
      new Promise<any>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, (m) => {
          waiting.delete(id);
          if (m.ok) resolve(m.result);
          else reject(new Error(m.error));
        });
        ws.send(JSON.stringify({ type: 'request', id, method, params }));
      });
    let model = '';
    if (train) {
      const done = new Promise<any>((resolve) => listeners.push((m) => m.event === 'done' && resolve(m.data)));
      await call('train', { preset: 'mlp', epochs: 1, trainSize: 512, validationSize: 500, batchSize: 64 });
      model = (await done).result.model;
      await call('models.setActive', { name: model });
    }
    const status = await call('status', {});
    (window as any).benchCall = call;
    return { backend: `${status.backend.name} (${status.backend.device})`, model: model || status.activeModel };
  }, trainMlp);
}

/** `n` sequential predict calls of one image from the page; their round-trip times in ms. */
async function calls(page: Page, model: string, n: number): Promise<number[]> {
  return page.evaluate(async ({ n, model }) => {
    const call = (window as any).benchCall as (method: string, params: unknown) => Promise<any>;
    const image = Array.from({ length: 784 }, (_, i) => ((i * 37) % 256));
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await call('predict', { inputs: [image], model });
      out.push(performance.now() - t0);
      if (r.probs[0].length !== 10) throw new Error('bad predict result');
    }
    return out;
  }, { n, model });
}

interface Case {
  label: string;
  app: AppHandle;
  model: string;
  backend: string;
  timings: number[];
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const load0 = os.loadavg();
  const apps: AppHandle[] = [];
  try {
    apps.push(await startApp({ env: { DIGIT_LAB_BACKEND: 'auto' } }), await startApp({ env: { DIGIT_LAB_BACKEND: 'js' } }));
    const cases: Case[] = [];
    for (const [i, label] of ['default model, default backend', 'MLP, pure JS'].entries()) {
      const { backend, model } = await prepare(apps[i].page, i === 1);
      cases.push({ label, app: apps[i], model, backend, timings: [] });
      await calls(apps[i].page, model, WARMUP);
    }
    for (let done = 0; done < CALLS; done += BLOCK) {
      for (const c of cases) c.timings.push(...(await calls(c.app.page, c.model, Math.min(BLOCK, CALLS - done))));
    }
    const load1 = os.loadavg();
    const rows = cases.map((c) => {
      const sorted = [...c.timings].sort((a, b) => a - b);
      const mean = c.timings.reduce((a, b) => a + b, 0) / c.timings.length;
      const row = `| ${c.label}: \`${c.model}\` on ${c.backend} | ${CALLS} | ${quantile(sorted, 0.5).toFixed(2)} ms | ` +
        `${quantile(sorted, 0.95).toFixed(2)} ms | ${mean.toFixed(2)} ms | ${sorted.at(-1)!.toFixed(1)} ms |`;
      console.log(row);
      return row;
    });
    const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
    const loads = (l: number[]) => l.map((v) => v.toFixed(1)).join(', ');
    const written = writeDocSection('latency', [
      '## Predict latency (browser mode, `npm run bench:latency`)',
      '',
      'Round trip of one `predict` call (one 28×28 image) from the page to the engine process and back:',
      'chromium → WebSocket → server relay (validation) → engine process (`child_process.fork`) → and back; timed with',
      `\`performance.now()\` in the page. The default model on the default backend (what the sketchpad gets), and an MLP on`,
      `the pure-JS backend beside it: two servers at once, ${CALLS} calls each after ${WARMUP} warm-up calls, alternating in`,
      `blocks of ${BLOCK}. Produced by \`bench/latency.ts\`; this section is replaced with the latest result.`,
      '',
      `Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}, Chromium ${apps[0].browser.version()}, ${os.platform()} ${os.arch()}.`,
      `Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average at the start ${loads(load0)}, at the end ${loads(load1)}.`,
      '',
      '| model and backend | calls | p50 | p95 | mean | max |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows,
    ]);
    console.log(`written to ${written}`);
  } finally {
    for (const app of apps) await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:latency: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
