// Domain types shared by the engine (Node side) and the renderer. Plain data only: everything here
// must survive structured clone and JSON, because it crosses process and socket boundaries.

export const PRESETS = ['seed', 'keras-cnn', 'fast', 'mlp'] as const;
export type PresetName = (typeof PRESETS)[number];

/** Augmentation of training images: off; `affine` (shift, rotation, scale); `pen` (affine with shear and
 *  aspect, elastic distortion, stroke-thickness changes: how people's drawn digits differ). true = affine. */
export const AUGMENTS = ['off', 'affine', 'pen'] as const;
export type AugmentName = (typeof AUGMENTS)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const SCHEDULES = ['constant', 'cosine'] as const;

export const BACKEND_CHOICES = ['auto', 'gpu', 'native', 'js'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Hyperparameters of one training run. */
export interface TrainConfig {
  preset: PresetName;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** Augmentation of training images (AUGMENTS); true = 'affine', false = 'off'. */
  augment: boolean | AugmentName;
  /** Number of training images used (0 = all left after the validation split). */
  trainSize: number;
  /** Images held out of the training set for validation. */
  validationSize: number;
  seed: number;
  /** Learning-rate schedule: constant, or cosine decay to 5% over the run. */
  schedule?: 'constant' | 'cosine';
  /** Name to save the model under; generated from preset and date when absent. */
  name?: string;
  /** Start from this saved model's weights (fine-tuning) instead of a fresh network of `preset`. */
  from?: string;
  /** A UNIPEN pen-digit file whose tuning writers (PEN_TUNING_WRITERS), rendered as the sketchpad does,
   *  are added to the training images (CLI only: a path on the engine's machine). */
  penData?: string;
  /** With penData: only these of the tuning writers (default: all of them). */
  penWriters?: number[];
  /** With penData: how many times each pen digit is added (oversampling; default 1). */
  penRepeat?: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  preset: 'fast',
  epochs: 3,
  batchSize: 128,
  learningRate: 0.003,
  optimizer: 'adam',
  augment: false,
  trainSize: 0,
  validationSize: 5000,
  seed: 42,
  schedule: 'cosine',
};

/** Each preset's own training defaults over DEFAULT_TRAIN_CONFIG: `seed` trains as the old classifier.py did
 *  (Keras model.fit defaults: batch 32, Adam at 0.001 held constant, 5 epochs, all 60 000 images, no augmentation). */
export const PRESET_TRAINING: Record<PresetName, Partial<TrainConfig>> = {
  seed: { epochs: 5, batchSize: 32, learningRate: 0.001, optimizer: 'adam', schedule: 'constant', augment: false, validationSize: 0 },
  'keras-cnn': {},
  fast: {},
  mlp: {},
};

/** A complete config: DEFAULT_TRAIN_CONFIG, then the preset's defaults, then what was given. */
export function trainConfigFor(given: Partial<TrainConfig>): TrainConfig {
  const preset = given.preset ?? DEFAULT_TRAIN_CONFIG.preset;
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;
  return { ...DEFAULT_TRAIN_CONFIG, ...PRESET_TRAINING[preset], ...defined, preset };
}

/** Which TF.js backend runs, on what, and why the faster ones were not used. */
export interface BackendInfo {
  /** TF.js backend name: 'tensorflow' (native, CPU or GPU) or 'cpu' (pure JS). */
  name: string;
  kind: 'gpu' | 'native-cpu' | 'pure-js';
  /** Human-readable device, e.g. "NVIDIA H100 80GB HBM3" or "pure JavaScript (2 cores)". */
  device: string;
  /** True when Digit Lab's fast CPU kernels are registered (pure-JS backend only). */
  fastKernels: boolean;
  /** Faster backends that were tried and skipped, each with the reason. */
  skipped: { backend: string; reason: string }[];
  /** One-line hint on how to get faster, or '' when already on a GPU. */
  hint: string;
}

export interface BatchProgress {
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 1-based within the epoch
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  elapsedMs: number;
  etaMs: number;
}

export interface EpochProgress {
  epoch: number; // 1-based
  epochs: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  imagesPerSec: number;
  elapsedMs: number;
  etaMs: number;
}

export interface ConfusionSummary {
  accuracy: number;
  perClassAccuracy: number[]; // 10 entries
  /** confusion[actual][predicted] */
  confusion: number[][];
}

export interface Mistake {
  index: number; // index in the test set
  label: number;
  predicted: number;
  confidence: number; // probability of the predicted class
  probs: number[]; // 10 entries
}

export interface EvalResult extends ConfusionSummary {
  model: string;
  count: number;
  correct: number;
  mistakes: Mistake[];
  durationMs: number;
}

export interface Sample {
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  probs: number[];
  /** 784 grey levels 0-255, row-major, white ink on black as in MNIST. */
  pixels: number[];
}

export interface ModelMeta {
  name: string;
  preset: PresetName | 'imported';
  config: TrainConfig | null;
  history: EpochProgress[];
  testAccuracy: number | null;
  confusion: number[][] | null;
  backend: string;
  device: string;
  durationMs: number;
  createdAt: string; // ISO date
  params: number;
  command?: string;
  commit?: string;
  dataset?: string;
}

export interface ModelInfo {
  name: string;
  /** Shipped with the app (read-only), as opposed to trained by the user. */
  shipped: boolean;
  active: boolean;
  meta: ModelMeta | null;
  /** Set when the folder exists but cannot be read as a model. */
  error?: string;
}

export interface TrainResult {
  model: string;
  testAccuracy: number;
  /** Mean cross-entropy on the test set (Keras' `model.evaluate` loss). */
  testLoss?: number;
  /** Whether the new model became the active one (it beat the active model's test accuracy, or none was set). */
  activated?: boolean;
  stopped: boolean;
  history: EpochProgress[];
  durationMs: number;
}
