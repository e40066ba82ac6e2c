// The peak of 128-bit WebAssembly SIMD on these cores: a hand-assembled wasm loop of independent
// f32x4 multiply + add pairs (12 accumulators: enough to hide the latency, few enough to stay in the
// 16 xmm registers; no memory traffic), on one thread and on one thread per core at once. Prints one
// RESULT line: multiply-adds per second. Run by bench/run.ts. (XNNPACK's wasm kernels are multiplies
// and adds of this kind: wasm SIMD has no FMA.)
import os from 'node:os';
import { Worker } from 'node:worker_threads';

const ACC = 12;
const ITERS = 40_000_000;

const f32 = (v: number) => [...new Uint8Array(new Float32Array([v]).buffer)];
const uleb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...uleb(n >> 7)]);
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
const SIMD = 0xfd;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const splat = (v: number) => [0x43, ...f32(v), SIMD, 0x13];

/** run(iterations) → f32: ITERS × ACC × 4 multiply-adds. Locals: 0 iterations, 1…ACC accumulators, then b, c. */
export function peakModule(): Uint8Array {
  const b = ACC + 1;
  const c = ACC + 2;
  const code = [
    ...splat(0.999), ...set(b), ...splat(0.001), ...set(c),
    ...Array.from({ length: ACC }, (_, i) => [...splat(1 + i / 100), ...set(1 + i)]).flat(),
    0x03, 0x40, // loop
    ...Array.from({ length: ACC }, (_, i) => [...get(1 + i), ...get(b), SIMD, 0xe6, 0x01, ...get(c), SIMD, 0xe4, 0x01, ...set(1 + i)]).flat(),
    ...get(0), 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, // iterations -= 1; br_if loop
    0x0b,
    // The sum of all accumulators, lane 0 (an unused accumulator would be optimised away).
    ...get(1), ...Array.from({ length: ACC - 1 }, (_, i) => [...get(2 + i), SIMD, 0xe4, 0x01]).flat(), SIMD, 0x1f, 0x00,
    0x0b,
  ];
  const body = [0x01, ACC + 2, 0x7b, ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7d]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00]),
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ]);
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const run = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes)).exports.run;
for (let i = 0; i < 100; i++) run(20000); // V8 tiers the loop up from Liftoff to TurboFan
parentPort.postMessage('ready');
parentPort.once('message', () => { const t0 = performance.now(); run(workerData.iters); parentPort.postMessage(performance.now() - t0); });
`;

/** Multiply-adds per second on `threads` threads at once (each its own worker), best of three. */
async function peak(threads: number): Promise<number> {
  const bytes = peakModule();
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData: { bytes, iters: ITERS } }));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve)))); // warmed up
    const t0 = performance.now();
    await Promise.all(workers.map((w) => new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage('go');
    })));
    const seconds = (performance.now() - t0) / 1000;
    await Promise.all(workers.map((w) => w.terminate()));
    best = Math.max(best, (threads * ITERS * ACC * 4) / seconds);
  }
  return best;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const one = await peak(1);
  const all = await peak(os.cpus().length);
  console.log(`RESULT ${JSON.stringify({ threads: os.cpus().length, oneThreadMacsPerSec: one, allThreadsMacsPerSec: all })}`);
}
