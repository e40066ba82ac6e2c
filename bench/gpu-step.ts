// Host cost of a WebGPU training step: how long the CPU takes to encode one step of a preset (the batch
// gather, the forward and backward pass, Adam), and how many GPU programs it launches. On a real GPU this
// host time, not the arithmetic, bounds a step of the small networks (the profile: docs/benchmarks.md).
// Digit Lab's webgpu code and TF.js's stock path are timed side by side, alternating.
// Usage: npm run bench:gpu -- [--preset fast] [--batch 512] [--steps 20] [--rounds 3]; writes its section of
// docs/benchmarks.md. Needs a WebGPU adapter: Mesa's lavapipe is enough, as the host time is the main thread's
// CPU time (its kernels run on the CPU too, in other threads; the whole-step time there is no GPU figure).
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { mulberry32 } from '../src-shared/random.js';
import type { PresetName } from '../src-shared/types.js';
import { selectBackend } from '../src-main/engine/backend.js';
import { batchSource, HostBatches } from '../src-main/engine/batch-source.js';
import { batchIndices, loadMnist } from '../src-main/engine/data/mnist.js';
import { buildModel } from '../src-main/engine/models.js';
import { trainStep } from '../src-main/engine/train.js';
import { findAdapter } from '../src-main/engine/webgpu/dawn.js';
import { registerWebGpuKernels, unregisterWebGpuKernels } from '../src-main/engine/webgpu/kernels.js';
import { writeDocSection } from './doc-section.js';

const { values: opts } = parseArgs({
  options: {
    preset: { type: 'string', default: 'fast' },
    batch: { type: 'string', default: '512' },
    steps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
  },
});
const preset = opts.preset as PresetName;
const batchSize = Number(opts.batch);
const steps = Number(opts.steps);

