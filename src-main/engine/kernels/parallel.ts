// The second core: a helper thread (worker_threads) that computes half the batch of a
// convolution while the main thread computes the other half. TF.js kernels are synchronous,
// so the main thread posts the job, does its own half, then blocks in Atomics.wait until the
// helper flips a control word in shared memory. The helper's inputs are copied into a
// SharedArrayBuffer laid out [a | b | out] (see conv-core.ts for what a, b and out are);
// its output comes back the same way. Small convolutions (where the copy and the wake-up
// cost more than they save), a batch of 1, or a helper that is not ready yet: one thread.
// Splitting pays only when the second core is free: split-policy.ts times both ways for each
// convolution shape and keeps splitting only where it measurably saves time.
//
// The helper loads conv-worker.js when compiled; from TypeScript sources (tests, tsx) it
// loads conv-worker.ts through tsx's loader. If it cannot start, everything runs on one thread.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { convMacs, convSizes, runConv, type ConvKind } from './conv-core.js';
import type { ConvGeometry } from './conv-geometry.js';
import { DONE, POSTED, READY, STATE, type ConvJob } from './conv-worker.js';
import { planSplit, setAlwaysSplit } from './split-policy.js';

/** Below this many multiply-adds a convolution runs on the main thread alone. */
export const DEFAULT_MIN_MACS = 4_000_000;
let minMacs = DEFAULT_MIN_MACS;
const WAIT_MS = 120_000;

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  data: SharedArrayBuffer;
  failed: boolean;
  ready: Promise<boolean>;
}

let helper: Helper | null = null;
/** Convolutions split so far, and time the main thread spent waiting for the helper (ms). */
const stats = { splits: 0, waitMs: 0 };

export function parallelStats(): { splits: number; waitMs: number } {
  return { ...stats };
}

// Runs in the new thread: import the worker module, through tsx when it is TypeScript.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  try {
    await import(workerData.url);
  } catch (err) {
    if (!workerData.tsx) throw err;
    (await import(workerData.tsx)).register();
    await import(workerData.url + '?tsx'); // a new URL: the failed import above is cached
  }
})().catch((err) => {
  Atomics.store(new Int32Array(workerData.ctrl), 0, -1);
  Atomics.notify(new Int32Array(workerData.ctrl), 0);
  console.error('digit-lab: conv helper thread failed to start:', err && err.message);
});
`;

function workerUrl(): { url: string; tsx: string | null } {
  const js = new URL('./conv-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js.href, tsx: null };
  let tsx: string | null = null;
  try {
    const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
    tsx = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  } catch {
    tsx = null; // no tsx: the import of a .ts file fails, and the helper reports it
  }
  return { url: pathToFileURL(fileURLToPath(new URL('./conv-worker.ts', import.meta.url))).href, tsx };
}

/** Starts the helper thread (idempotent). Resolves true once it listens, false if it cannot start. */
export function startHelper(): Promise<boolean> {
  if (helper) return helper.ready;
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const { url, tsx } = workerUrl();
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { convHelper: true, ctrl: ctrl.buffer, url, tsx } });
  worker.unref();
  const h: Helper = { worker, ctrl, data: new SharedArrayBuffer(4), failed: false, ready: Promise.resolve(false) };
  h.ready = new Promise<boolean>((resolve) => {
    const poll = setInterval(() => {
      const state = Atomics.load(ctrl, READY);
      if (state !== 0) {
        clearInterval(poll);
        if (state < 0) h.failed = true;
        resolve(state > 0);
      }
    }, 5);
    worker.on('error', () => {
      h.failed = true;
      clearInterval(poll);
      resolve(false);
    });
    worker.on('exit', () => {
      h.failed = true;
      clearInterval(poll);
      resolve(false);
    });
  });
  helper = h;
  return h.ready;
}

/** Stops the helper thread; convolutions run on one thread until startHelper() is called again. */
export async function stopHelper(): Promise<void> {
  const h = helper;
  helper = null;
  if (h) await h.worker.terminate();
}

/** Whether convolutions are being split across two threads right now. */
export function helperActive(): boolean {
  return helper !== null && !helper.failed && Atomics.load(helper.ctrl, READY) === 1;
}

/**
 * When to split: convolutions of at least `minMacs` multiply-adds, where timing shows it pays
 * (`measure`), or every time (tests: `measure: false`).
 */
export function setSplitPolicy(policy: { minMacs: number; measure: boolean }): void {
  minMacs = policy.minMacs;
  setAlwaysSplit(!policy.measure);
}

/** Runs a convolution kernel, on two threads when it pays (same contract as conv-core's runConv). */
export function runConvParallel(kind: ConvKind, g: ConvGeometry, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const h = helper;
  if (!h || g.batch < 2 || convMacs(g) < minMacs || !helperActive()) {
    runConv(kind, g, a, b, out);
    return;
  }
  const plan = planSplit(kind, g);
  const start = performance.now();
  if (plan.split) runSplit(h, kind, g, a, b, out);
  else runConv(kind, g, a, b, out);
  plan.done(performance.now() - start);
}

function runSplit(h: Helper, kind: ConvKind, g: ConvGeometry, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const size = convSizes(kind, g);
  const helperBatch = g.batch >> 1;
  const mainBatch = g.batch - helperBatch;
  const aHelper = a.subarray(mainBatch * size.a, g.batch * size.a);
  const bHelper = size.b ? b.subarray(mainBatch * size.b, g.batch * size.b) : b;
  const outLength = size.out ? helperBatch * size.out : out.length;
  const total = aHelper.length + bHelper.length + outLength;
  if (h.data.byteLength < total * 4) h.data = new SharedArrayBuffer(Math.ceil(total * 1.25) * 4);
  const shared = new Float32Array(h.data, 0, total);
  shared.set(aHelper, 0);
  shared.set(bHelper, aHelper.length);
  const o0 = aHelper.length + bHelper.length;
  const job: ConvJob = {
    kind,
    g: { ...g, batch: helperBatch },
    data: h.data,
    a0: 0,
    a1: aHelper.length,
    b0: aHelper.length,
    b1: o0,
    o0,
    o1: total,
  };
  Atomics.store(h.ctrl, STATE, POSTED);
  h.worker.postMessage(job);

  const mainG = { ...g, batch: mainBatch };
  const outMain = size.out ? out.subarray(0, mainBatch * size.out) : out;
  runConv(kind, mainG, a.subarray(0, mainBatch * size.a), size.b ? b.subarray(0, mainBatch * size.b) : b, outMain);

  stats.splits++;
  const waitStart = performance.now();
  const deadline = Date.now() + WAIT_MS;
  try {
    while (Atomics.load(h.ctrl, STATE) === POSTED && Date.now() < deadline) {
      Atomics.wait(h.ctrl, STATE, POSTED, 1000);
    }
  } catch {
    // A thread that may not block (Atomics.wait throws there): give up on the helper.
    h.failed = true;
  }
  stats.waitMs += performance.now() - waitStart;
  let result: Float32Array;
  if (!h.failed && Atomics.load(h.ctrl, STATE) === DONE) {
    result = shared.subarray(o0, total);
  } else {
    // The helper failed or hangs: stop using it and do its share here.
    h.failed = true;
    result = new Float32Array(outLength);
    runConv(kind, { ...g, batch: helperBatch }, aHelper, bHelper, result);
  }
  if (size.out) out.set(result, mainBatch * size.out);
  else for (let i = 0; i < out.length; i++) out[i] += result[i];
}
