// The training loop: shuffled mini-batches, optional augmentation, a cosine learning-rate schedule,
// per-batch and per-epoch progress, validation after each epoch, stop within one batch.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src-shared/random.js';
import { scheduledLearningRate, type BatchProgress, type EpochProgress, type TrainConfig } from '../../src-shared/types.js';
import type { TrainCallbacks } from './api.js';
import { batchSource, metricsInterval } from './batch-source.js';
import { batchIndices, type Split } from './data/mnist.js';
import { lossAndAccuracy, predictProbs } from './evaluate.js';
import { hasBatchNorm, preciseBatchNorm, PreciseBnStopped } from './precise-bn.js';

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

type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];

/**
 * One optimiser step: what model.trainOnBatch does, minus its read-back of the loss, so that the
 * [loss, accuracy] scalars stay on the device until the trainer reads a group of them at once.
 */
export function trainStep(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor): tf.Scalar[] {
  const compiled = model instanceof tf.Sequential ? (model as unknown as { model: tf.LayersModel }).model : model; // Sequential delegates
  const run = (compiled as unknown as { makeTrainFunction(): TrainFunction }).makeTrainFunction();
  return run([xs, ys]);
}

/** A trained batch whose metrics have not been read back yet. */
interface Pending {
  metrics: tf.Scalar[];
  n: number;
}

export interface FitOptions {
  /** Runs after each epoch's validation (checkpointing). */
  onEpochEnd?: (history: EpochProgress[]) => Promise<void>;
  /** After the last epoch's steps, before its validation: recompute the batch-norm statistics (precise-bn.ts). */
  preciseBatchNorm?: boolean;
}

/** Train `model` (compiled) on `train`, validating on `val` after each epoch. */
export async function fit(
  model: tf.LayersModel,
  train: Split,
  val: Split,
  config: TrainConfig,
  callbacks: TrainCallbacks = {},
  { onEpochEnd, preciseBatchNorm: precise = false }: FitOptions = {},
): Promise<FitResult> {
  const { epochs, batchSize } = config;
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const totalBatches = epochs * batchesPerEpoch;
  const history: EpochProgress[] = [];
  const source = batchSource(train, config.augment, batchSize);
  const readEvery = metricsInterval();
  const t0 = performance.now();
  let stepsDone = 0; // optimiser steps queued
  let batchesDone = 0; // steps whose metrics were read back and reported

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const rng = mulberry32(config.seed * 1009 + epoch);
      const epochStart = performance.now();
      let epochImages = 0;
      let lossSum = 0;
      let correctSum = 0;
      let batch = 0;
      let pending: Pending[] = [];

      /** Read the queued steps' metrics in one transfer, check them and report each batch. */
      const flush = async () => {
        if (!pending.length) return;
        const group = pending;
        pending = [];
        const stacked = tf.stack(group.flatMap((p) => p.metrics));
        const values = await stacked.data();
        tf.dispose([stacked, ...group.flatMap((p) => p.metrics)]);
        const width = values.length / group.length;
        for (const [i, { n }] of group.entries()) {
          const [loss, accuracy] = [values[i * width], values[i * width + 1]];
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
          if (callbacks.signal?.aborted) continue; // trained, but nothing is reported after a stop
          const elapsedMs = performance.now() - t0;
          const epochSec = (performance.now() - epochStart) / 1000;
          const progress: BatchProgress = {
            epoch, epochs, batch, batchesPerEpoch, loss, accuracy,
            imagesPerSec: epochImages / Math.max(epochSec, 1e-6),
            elapsedMs,
            etaMs: (elapsedMs / batchesDone) * (totalBatches - batchesDone),
          };
          callbacks.onBatch?.(progress);
        }
      };

      try {
        for (const idx of batchIndices(train.count, batchSize, rng)) {
          if (callbacks.signal?.aborted) {
            await flush();
            return { history, stopped: true, batchesDone };
          }
          setLearningRate(model.optimizer, scheduledLearningRate(config, stepsDone / totalBatches));
          const { xs, ys } = source.batch(idx, rng);
          try {
            pending.push({ metrics: trainStep(model, xs, ys), n: idx.length });
          } finally {
            xs.dispose();
            ys.dispose();
          }
          stepsDone++;
          if (pending.length >= readEvery) await flush();
          await yieldToEventLoop();
        }
        await flush();
      } finally {
        tf.dispose(pending.flatMap((p) => p.metrics)); // left over when a step or a read-back threw
      }

      const trainSec = (performance.now() - epochStart) / 1000;
      if (epoch === epochs && precise && hasBatchNorm(model)) {
        const t = performance.now();
        try {
          const done = await preciseBatchNorm(model, train, config.seed, { signal: callbacks.signal });
          callbacks.onLog?.(
            `batch norm: the statistics of its ${done.layers} layer${done.layers > 1 ? 's' : ''} recomputed on ${done.images} ` +
              `training images without augmentation (PreciseBN, ${((performance.now() - t) / 1000).toFixed(1)} s)`,
          );
        } catch (err) {
          if (err instanceof PreciseBnStopped) return { history, stopped: true, batchesDone };
          throw err;
        }
      }
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
  } finally {
    source.dispose();
  }
}
