// Fine-tuning on the user's own handwriting: a few hundred images in which the user's examples
// (repeated, augmented) are mixed with MNIST training images replayed so the model does not forget
// MNIST, run through the ordinary training loop (train.ts) for a fixed number of steps at a small
// learning rate. Accuracy on held-out user examples and on the MNIST test set, before and after.
import type * as tf from '@tensorflow/tfjs';
import { mulberry32, randomInt, shuffleInPlace, type Rng } from '../../src-shared/random.js';
import { DEFAULT_TRAIN_CONFIG, type AugmentName, type FinetuneMeta, type TrainConfig } from '../../src-shared/types.js';
import type { TrainCallbacks } from './api.js';
import { PIXELS } from '../../src-shared/domain.js';
import { BOUNDS } from '../../src-shared/protocol.js';
import { subset, type Split } from './data/mnist.js';
import { lossAndAccuracy, predictProbs } from './evaluate.js';
import { fit } from './train.js';

export interface FinetuneOptions {
  /** Training steps (batches); default 40 — a few seconds on a CPU. */
  steps?: number;
  batchSize?: number;
  /** Adam's learning rate; small, so the model adapts without forgetting. */
  learningRate?: number;
  /** Fraction of each batch taken from MNIST's training images (replay). */
  replay?: number;
  /** Fraction of the user's examples of each digit held out to measure the effect (0 = none). */
  holdout?: number;
  /** MNIST test images (the first N) scored before and after; 0 skips it. */
  testSize?: number;
  /** Augmentation of every training image (default affine: random shifts, rotations and scaling). */
  augment?: AugmentName;
  seed?: number;
}

export const FINETUNE_DEFAULTS: Required<FinetuneOptions> = {
  steps: 40, batchSize: 32, learningRate: 3e-4, replay: 0.5, holdout: 0.2, testSize: 10_000, augment: 'affine', seed: 1,
};

/** Accuracy on the held-out user examples and on the first `testSize` MNIST test images (null: none). */
export type Scores = FinetuneMeta['before'];

const NO_EXAMPLES = "no examples to fine-tune on: add some with 'digit-lab samples add'";

/** Check the options and that there is something to train on, before any work. */
export function checkRequest(examples: readonly LabelledImage[], options: FinetuneOptions): void {
  resolveOptions(options);
  if (!examples.length) throw new RangeError(NO_EXAMPLES);
}

export interface FinetuneReport {
  options: Required<FinetuneOptions>;
  /** User examples trained on and held out. */
  trained: number;
  heldOut: number;
  before: Scores;
  after: Scores;
  /** Images the loop saw: steps × batch size, user examples and MNIST replay together. */
  images: number;
  stopped: boolean;
}

/** One labelled image: 784 grey levels 0-255. */
export interface LabelledImage {
  label: number;
  pixels: ArrayLike<number>;
}

export function toSplit(items: readonly LabelledImage[]): Split {
  const images = new Uint8Array(items.length * PIXELS);
  const labels = new Uint8Array(items.length);
  items.forEach((s, i) => {
    images.set(s.pixels, i * PIXELS);
    labels[i] = s.label;
  });
  return { images, labels, count: items.length };
}

/** Hold out a fraction of each digit's examples (at least one stays in training). */
export function holdOut<T extends LabelledImage>(items: readonly T[], fraction: number, rng: Rng): { train: T[]; heldOut: T[] } {
  const train: T[] = [];
  const heldOut: T[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const of = shuffleInPlace(items.filter((s) => s.label === digit), rng);
    const n = Math.min(of.length - 1, Math.round(of.length * fraction));
    heldOut.push(...of.slice(0, Math.max(0, n)));
    train.push(...of.slice(Math.max(0, n)));
  }
  return { train, heldOut };
}

