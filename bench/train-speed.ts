// Measures one preset in this process (so that its peak RSS is its own) and prints one JSON line.
// Run by bench/run.ts; by hand: npx tsx bench/train-speed.ts fast
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_MIN_MACS,
  registerFastKernels,
  setSplitPolicy,
  splitDecisions,
  startHelper,
  unregisterFastKernels,
} from '../src-main/engine/kernels/index.js';
import { buildModel } from '../src-main/engine/models.js';
import type { PresetName } from '../src-shared/types.js';
import { readMnist, type MnistSplit } from './mnist-idx.js';

export interface PresetResult {
  preset: PresetName;
  /** Batch size of the stock-vs-fast comparison, and how many images the stock kernels trained on. */
  compareBatch: number;
  stockImages: number;
  stockImagesPerSec: number;
  fastSameImagesPerSec: number;
  /** Training throughput with fast kernels at the app's batch size, over `fastImages` images. */
  trainBatch: number;
  fastImages: number;
  fastImagesPerSec: number;
  /** The same without splitting convolutions (one core), over `oneThreadImages` images. */
  oneThreadImages: number;
  oneThreadImagesPerSec: number;
  /** Whether the helper thread was running for the fast measurements. */
  helper: boolean;
  /** Convolution shapes timed one thread vs two, and how many of them the helper sped up. */
  splitShapes: number;
  splitKept: number;
  epochSeconds: number;
  epochMeasured: boolean;
  evalSeconds: number;
  peakRssMiB: number;
}

/** Per preset: the stock kernels are slow, so they train on a few batches only. */
const PLAN: Record<PresetName, { compareBatch: number; stockBatches: number; fastImages: number }> = {
  mlp: { compareBatch: 64, stockBatches: 10, fastImages: 6400 },
  fast: { compareBatch: 64, stockBatches: 2, fastImages: 3200 },
  seed: { compareBatch: 32, stockBatches: 2, fastImages: 3200 },
  'keras-cnn': { compareBatch: 8, stockBatches: 1, fastImages: 2048 },
};
const TRAIN_BATCH = 64;
const EPOCH_IMAGES = 55_000;

function batchTensors(data: MnistSplit, start: number, size: number): [tf.Tensor4D, tf.Tensor1D] {
  const s = start % (data.count - size);
  return [
    tf.tensor4d(data.images.subarray(s * 784, (s + size) * 784), [size, 28, 28, 1]),
    tf.tensor1d(data.labels.subarray(s, s + size), 'float32'),
  ];
}

/** Trains on `count` batches of `size` images starting at image `start`; returns images per second. */
async function trainSpeed(model: tf.LayersModel, data: MnistSplit, start: number, size: number, count: number): Promise<number> {
  const batches = Array.from({ length: count }, (_, i) => batchTensors(data, start + i * size, size));
  const t0 = performance.now();
  for (const [xs, ys] of batches) await model.trainOnBatch(xs, ys);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose(batches.flat());
  return (count * size) / seconds;
}

export async function measurePreset(preset: PresetName, fullEpoch: boolean): Promise<PresetResult> {
  await tf.setBackend('cpu');
  const plan = PLAN[preset];
  const train = readMnist('train', fullEpoch ? EPOCH_IMAGES : Math.max(plan.fastImages, 4096) + 128);
  const model = buildModel(preset, 'adam', 0.001);

  // Stock vs fast on the same batches (after warm-up batches: JIT, optimizer slots).
  unregisterFastKernels();
  await trainSpeed(model, train, 0, plan.compareBatch, 1);
  const stock = await trainSpeed(model, train, plan.compareBatch, plan.compareBatch, plan.stockBatches);
  registerFastKernels();
  const helper = await startHelper();
  await trainSpeed(model, train, 0, plan.compareBatch, 5);
  const fastSame = await trainSpeed(model, train, plan.compareBatch, plan.compareBatch, plan.stockBatches);

  // Fast kernels at the app's batch size: a full epoch, or enough images to extrapolate one.
  const images = fullEpoch ? EPOCH_IMAGES : plan.fastImages;
  // Rounds alternate the app's setting (helper thread, paused while the other core is busy) and
  // one thread, so that a change in the machine's load affects both alike.
  const rounds = Math.max(1, Math.round(images / TRAIN_BATCH / 10));
  const perRound = Math.floor(images / TRAIN_BATCH / rounds);
  const oneThreadPerRound = Math.max(1, Math.floor(perRound / 2));
  let fastSeconds = 0;
  let oneThreadSeconds = 0;
  for (let r = 0; r < rounds; r++) {
    const start = r * perRound * TRAIN_BATCH;
    setSplitPolicy({ minMacs: DEFAULT_MIN_MACS, measure: true });
    fastSeconds += (perRound * TRAIN_BATCH) / (await trainSpeed(model, train, start, TRAIN_BATCH, perRound));
    setSplitPolicy({ minMacs: Infinity, measure: true });
    oneThreadSeconds +=
      (oneThreadPerRound * TRAIN_BATCH) / (await trainSpeed(model, train, start, TRAIN_BATCH, oneThreadPerRound));
  }
  setSplitPolicy({ minMacs: DEFAULT_MIN_MACS, measure: true });
  const fast = (rounds * perRound * TRAIN_BATCH) / fastSeconds;
  const oneThreadBatches = rounds * oneThreadPerRound;
  const oneThread = (oneThreadBatches * TRAIN_BATCH) / oneThreadSeconds;
  const decisions = splitDecisions();

  // Evaluation: the 10k test images, predict in batches of 1000.
  const test = readMnist('t10k');
  const t0 = performance.now();
  for (let s = 0; s < test.count; s += 1000) {
    const n = Math.min(1000, test.count - s);
    const x = tf.tensor4d(test.images.subarray(s * 784, (s + n) * 784), [n, 28, 28, 1]);
    const p = model.predict(x, { batchSize: 1000 }) as tf.Tensor;
    await p.data();
    tf.dispose([x, p]);
  }
  const evalSeconds = (performance.now() - t0) / 1000;
  model.dispose();
  return {
    preset,
    compareBatch: plan.compareBatch,
    stockImages: plan.compareBatch * plan.stockBatches,
    stockImagesPerSec: stock,
    fastSameImagesPerSec: fastSame,
    trainBatch: TRAIN_BATCH,
    fastImages: rounds * perRound * TRAIN_BATCH,
    fastImagesPerSec: fast,
    oneThreadImages: oneThreadBatches * TRAIN_BATCH,
    oneThreadImagesPerSec: oneThread,
    helper,
    splitShapes: decisions.length,
    splitKept: decisions.filter((d) => d.split).length,
    epochSeconds: EPOCH_IMAGES / fast,
    epochMeasured: fullEpoch,
    evalSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const preset = process.argv[2] as PresetName;
  if (!(preset in PLAN)) {
    console.error(`usage: train-speed.ts <${Object.keys(PLAN).join('|')}> [--full-epoch]`);
    process.exit(2);
  }
  measurePreset(preset, process.argv.includes('--full-epoch'))
    .then((r) => console.log(`RESULT ${JSON.stringify(r)}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
