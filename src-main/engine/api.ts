// The engine's API, derived from the protocol (src-shared/protocol.ts), not written beside it: every method the
// engine answers has the protocol's name, params and result — `models.setActive` is `engine.models.setActive(params)`
// — in the engine's formats, which the engine process's handlers (handlers.ts) convert to and from the wire's:
// pixels as 0-1 floats (0-255 on the wire), model files as bytes (base64), metrics NaN (null). Long requests take a
// progress callback where the wire has events. The CLI calls the engine directly.
import type {
  BatchProgress, CompareRun, EngineMethod, EpochProgress, EventData, ParsedParams, PenTrainingOptions, Result, TrainConfig, TrainResult,
} from '../../src-shared/protocol.js';
import type { BackendChoice } from '../../src-shared/types.js';
import type { Activations } from './activations.js';
import type { FinetuneOptions, LabelledImage } from './finetune.js';
import type { TrainRequest } from './train-config.js';
import type { NewUserSample } from './user-samples.js';

/** Progress of a long request: images done of total. */
export type Progress = (done: number, total: number) => void;
/** A model's file as bytes (base64 on the wire). */
export interface FileBytes {
  path: string;
  data: Uint8Array;
}
type With<T, U> = Omit<T, keyof U> & U;

/** Where the engine's side of a method differs from the wire's: transport formats only. */
interface EngineSide {
  evaluate: { params: With<Omit<ParsedParams<'evaluate'>, 'jobId'>, { onProgress?: Progress }> };
  /** Each input: 784 values, 0-1 floats, white ink on black (as MNIST). */
  predict: { params: With<ParsedParams<'predict'>, { inputs: ArrayLike<number>[] }> };
  /** Every layer's output for one image (784 values, 0-1), and the first conv layer's filters, as Float32Arrays. */
  activations: { params: With<ParsedParams<'activations'>, { pixels: ArrayLike<number> }>; result: Activations & { model: string } };
  /** The image as 784 values, 0-1; the map as a Float32Array (a JSON array on the wire). */
  explain: { params: With<ParsedParams<'explain'>, { pixels: ArrayLike<number> }>; result: With<Result<'explain'>, { map: Float32Array }> };
  'models.import': { params: With<ParsedParams<'models.import'>, { files: FileBytes[] }> };
  'models.export': { result: { files: FileBytes[] } };
  /** Evaluated on the test set (`onProgress`), then saved; nothing is saved on error. */
  'models.importKeras': {
    params: With<Omit<ParsedParams<'models.importKeras'>, 'base64' | 'jobId'>, { bytes: Uint8Array; onProgress?: Progress }>;
  };
  /** The tf.keras 2.x `model.save` layout. */
  'models.exportKeras': { result: { fileName: string; bytes: Uint8Array } };
  'userSamples.add': { params: NewUserSample };
  /** Models saved without their test-set predictions are scored first (`onProgress`), and the result kept. */
  /** The curves' columns as number arrays (each a base64 Float32Array on the wire). */
  'compare.runs': { params: With<Omit<ParsedParams<'compare.runs'>, 'jobId'>, { onProgress?: Progress }>; result: { runs: CompareRun<number[]>[] } };
  'compare.diff': { params: With<Omit<ParsedParams<'compare.diff'>, 'jobId'>, { onProgress?: Progress }> };
  /** Decoding an image folder reports files done of all (`onProgress`). */
  'datasets.add': { params: With<Omit<ParsedParams<'datasets.add'>, 'jobId'>, { onProgress?: Progress }> };
}
/** A method's params as the engine takes them. */
export type EngineParams<M extends EngineMethod> = M extends keyof EngineSide ? EngineSide[M] extends { params: infer P } ? P : ParsedParams<M> : ParsedParams<M>;
type ResultOf<M extends EngineMethod> = M extends keyof EngineSide ? EngineSide[M] extends { result: infer R } ? R : Result<M> : Result<M>;
type Call<M extends EngineMethod> = (params: EngineParams<M>) => Promise<ResultOf<M>>;

/** Methods the engine answers itself (the engine process adds the job around `train` / `finetune`, and `stop`). */
type Direct = Exclude<EngineMethod, 'status' | 'train' | 'finetune' | 'stop'>;
type Domain<M> = M extends `${infer D}.${string}` ? D : never;
type Leaf<M> = M extends `${string}.${infer L}` ? L : never;

/** The protocol's methods as the engine's: top-level ones as methods, `domain.name` ones grouped per domain. */
export type EngineCalls = { [M in Direct as M extends `${string}.${string}` ? never : M]: Call<M> } & {
  [D in Domain<Direct>]: { [M in Extract<Direct, `${D}.${string}`> as Leaf<M>]: Call<M> };
};

export interface FinetuneRequest extends FinetuneOptions, Omit<ParsedParams<'finetune'>, keyof FinetuneOptions> {
  /** Train on these instead of the stored user samples (benchmarks). */
  examples?: readonly LabelledImage[];
  /** Make the new model the active one (default true). */
  activate?: boolean;
}

/** A fine-tune's result as `finetuneDone` carries it, and the options it ran with. */
export type FinetuneOutcome = EventData<'finetuneDone'>['result'] & { options: Required<FinetuneOptions> };

/** A run's complete config as the engine resolved it (train-config.ts), with the name it saves under. */
export type ResolvedTrainConfig = TrainConfig & PenTrainingOptions & { name: string };

/** A resolved training run whose name is reserved: `run` trains it (and releases the name when it ends). */
export interface TrainingRun {
  config: ResolvedTrainConfig;
  run(callbacks?: TrainCallbacks): Promise<TrainResult>;
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

export interface EngineOptions {
  /** Force a backend; default 'auto' (also settable with DIGIT_LAB_BACKEND). */
  backend?: BackendChoice;
  /** Folder for user models; default DIGIT_LAB_HOME or the per-user data folder. */
  home?: string;
  /** The dataset: a folder with the four MNIST-format IDX files, or an image folder (one sub-folder per class);
   *  default the bundled MNIST. */
  dataDir?: string;
  /** The dataset was asked for (the CLI's --data): a named model of another dataset is scored on it when their classes
   *  are the same and refused when not (default: each model is scored on its own dataset). */
  explicitData?: boolean;
  /** Progress while an image folder is decoded (files done, files in all). */
  onDataProgress?: (done: number, total: number) => void;
  /** Folder of shipped read-only models; default the repository's / app's models/. */
  shippedDir?: string;
}

export type Engine = EngineCalls & {
  /** `status` less what the engine process adds (the job, the app's version). */
  status(): Promise<Omit<Result<'status'>, 'job' | 'version'>>;
  readonly backend: Result<'status'>['backend'];
  readonly dataset: Result<'status'>['dataset'];
  /** Resolve a request and reserve its name (throws at once on a bad one); the run starts when `run` is called. */
  startTraining(request: TrainRequest): TrainingRun;
  /** The same for a request that may name a dataset folder (`data`), read first (`onProgress` while it decodes). */
  startTrainingOn(request: TrainRequest, onProgress?: Progress): Promise<TrainingRun>;
  /** `done`'s result. */
  train(request: TrainRequest, callbacks?: TrainCallbacks): Promise<TrainResult>;
  /** Fine-tune a model on the user's examples (+ MNIST replay) and save the result as a new model. */
  finetune(request?: FinetuneRequest, callbacks?: TrainCallbacks): Promise<FinetuneOutcome>;
  dispose(): void;
};
