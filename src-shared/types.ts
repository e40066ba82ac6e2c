// The domain's choices (presets, optimizers, schedules, backends) and the default training config. The domain's
// data types are derived from the zod schemas in protocol.ts and re-exported here, so they are written once.
import type { TrainConfig } from './protocol.js';

export type {
  BackendInfo, BatchProgress, ConfusionSummary, EpochProgress, EvalResult, FinetuneMeta, Mistake, ModelInfo, ModelMeta, ModelOrigin,
  PenTrainingOptions, Sample,
  TrainConfig, TrainResult,
} from './protocol.js';

export const PRESETS = ['seed', 'keras-cnn', 'fast', 'mlp', 'best'] as const;
export type PresetName = (typeof PRESETS)[number];

/** What each preset is, for people: a short title and its layers. */
export const PRESET_INFO: Record<PresetName, { title: string; text: string }> = {
  fast: { title: 'Fast CNN', text: 'conv16 · pool · conv32 · pool · dense128 — sized for CPUs, ≥ 99%' },
  seed: {
    title: 'classifier.py',
    text: "the old project's network, layer for layer: conv28 3×3 (no activation) · pool · dense128 · dropout — 0.6M params, ~98% in 5 epochs",
  },
  'keras-cnn': { title: 'Keras mnist_cnn', text: "Keras' mnist_cnn.py example: conv32 · conv64 · pool · dense128 — 1.2M params, slow on CPU" },
  mlp: { title: 'MLP baseline', text: 'dense256 · dense10 — no convolutions, trains in seconds' },
  best: {
    title: 'Best accuracy',
    text: 'conv24 ×2 · pool · conv64 ×2 · pool · dense256, batch norm after each block — with augmentation and a one-cycle schedule; 99.67–99.70% in 13–14 min on 2 cores',
  },
};

/** Augmentation of training images: off; `affine` (shift, rotation, scale); `pen` (affine with shear and
 *  aspect, elastic distortion, stroke-thickness changes: how people's drawn digits differ). */
export const AUGMENTS = ['off', 'affine', 'pen'] as const;
export type AugmentName = (typeof AUGMENTS)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Learning-rate schedule: constant; cosine decay to 5% over the run; one-cycle: a linear warm-up from 10% to the
 *  base rate over the first fifth of the run, then cosine decay to 2%. */
export const SCHEDULES = ['constant', 'cosine', 'onecycle'] as const;

/** One-cycle: the share of the run spent warming up, and where the warm-up starts and the decay ends. */
export const ONE_CYCLE = { warmup: 0.2, start: 0.1, floor: 0.02 } as const;

const cosineDecay = (floor: number, progress: number) => floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));

/** Learning rate at a given fraction of the run (0 → 1). The engine sets it each batch; the Train view draws it
 *  under the loss chart. */
export function scheduledLearningRate(config: Pick<TrainConfig, 'learningRate' | 'schedule'>, progress: number): number {
  const schedule = config.schedule ?? 'cosine';
  if (schedule === 'constant') return config.learningRate;
  if (schedule === 'cosine') return config.learningRate * cosineDecay(0.05, progress);
  const { warmup, start, floor } = ONE_CYCLE;
  if (progress < warmup) return config.learningRate * (start + ((1 - start) * progress) / warmup);
  return config.learningRate * cosineDecay(floor, (progress - warmup) / (1 - warmup));
}

/** Attribution methods of `explain`: `gradient` = integrated gradients of gradient × input from a black image;
 *  `occlusion` = each inked pixel set to black in turn, the drop in the class's probability. */
export const EXPLAIN_METHODS = ['gradient', 'occlusion'] as const;
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];
/** Each method named for people (the UI and the CLI). */
export const EXPLAIN_METHOD_INFO: Record<ExplainMethod, { title: string; text: string }> = {
  gradient: { title: 'Integrated gradients', text: 'gradient × input, averaged on the way from a black image to this one' },
  occlusion: { title: 'Occlusion', text: 'each inked pixel set to black in turn: how much the probability drops' },
};

export const BACKEND_CHOICES = ['auto', 'gpu', 'webgpu', 'native', 'wasm', 'js'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  preset: 'fast',
  epochs: 2,
  batchSize: 256,
  learningRate: 0.01,
  optimizer: 'adam',
  augment: 'off',
  trainSize: 0,
  validationSize: 5000,
  seed: 42,
  schedule: 'onecycle',
  adamBetas: [0.7, 0.9],
  dropout: false,
};

/** Each preset's own training defaults over DEFAULT_TRAIN_CONFIG: `seed` trains as the old classifier.py did
 *  (Keras model.fit defaults: batch 32, Adam at 0.001 held constant with β 0.9 / 0.999, 5 epochs, all 60 000 images, no
 *  augmentation). */
export const PRESET_TRAINING: Record<PresetName, Partial<TrainConfig>> = {
  seed: {
    epochs: 5, batchSize: 32, learningRate: 0.001, optimizer: 'adam', schedule: 'constant', adamBetas: [0.9, 0.999], augment: 'off',
    validationSize: 0, dropout: true,
  },
  'keras-cnn': { dropout: true },
  fast: {},
  mlp: {},
  best: { epochs: 11, batchSize: 256, learningRate: 0.007, augment: 'affine', schedule: 'onecycle', adamBetas: [0.9, 0.999], dropout: true },
};

/** A complete config: DEFAULT_TRAIN_CONFIG, then the preset's defaults, then what was given. */
export function trainConfigFor<T extends Partial<TrainConfig>>(given: T): TrainConfig & Omit<T, keyof TrainConfig> {
  const preset = given.preset ?? DEFAULT_TRAIN_CONFIG.preset;
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as T;
  return { ...DEFAULT_TRAIN_CONFIG, ...PRESET_TRAINING[preset], ...defined, preset };
}
