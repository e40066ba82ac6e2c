// Measures one preset in this process and prints one JSON line (run by bench/run.ts).
//   npx tsx bench/train-speed.ts fast              stock vs JS kernels vs wasm, side by side in alternating
//                                                  rounds, evaluation, per-kernel split of a wasm step
//   npx tsx bench/train-speed.ts fast --path wasm  the wasm path alone (its own peak RSS); DIGIT_LAB_THREADS=1
//                                                  for one thread
//   npx tsx bench/train-speed.ts fast --serve      the wasm path answering bench/peer.ts's commands on stdin (the
//                                                  same protocol as bench/torch_peer.py serve), for rounds that
//                                                  alternate with the PyTorch peer's
// Every path trains each preset as the engine does by default: its batch size, dropout and Adam's betas
// (trainConfigFor: fast and mlp at batch 256 without dropout, seed at 32 with it).
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { registerFastKernels, unregisterFastKernels } from '../src-main/engine/kernels/index.js';
import { EVAL_BATCH } from '../src-main/engine/evaluate.js';
import { buildModel } from '../src-main/engine/models.js';
import { startWasm } from '../src-main/engine/wasm/index.js';
import { trainConfigFor, type PresetName } from '../src-shared/types.js';
import type { Split } from '../src-main/engine/data/mnist.js';
import { mnistBatch, mnistSplit } from './mnist-batch.js';

export interface KernelShare {
  name: string;
  ms: number;
  share: number;
  calls: number;
}

export interface PresetResult {
  preset: PresetName;
  batch: number;
  /** Stock kernels: batches of `batch` (a few: they are slow). */
  stockImages: number;
  stockImagesPerSec: number;
  /** JS kernels and wasm, alternating rounds at the app's batch size. */
  images: number;
  jsImagesPerSec: number;
  wasmImagesPerSec: number;
  wasmThreads: number;
  /** Evaluation of the 10k test images (batches of EVAL_BATCH); JS on `jsEvalImages`, extrapolated. */
  jsEvalSeconds: number;
  jsEvalImages: number;
  wasmEvalSeconds: number;
  /** One wasm training step at `batch`, per kernel. */
  wasmStepMs: number;
  wasmKernels: KernelShare[];
  /** Multiply-adds per image: forward pass and training step (forward + both gradients). */
  forwardMacs: number;
  trainMacs: number;
}

export interface PathResult {
  preset: PresetName;
  threads: number;
  imagesPerSec: number;
  evalSeconds: number;
  peakRssMiB: number;
}

/** Per preset: batches of the stock kernels (after a warm-up of 8 images), images of the alternating rounds, test
 *  images the JS kernels evaluate (extrapolated to 10 000 below that). */
export const PLAN: Record<PresetName, { stockBatches: number; images: number; jsEval: number }> = {
  mlp: { stockBatches: 4, images: 6144, jsEval: 10_000 },
  fast: { stockBatches: 1, images: 4096, jsEval: 10_000 },
  seed: { stockBatches: 2, images: 3200, jsEval: 10_000 },
  'keras-cnn': { stockBatches: 1, images: 1536, jsEval: 2000 },
  best: { stockBatches: 1, images: 1024, jsEval: 2000 },
};
const ROUNDS = 4;

/** The preset's default training: batch size, and the model as the engine builds it (dropout, Adam's betas). */
export function presetTraining(preset: PresetName): { batch: number; dropout: boolean; adamBetas: readonly [number, number]; build: () => tf.LayersModel } {
  const c = trainConfigFor({ preset });
  const adamBetas = c.adamBetas ?? [0.9, 0.999];
  return {
    batch: c.batchSize, dropout: c.dropout ?? true, adamBetas,
    build: () => buildModel(preset, 'adam', 0.001, { dropout: c.dropout, adamBetas }),
  };
}

/** Trains on `count` batches of `size` images from image `start` on the active backend; returns seconds. */
async function trainSeconds(model: tf.LayersModel, data: Split, start: number, size: number, count: number): Promise<number> {
  const batches = Array.from({ length: count }, (_, i) => mnistBatch(data, start + i * size, size));
  const t0 = performance.now();
  for (const [xs, ys] of batches) await model.trainOnBatch(xs, ys);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose(batches.flat());
  return seconds;
}

/** Predicts the first `limit` test images in the engine's batches (EVAL_BATCH); returns seconds. */
async function evalSeconds(model: tf.LayersModel, test: Split, limit = test.count): Promise<number> {
  const t0 = performance.now();
  for (let s = 0; s < limit; s += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, limit - s);
    const [x, y] = mnistBatch(test, s, n);
    const p = model.predict(x, { batchSize: n }) as tf.Tensor;
    await p.data();
    tf.dispose([x, y, p]);
  }
  return (performance.now() - t0) / 1000;
}

/** Multiply-adds per image of the forward pass, and of a training step (no gradient for the input). */
export function macsPerImage(model: tf.LayersModel): { forward: number; train: number } {
  let forward = 0;
  let first = 0;
  for (const layer of model.layers) {
    const kernel = layer.getWeights()[0];
    if (!kernel) continue;
    const out = layer.outputShape as number[];
    const macs = kernel.shape.length === 4 ? out[1] * out[2] * kernel.size : kernel.size;
    if (forward === 0) first = macs;
    forward += macs;
  }
  return { forward, train: 3 * forward - first };
}

