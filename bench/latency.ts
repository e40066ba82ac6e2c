// `npm run bench:latency`: round-trip latency of `predict` in browser mode, measured in the page itself —
// browser → WebSocket → server relay → engine process → and back — over 1000 sequential calls with one
// 28×28 image each. Prints p50/p95 and writes them into docs/benchmarks.md under their own heading
// (only that section is replaced; the rest of the file belongs to the training benchmark).
import os from 'node:os';
import { browserMissing, startApp } from '../tests/helpers/browser.js';
import { writeDocSection } from './doc-section.js';

const CALLS = Number(process.env.LATENCY_CALLS ?? 1000);
const WARMUP = 50;

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const app = await startApp();
  try {
    const browserVersion = app.browser.version();
    // tsx (esbuild keepNames) wraps functions in __name(); the page has no such helper.
    await app.page.evaluate('globalThis.__name = (f) => f');
    const timings = await app.page.evaluate(
      async ({ calls, warmup }) => {
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
        // A model to predict with: a quick MLP on 512 images (seconds).
        const done = new Promise((resolve) => listeners.push((m) => m.event === 'done' && resolve(m.data)));
        await call('train', { preset: 'mlp', epochs: 1, trainSize: 512, validationSize: 500, batchSize: 64 });
        await done;
        const image = Array.from({ length: 784 }, (_, i) => ((i * 37) % 256));
        for (let i = 0; i < warmup; i++) await call('predict', { inputs: [image] });
        const out: number[] = [];
        for (let i = 0; i < calls; i++) {
          const t0 = performance.now();
          const r = await call('predict', { inputs: [image] });
          out.push(performance.now() - t0);
          if (r.probs[0].length !== 10) throw new Error('bad predict result');
        }
        ws.close();
        return out;
      },
      { calls: CALLS, warmup: WARMUP },
    );
    const sorted = [...timings].sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const p95 = quantile(sorted, 0.95);
    const mean = timings.reduce((a, b) => a + b, 0) / timings.length;
    const max = sorted.at(-1)!;
    const line = `predict round trip (browser mode, ${CALLS} calls): p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, mean ${mean.toFixed(2)} ms, max ${max.toFixed(1)} ms`;
    console.log(line);

    const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
    const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    const written = writeDocSection('latency', [
      '## Predict latency (browser mode)',
      '',
      'Round trip of one `predict` call (one 28×28 image, MLP model) from the page to the engine process and back:',
      'chromium → WebSocket → server relay (validation) → engine process (`child_process.fork`) → and back.',
      `${CALLS} sequential calls after ${WARMUP} warm-up calls, timed with \`performance.now()\` in the page. Produced by`,
      '`npm run bench:latency`; this section is replaced with the latest result.',
      '',
      `Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}, Chromium ${browserVersion}, ${os.platform()} ${os.arch()}.`,
      `Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average at the end: ${load}.`,
      '',
      '| calls | p50 | p95 | mean | max |',
      '|---:|---:|---:|---:|---:|',
      `| ${CALLS} | ${p50.toFixed(2)} ms | ${p95.toFixed(2)} ms | ${mean.toFixed(2)} ms | ${max.toFixed(1)} ms |`,
    ]);
    console.log(`written to ${written}`);
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:latency: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
