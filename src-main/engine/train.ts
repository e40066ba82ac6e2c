// The training loop: shuffled mini-batches, optional augmentation, a cosine learning-rate schedule,
// per-batch and per-epoch progress, validation after each epoch, stop within one batch.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE, PIXELS } from '../../src-shared/domain.js';
import { mulberry32 } from '../../src-shared/random.js';
import { scheduledLearningRate, type BatchProgress, type EpochProgress, type TrainConfig } from '../../src-shared/types.js';
import type { TrainCallbacks } from './api.js';
import { augmentBatch } from './data/augment.js';
import { batchIndices, imagesToFloat, type Split } from './data/mnist.js';
import { lossAndAccuracy, predictProbs } from './evaluate.js';

export class TrainingDiverged extends Error {}

export interface FitResult {
  history: EpochProgress[];
  stopped: boolean;
  batchesDone: number;
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const opt = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr); // SGD / momentum cache a scalar
  else opt.learningRate = lr; // Adam, RMSProp read the number at each step
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Train `model` (compiled) on `train`, validating on `val` after each epoch.
 * `onEpochEnd` runs after each epoch's validation (checkpointing).
 */
export async function fit(
  model: tf.LayersModel,
  train: Split,
  val: Split,
  config: TrainConfig,
  callbacks: TrainCallbacks = {},
  onEpochEnd?: (history: EpochProgress[]) => Promise<void>,
): Promise<FitResult> {
  const { epochs, batchSize } = config;
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const totalBatches = epochs * batchesPerEpoch;
  const history: EpochProgress[] = [];
  const xBuf = new Float32Array(batchSize * PIXELS);
  const t0 = performance.now();
  let batchesDone = 0;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const rng = mulberry32(config.seed * 1009 + epoch);
    const epochStart = performance.now();
    let epochImages = 0;
    let lossSum = 0;
    let correctSum = 0;
    let batch = 0;
    for (const idx of batchIndices(train.count, batchSize, rng)) {
      if (callbacks.signal?.aborted) return { history, stopped: true, batchesDone };
      const n = idx.length;
      let x = imagesToFloat(train.images, idx, xBuf.subarray(0, n * PIXELS));
      if (config.augment) x = augmentBatch(x, n, rng);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) y[i] = train.labels[idx[i]];

      setLearningRate(model.optimizer, scheduledLearningRate(config, batchesDone / totalBatches));
      const xs = tf.tensor4d(x, [n, IMAGE_SIDE, IMAGE_SIDE, 1]);
      const ys = tf.tensor2d(y, [n, 1]);
      let loss: number;
      let accuracy: number;
      try {
        [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
      } finally {
        xs.dispose();
        ys.dispose();
      }
      batch++;
      batchesDone++;
      if (!Number.isFinite(loss)) {
        throw new TrainingDiverged(
          `training diverged: loss is ${loss} at epoch ${epoch}, batch ${batch} — try a lower learning rate than ${config.learningRate}`,
        );
      }
      epochImages += n;
      lossSum += loss * n;
      correctSum += accuracy * n;
      const elapsedMs = performance.now() - t0;
      const epochSec = (performance.now() - epochStart) / 1000;
      const progress: BatchProgress = {
        epoch, epochs, batch, batchesPerEpoch, loss, accuracy,
        imagesPerSec: epochImages / Math.max(epochSec, 1e-6),
        elapsedMs,
        etaMs: (elapsedMs / batchesDone) * (totalBatches - batchesDone),
      };
      callbacks.onBatch?.(progress);
      await yieldToEventLoop();
    }

    const trainSec = (performance.now() - epochStart) / 1000;
    const valResult = val.count
      ? lossAndAccuracy(await predictProbs(model, val.images, val.count), val.labels)
      : { loss: NaN, accuracy: NaN };
    const elapsedMs = performance.now() - t0;
    const epochProgress: EpochProgress = {
      epoch, epochs,
      loss: lossSum / epochImages,
      accuracy: correctSum / epochImages,
      valLoss: valResult.loss,
      valAccuracy: valResult.accuracy,
      imagesPerSec: epochImages / trainSec,
      elapsedMs,
      etaMs: (elapsedMs / epoch) * (epochs - epoch),
    };
    history.push(epochProgress);
    callbacks.onEpoch?.(epochProgress);
    await onEpochEnd?.(history);
  }
  return { history, stopped: false, batchesDone };
}