async function profileStep(model: tf.LayersModel, data: Split, batch: number): Promise<{ ms: number; kernels: KernelShare[] }> {
  const [xs, ys] = mnistBatch(data, 0, batch);
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await model.trainOnBatch(xs, ys);
  });
  const ms = performance.now() - t0;
  tf.dispose([xs, ys]);
  const totals = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = totals.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls += 1;
    totals.set(k.name, e);
  }
  const sum = [...totals.values()].reduce((s, e) => s + e.ms, 0);
  const kernels = [...totals.entries()]
    .map(([name, e]) => ({ name, ms: e.ms, calls: e.calls, share: e.ms / sum }))
    .sort((a, b) => b.ms - a.ms);
  return { ms, kernels };
}

export async function measurePreset(preset: PresetName): Promise<PresetResult> {
  const plan = PLAN[preset];
  const { batch, build } = presetTraining(preset);
  const train = mnistSplit('train');
  const test = mnistSplit('test');
  const wasm = await startWasm();
  await tf.setBackend('cpu');

  // Stock kernels: the same batches as the others (the first ones), fewer of them, after a warm-up of 8 images.
  unregisterFastKernels();
  const stockModel = build();
  await trainSeconds(stockModel, train, 0, 8, 1);
  const stockS = await trainSeconds(stockModel, train, 0, batch, plan.stockBatches);
  stockModel.dispose();

  // JS kernels vs wasm: one model on each backend, alternating rounds on the same batches.
  registerFastKernels();
  const jsModel = build();
  await trainSeconds(jsModel, train, 0, batch, 2);
  await tf.setBackend('wasm');
  const wasmModel = build();
  await trainSeconds(wasmModel, train, 0, batch, 2);
  const perRound = Math.max(1, Math.floor(plan.images / batch / ROUNDS));
  let jsS = 0;
  let wasmS = 0;
  for (let r = 0; r < ROUNDS; r++) {
    await tf.setBackend('cpu');
    jsS += await trainSeconds(jsModel, train, r * perRound * batch, batch, perRound);
    await tf.setBackend('wasm');
    wasmS += await trainSeconds(wasmModel, train, r * perRound * batch, batch, perRound);
  }
  const images = ROUNDS * perRound * batch;

  const wasmEval = await evalSeconds(wasmModel, test);
  const step = await profileStep(wasmModel, train, batch);
  await tf.setBackend('cpu');
  const jsEval = ((await evalSeconds(jsModel, test, plan.jsEval)) * test.count) / plan.jsEval;
  const macs = macsPerImage(jsModel);
  jsModel.dispose();
  await tf.setBackend('wasm');
  wasmModel.dispose();
  return {
    preset,
    batch,
    stockImages: batch * plan.stockBatches,
    stockImagesPerSec: (batch * plan.stockBatches) / stockS,
    images,
    jsImagesPerSec: images / jsS,
    wasmImagesPerSec: images / wasmS,
    wasmThreads: wasm.threads,
    jsEvalSeconds: jsEval,
    jsEvalImages: plan.jsEval,
    wasmEvalSeconds: wasmEval,
    wasmStepMs: step.ms,
    wasmKernels: step.kernels,
    forwardMacs: macs.forward,
    trainMacs: macs.train,
  };
}

/** The wasm path alone, as the app runs it: training throughput, evaluation, peak RSS. */
export async function measureWasmPath(preset: PresetName): Promise<PathResult> {
  const plan = PLAN[preset];
  const { batch, build } = presetTraining(preset);
  const train = mnistSplit('train');
  const test = mnistSplit('test');
  const { threads } = await startWasm();
  const model = build();
  await trainSeconds(model, train, 0, batch, 2);
  const batches = Math.floor(plan.images / batch);
  const seconds = await trainSeconds(model, train, 2 * batch, batch, batches);
  const evalS = await evalSeconds(model, test);
  model.dispose();
  return {
    preset,
    threads,
    imagesPerSec: (batches * batch) / seconds,
    evalSeconds: evalS,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** The wasm path (the default backend without tfjs-node) answering `train <start> <batches>`, `eval` and `quit` on
 *  stdin, one RESULT line each: bench/peer.ts alternates its rounds with the PyTorch peer's. */
async function serve(preset: PresetName): Promise<void> {
  const { batch, build } = presetTraining(preset);
  const train = mnistSplit('train');
  const test = mnistSplit('test');
  const { threads } = await startWasm();
  const model = build();
  console.log(`READY ${JSON.stringify({ threads, batch })}`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, a, b] = line.trim().split(/\s+/);
    if (!cmd || cmd === 'quit') break;
    if (cmd === 'train') console.log(`RESULT ${JSON.stringify({ seconds: await trainSeconds(model, train, Number(a), batch, Number(b)) })}`);
    else if (cmd === 'eval') console.log(`RESULT ${JSON.stringify({ seconds: await evalSeconds(model, test) })}`);
    else throw new Error(`train-speed.ts --serve: unknown command ${cmd}`);
  }
  model.dispose();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const preset = process.argv[2] as PresetName;
  if (!(preset in PLAN)) {
    console.error(`usage: train-speed.ts <${Object.keys(PLAN).join('|')}> [--path wasm]`);
    process.exit(2);
  }
  if (process.argv.includes('--serve')) {
    await serve(preset);
    process.exit(0);
  }
  const job = process.argv.includes('--path') ? measureWasmPath(preset) : measurePreset(preset);
  job
    .then((r) => {
      console.log(`RESULT ${JSON.stringify(r)}`);
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