/** `total` images: the user's examples cycled in shuffled order, the rest random MNIST training images. */
function mixture(user: Split, replay: Split, total: number, replayFraction: number, rng: Rng): Split {
  const userCount = Math.max(1, Math.round(total * (1 - replayFraction)));
  const order = shuffleInPlace(Int32Array.from({ length: user.count }, (_, i) => i), rng);
  const userPart = subset(user, Int32Array.from({ length: userCount }, (_, i) => order[i % user.count]));
  const replayPart = subset(replay, Int32Array.from({ length: total - userCount }, () => randomInt(rng, replay.count)));
  const images = new Uint8Array(total * PIXELS);
  images.set(userPart.images);
  images.set(replayPart.images, userPart.images.length);
  const labels = new Uint8Array(total);
  labels.set(userPart.labels);
  labels.set(replayPart.labels, userPart.count);
  return { images, labels, count: total };
}

async function accuracy(model: tf.LayersModel, split: Split, count = split.count): Promise<number | null> {
  if (!count) return null;
  return lossAndAccuracy(await predictProbs(model, split.images, count), split.labels.subarray(0, count)).accuracy;
}

/** The options with defaults for those not given; only the known keys. */
function resolveOptions(options: FinetuneOptions): Required<FinetuneOptions> {
  const o = { ...FINETUNE_DEFAULTS };
  for (const key of Object.keys(o) as (keyof FinetuneOptions)[]) {
    if (options[key] !== undefined) (o as Record<string, unknown>)[key] = options[key];
  }
  validate(o);
  return o;
}

function validate(o: Required<FinetuneOptions>): void {
  const bad = (what: string, v: number, range: string) => new RangeError(`fine-tune ${what} must be ${range}, got ${v}`);
  const { min, max } = BOUNDS.finetuneSteps;
  if (!Number.isInteger(o.steps) || o.steps < min || o.steps > max) throw bad('steps', o.steps, `a whole number from ${min} to ${max}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 2 || o.batchSize > 1024) throw bad('batch size', o.batchSize, 'from 2 to 1024');
  if (!(o.learningRate > 0 && o.learningRate < 1)) throw bad('learning rate', o.learningRate, 'between 0 and 1');
  if (!(o.replay >= 0 && o.replay < 1)) throw bad('replay fraction', o.replay, 'from 0 to below 1');
  if (!(o.holdout >= 0 && o.holdout < 1)) throw bad('holdout fraction', o.holdout, 'from 0 to below 1');
  if (!Number.isInteger(o.testSize) || o.testSize < 0) throw bad('test size', o.testSize, 'a whole number ≥ 0');
}

/**
 * Fine-tune `model` (compiled, trained in place) on the user's examples mixed with MNIST replay.
 * `mnist` supplies the replay images (train) and the before/after test images (test).
 */
export async function finetune(
  model: tf.LayersModel,
  examples: readonly LabelledImage[],
  mnist: { train: Split; test: Split },
  options: FinetuneOptions = {},
  callbacks: TrainCallbacks = {},
): Promise<FinetuneReport> {
  const o = resolveOptions(options);
  const testSize = Math.min(o.testSize, mnist.test.count);
  const rng = mulberry32(o.seed);
  const { train, heldOut } = holdOut(examples, o.holdout, rng);
  if (!train.length) throw new RangeError(NO_EXAMPLES);
  const heldOutSplit = toSplit(heldOut);
  const score = async (): Promise<Scores> => ({ user: await accuracy(model, heldOutSplit), mnist: await accuracy(model, mnist.test, testSize) });

  const before = await score();
  const images = o.steps * o.batchSize;
  const data = mixture(toSplit(train), mnist.train, images, o.replay, rng);
  const config: TrainConfig = {
    ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: o.batchSize, learningRate: o.learningRate, augment: o.augment,
    seed: o.seed, schedule: 'constant', validationSize: 0,
  };
  const result = await fit(model, data, { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 }, config, callbacks);
  const after = await score();
  return { options: o, trained: train.length, heldOut: heldOut.length, before, after, images, stopped: result.stopped };
}
