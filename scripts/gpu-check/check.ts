// GPU check: trains one epoch of a preset through the engine (the same code as `digit-lab train`),
// evaluates it on the test set and prints the adapter, img/s, epoch time and accuracy; with
// --profile N it also times N training steps per kernel (what limits a step). --tf-flag NAME=VALUE sets
// a TF.js flag (repeatable); --stock-kernels runs TF.js's own webgpu kernels. Bundled into the GPU pack
// (pack.sh) and run there by run.sh; here: npx tsx scripts/gpu-check/check.ts --backend webgpu --train-size 512
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src-shared/random.js';
import { PRESETS, type PresetName } from '../../src-shared/types.js';
import { batchSource } from '../../src-main/engine/batch-source.js';
import { parseBackendChoice } from '../../src-main/engine/backend.js';
import { batchIndices, loadMnist } from '../../src-main/engine/data/mnist.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { buildModel } from '../../src-main/engine/models.js';
import { unregisterWebGpuKernels } from '../../src-main/engine/webgpu/kernels.js';

const { values: opts } = parseArgs({
  options: {
    backend: { type: 'string', default: process.env.DIGIT_LAB_BACKEND || 'auto' },
    preset: { type: 'string', default: 'fast' },
    epochs: { type: 'string', default: '1' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    'train-size': { type: 'string', default: '0' },
    'validation-size': { type: 'string', default: '5000' },
    profile: { type: 'string', default: '0' },
    'tf-flag': { type: 'string', multiple: true, default: [] }, // e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64
    'stock-kernels': { type: 'boolean', default: false }, // TF.js's own webgpu kernels, for comparison
    'require-gpu': { type: 'boolean', default: false }, // stop at once unless a GPU backend was chosen
  },
});

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got '${value}'`);
  return n;
}

const line = (s: string) => process.stdout.write(s + '\n');

/** Per-kernel GPU time of `steps` training steps (after one warm-up step), largest first. */
async function profileSteps(preset: PresetName, batchSize: number, steps: number): Promise<void> {
  const data = loadMnist();
  const model = buildModel(preset, 'adam', 0.003);
  const source = batchSource(data.train, 'off', batchSize);
  const batches = [...batchIndices(data.train.count, batchSize, mulberry32(1))].slice(0, steps + 1);
  const step = async (idx: Int32Array) => {
    const { xs, ys } = source.batch(idx, mulberry32(2));
    const out = (await model.trainOnBatch(xs, ys)) as number[];
    tf.dispose([xs, ys]);
    return out;
  };
  await step(batches[0]);
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    for (const idx of batches.slice(1)) await step(idx);
  });
  const wallMs = (performance.now() - t0) / steps;
  const byKernel = new Map<string, { ms: number; count: number }>();
  let timed = true;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : NaN;
    if (!Number.isFinite(ms)) timed = false;
    const e = byKernel.get(k.name) ?? { ms: 0, count: 0 };
    e.ms += Number.isFinite(ms) ? ms : 0;
    e.count++;
    byKernel.set(k.name, e);
  }
  const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0) / steps;
  line(`profile: ${steps} steps of batch ${batchSize}: ${wallMs.toFixed(1)} ms a step (profiled), ${(info.kernels.length / steps).toFixed(0)} kernels a step` +
    (timed ? `, GPU kernel time ${total.toFixed(2)} ms a step` : ' (no GPU kernel times: timestamp queries unavailable)') +
    ' (TF.js kernels only: the batch gather and the two-kernel Adam run outside them)');
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
    line(`  ${name.padEnd(28)} ${(e.ms / steps).toFixed(3).padStart(8)} ms  ×${e.count / steps}`);
  }
  source.dispose();
  model.optimizer.dispose();
  model.dispose();
}

async function main(): Promise<void> {
  const preset = opts.preset as PresetName;
  if (!(PRESETS as readonly string[]).includes(preset)) throw new Error(`--preset must be one of ${PRESETS.join(', ')}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-gpu-check-'));
  try {
    const t0 = performance.now();
    const engine = await createEngine({ backend: parseBackendChoice(opts.backend), home, shippedDir: path.join(home, 'none') });
    const b = engine.backend;
    line(`backend: ${b.name} (${b.kind}) · ${b.device}  [ready in ${((performance.now() - t0) / 1000).toFixed(1)} s]`);
    for (const s of b.skipped) line(`  skipped ${s.backend}: ${s.reason}`);
    if (opts['stock-kernels']) {
      unregisterWebGpuKernels();
      line("TF.js's stock webgpu kernels (Digit Lab's own unregistered)");
    }
    for (const flag of opts['tf-flag'] ?? []) {
      const [name, value] = flag.split('=');
      tf.env().set(name, value === 'true' ? true : value === 'false' ? false : Number(value));
      line(`TF.js flag ${name} = ${String(tf.env().get(name))}`);
    }
    if (opts['require-gpu'] && b.kind !== 'gpu') throw new Error('no GPU backend was chosen (--require-gpu): see the skipped backends above');
    line(`data: ${engine.dataset.name} from ${engine.dataset.dir}`);

    const config = {
      preset, epochs: int('epochs', opts.epochs) || 1, trainSize: int('train-size', opts['train-size']) ?? 0,
      validationSize: int('validation-size', opts['validation-size']) ?? 5000, name: 'gpu-check',
      ...(opts['batch-size'] ? { batchSize: int('batch-size', opts['batch-size']) } : {}),
      ...(opts.lr ? { learningRate: Number(opts.lr) } : {}),
    };
    const trainImages = config.trainSize || engine.dataset.train - config.validationSize;
    const result = await engine.train(config, {
      onLog: (m) => line(m),
      onEpoch: (e) => {
        line(`epoch ${e.epoch}/${e.epochs}: ${(trainImages / e.imagesPerSec).toFixed(2)} s training (${Math.round(e.imagesPerSec)} img/s), ` +
          `loss ${e.loss.toFixed(4)}, acc ${e.accuracy.toFixed(4)}, val_acc ${e.valAccuracy.toFixed(4)}, ${(e.elapsedMs / 1000).toFixed(1)} s so far`);
      },
    });
    const evalResult = await engine.evaluate({ model: result.model ?? undefined });
    const evalSec = evalResult.durationMs / 1000;
    line(`test accuracy: ${(result.testAccuracy * 100).toFixed(2)}% after ${result.history.length} epoch(s) · ` +
      `training run ${(result.durationMs / 1000).toFixed(1)} s in all · inference ${Math.round(evalResult.count / evalSec)} img/s`);
    const used = (await engine.models.list({})).models.find((m) => m.name === result.model)?.meta?.config;
    const last = result.history.at(-1);
    if (last) {
      line(`RESULT adapter="${b.device}" preset=${preset} batch=${used?.batchSize} lr=${used?.learningRate} images=${trainImages} ` +
        `epoch_img_per_s=${Math.round(last.imagesPerSec)} epoch_s=${(trainImages / last.imagesPerSec).toFixed(2)} test_acc=${result.testAccuracy.toFixed(4)}`);
    }
    const steps = int('profile', opts.profile) ?? 0;
    if (steps > 0) await profileSteps(preset, used?.batchSize ?? 128, steps);
    engine.dispose();
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`gpu-check: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