const info = await selectBackend('webgpu');
if (info.name !== 'webgpu') throw new Error(`no WebGPU adapter: ${info.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
const backend = tf.backend() as WebGPUBackend;
let launches = 0;
const runProgram = backend.runWebGPUProgram.bind(backend);
backend.runWebGPUProgram = (...args: Parameters<typeof runProgram>) => {
  launches++;
  return runProgram(...args);
};

/** CPU time of this (the main) thread in ms: what encoding costs, whatever else shares the cores. Linux only
 *  (/proc/thread-self/schedstat); elsewhere the process's CPU time, which also counts Dawn's and the driver's threads. */
const SCHEDSTAT = '/proc/thread-self/schedstat';
const hasSchedstat = fs.existsSync(SCHEDSTAT);
const threadCpuMs = hasSchedstat
  ? () => Number(fs.readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6
  : () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
if (!hasSchedstat) console.log(`no ${SCHEDSTAT}: host CPU is the whole process's CPU time`);

const data = loadMnist();
const order = [...batchIndices(data.train.count, batchSize, mulberry32(1))];

interface Round {
  /** Main-thread CPU ms a step spent queuing the step's GPU work. */
  hostMs: number;
  /** Wall ms a step of the same (longer when GPU threads, as lavapipe's, share the cores). */
  hostWallMs: number;
  launches: number;
  wallMs: number;
}

/** One round of `steps` steps (after 2 warm-up steps, the GPU drained before and after): ours, or TF.js's stock
 *  kernels, Adam and dropout with batches built on the CPU and uploaded (as without Digit Lab's webgpu code). */
async function measure(own: boolean): Promise<Round> {
  if (own) registerWebGpuKernels();
  else unregisterWebGpuKernels();
  const model = buildModel(preset, 'adam', 0.003);
  const source = own ? batchSource(data.train, 'off', batchSize) : new HostBatches(data.train, 'off', batchSize);
  const rng = mulberry32(2);
  const step = (i: number) => {
    const { xs, ys } = source.batch(order[i % order.length], rng);
    const metrics = trainStep(model, xs, ys);
    tf.dispose([xs, ys]);
    return metrics;
  };
  const drain = async (metrics: tf.Scalar[]) => {
    await metrics[0].data();
    tf.dispose(metrics);
  };
  for (let i = 0; i < 2; i++) await drain(step(i));
  let host = 0;
  let hostWall = 0;
  launches = 0;
  const w0 = performance.now();
  let last: tf.Scalar[] = [];
  for (let i = 0; i < steps; i++) {
    tf.dispose(last);
    const [c0, t0] = [threadCpuMs(), performance.now()];
    last = step(i + 2);
    hostWall += performance.now() - t0;
    host += threadCpuMs() - c0;
  }
  await drain(last);
  const result = { hostMs: host / steps, hostWallMs: hostWall / steps, launches: launches / steps, wallMs: (performance.now() - w0) / steps };
  source.dispose();
  model.optimizer.dispose();
  model.dispose();
  return result;
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(', ');
const loadBefore = load();
console.log(`${info.device} · ${preset}, batch ${batchSize}, ${steps} steps a round · load ${loadBefore}`);
const rows: Record<'own' | 'stock', Round[]> = { own: [], stock: [] };
for (let r = 0; r < Number(opts.rounds); r++) {
  for (const own of [true, false]) rows[own ? 'own' : 'stock'].push(await measure(own));
}
registerWebGpuKernels();
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = Object.fromEntries(Object.entries(rows).map(([name, rs]) => [name, {
  hostMs: median(rs.map((r) => r.hostMs)),
  hostWallMs: median(rs.map((r) => r.hostWallMs)),
  launches: median(rs.map((r) => r.launches)),
  wallMs: median(rs.map((r) => r.wallMs)),
}])) as Record<keyof typeof rows, Round>;
for (const [name, r] of Object.entries(summary)) {
  console.log(`${name.padEnd(5)}: host CPU ${r.hostMs.toFixed(2)} ms a step (rounds: ${rows[name as keyof typeof rows].map((x) => x.hostMs.toFixed(1)).join(', ')}; ` +
    `wall ${r.hostWallMs.toFixed(1)}), ${r.launches} GPU programs a step; whole step with the GPU work ${r.wallMs.toFixed(1)} ms`);
}
const ratio = summary.stock.hostMs / summary.own.hostMs;
console.log(`RESULT ${JSON.stringify({ preset, batchSize, hostMsOwn: summary.own.hostMs, hostMsStock: summary.stock.hostMs, ratio })}`);

const row = (name: string, r: Round) =>
  `| ${name} | ${r.hostMs.toFixed(1)} ms | ${r.launches} | ${r.hostWallMs.toFixed(1)} ms | ${r.wallMs.toFixed(0)} ms |`;
const written = writeDocSection('gpu-step', [
  '## WebGPU: host cost of a training step',
  '',
  "In the H200 profile of the issue that asked for this backend, one `fast` step at batch 128 on TF.js's stock",
  'webgpu path took 53 ms: 20.6 ms of GPU kernels (16.7 ms of them in the stock Conv2DBackpropFilter) and the rest',
  'on the host, which queued 304 TF.js kernels. This measures the host side: the main thread\'s CPU time to queue',
  'one training step (batch, forward and backward pass, Adam), with Digit Lab\'s webgpu code (own filter gradient,',
  'two-kernel Adam, batches gathered on the GPU, dropout masks made there) and with the stock path (stock kernels,',
  'Adam and dropout, batches built on the CPU and uploaded), alternating, in one process.',
  `Produced by \`npm run bench:gpu\` (\`bench/gpu-step.ts\`); this section is replaced with the latest result.`,
  '',
  `Adapter: ${info.device}. CPU: ${os.cpus()[0]?.model.trim() ?? 'unknown'}, ${os.cpus().length} cores, Node ${process.version}.`,
  `Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average ${loadBefore} at the start, ${load()} at the end.`,
  `\`${preset}\`, batch ${batchSize}, Adam; ${steps} steps a round, ${Number(opts.rounds)} rounds each, medians.`,
  '',
  '| path | host CPU a step | GPU programs a step | host wall a step | whole step |',
  '|---|---:|---:|---:|---:|',
  row('Digit Lab', summary.own),
  row('TF.js stock', summary.stock),
  '',
  `Host CPU a step: **${ratio.toFixed(1)}× less** with Digit Lab's webgpu code.`,
  ...((await findAdapter()).software
    ? ['The adapter is a software one: its kernels run on the same CPU (so "host wall" is longer than the CPU',
       'time, and "whole step" says nothing about a GPU). On a GPU the step time is about the larger of the host',
       'time and the GPU kernel time; `scripts/gpu-check/device-run.sh` measures it there.']
    : []),
]);
console.log(`written to ${written}`);
