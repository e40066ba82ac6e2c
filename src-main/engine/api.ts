// The engine's public API: plain TypeScript, no UI or Electron imports. The CLI calls it directly;
// the engine process wraps it behind the protocol in src-shared/protocol.ts.
import type {
  BackendChoice, BackendInfo, BatchProgress, EpochProgress, EvalResult, ModelInfo, ModelOrigin, PenTrainingOptions, Sample, TrainConfig,
  TrainResult,
} from '../../src-shared/types.js';
import type { PresetName } from '../../src-shared/types.js';
import type { Activations } from './activations.js';
import type { TrainRequest } from './train-config.js';
import type { FinetuneOptions, FinetuneReport, LabelledImage } from './finetune.js';
import type { UserSample } from '../../src-shared/protocol.js';
import type { NewUserSample } from './user-samples.js';

export interface FinetuneRequest extends FinetuneOptions {
  /** The model to start from; default the active one. It is never changed. */
  model?: string;
  /** Name of the new model; default '<model>-tuned-<n>'. Must not exist yet. */
  name?: string;
  /** Train on these instead of the stored user samples (benchmarks). */
  examples?: readonly LabelledImage[];
  /** Make the new model the active one (default true). */
  activate?: boolean;
}

export interface FinetuneResult extends FinetuneReport {
  /** The new model's name ('' when stopped before saving). */
  model: string;
  base: string;
  durationMs: number;
}

/** A run's complete config as the engine resolved it (train-config.ts), with the name it saves under. */
export type ResolvedTrainConfig = TrainConfig & PenTrainingOptions & { name: string };

/** A resolved training run whose name is reserved: `run` trains it (and releases the name when it ends). */
export interface TrainingRun {
  config: ResolvedTrainConfig;
  run(callbacks?: TrainCallbacks): Promise<TrainResult>;
}

export interface EngineOptions {
  /** Force a backend; default 'auto' (also settable with DIGIT_LAB_BACKEND). */
  backend?: BackendChoice;
  /** Folder for user models; default DIGIT_LAB_HOME or the per-user data folder. */
  home?: string;
  /** Folder with the four MNIST-format IDX files; default the bundled MNIST. */
  dataDir?: string;
  /** Folder of shipped read-only models; default the repository's / app's models/. */
  shippedDir?: string;
}

export interface TrainCallbacks {
  onBatch?(p: BatchProgress): void;
  onEpoch?(p: EpochProgress): void;
  onLog?(message: string): void;
  /** Abort to stop: takes effect within one batch; the model trained so far is saved. */
  signal?: AbortSignal;
  /** Provenance recorded in meta.json: the command line and source commit that trained the model. */
  provenance?: { command?: string; commit?: string };
}

export interface KerasImportOptions {
  /** The file's name (recorded in meta.json's origin; the default model name is derived from it). */
  fileName: string;
  /** Save under this name; default: the file name without .h5, made unique. */
  name?: string;
  /** Test-set evaluation progress (images done of total), after the file has been read and checked. */
  onProgress?: (done: number, total: number) => void;
}

export interface KerasImportResult {
  model: string;
  testAccuracy: number;
  /** What a white pixel is fed as: 1 (0-1) or 255 (0-255). */
  inputScale: number;
  origin: ModelOrigin;
}

export interface DatasetInfo {
  name: string;
  dir: string;
  train: number;
  test: number;
}

export interface Engine {
  readonly backend: BackendInfo;
  readonly dataset: DatasetInfo;
  /** Resolve a request and reserve its name (throws at once on a bad one); the run starts when `run` is called. */
  startTraining(request: TrainRequest): TrainingRun;
  train(request: TrainRequest, callbacks?: TrainCallbacks): Promise<TrainResult>;
  /** Each preset's resolved defaults on this backend. */
  trainDefaults(): Record<PresetName, TrainConfig>;
  evaluate(model?: string, onProgress?: (done: number, total: number) => void): Promise<EvalResult>;
  /** Each input: 784 values, 0-1 floats, white ink on black (as MNIST). */
  predict(inputs: ArrayLike<number>[], model?: string): Promise<{ model: string; probs: number[][] }>;
  samples(n: number, seed?: number, model?: string): Promise<{ model: string; seed: number; samples: Sample[] }>;
  /** Test-set images as 784 grey levels 0-255. */
  testImages(indices: number[]): number[][];
  /** Every layer's output for one image (784 values, 0-1), and the first conv layer's filters. */
  activations(pixels: ArrayLike<number>, model?: string): Promise<Activations & { model: string }>;
  /** The user's own handwriting examples (<home>/samples/). */
  addUserSample(sample: NewUserSample): Promise<UserSample>;
  listUserSamples(): Promise<{ samples: UserSample[]; errors: { file: string; error: string }[] }>;
  getUserSample(id: string): Promise<UserSample>;
  removeUserSample(id: string): Promise<void>;
  /** Fine-tune a model on the user's examples (+ MNIST replay) and save the result as a new model. */
  finetune(request?: FinetuneRequest, callbacks?: TrainCallbacks): Promise<FinetuneResult>;
  listModels(): Promise<ModelInfo[]>;
  activeModel(): Promise<string | null>;
  setActiveModel(name: string): Promise<void>;
  renameModel(from: string, to: string): Promise<string>;
  deleteModel(name: string): Promise<void>;
  importModel(name: string, files: { path: string; data: Uint8Array }[]): Promise<string>;
  exportModel(name: string): Promise<{ path: string; data: Uint8Array }[]>;
  /** Import a Keras full-model .h5 (model.save): evaluated on the test set, then saved; nothing is saved on error. */
  importKeras(bytes: Uint8Array, options: KerasImportOptions): Promise<KerasImportResult>;
  /** A model as a Keras .h5 file (tf.keras 2.x model.save layout). */
  exportKeras(name?: string): Promise<Uint8Array>;
  dispose(): void;
}
