// The one resolution of a training request: what was given, over the preset's own defaults, over the backend's
// batch and learning rate (the GPU pair when neither the request nor the preset sets a batch size), over
// DEFAULT_TRAIN_CONFIG; a `from` run without a preset takes the source model's. The engine resolves every run
// with it, whichever surface started it (CLI, app, protocol), and `status` reports it per preset for the form.
import {
  DEFAULT_TRAIN_CONFIG, PRESET_TRAINING, PRESETS, trainConfigFor,
  type BackendInfo, type ModelMeta, type PenTrainingOptions, type PresetName, type TrainConfig,
} from '../../src-shared/types.js';
import os from 'node:os';
import { PRESET_LAYERS, summariseNetwork, trainingLimitProblem } from '../../src-shared/network/index.js';
import { networkTextSchema } from '../../src-shared/network/schema.js';
import { trainDefaults } from './backend.js';

/** A training request as the engine takes it: any hyperparameter may be left out (the pen data: CLI only). */
export type TrainRequest = Partial<TrainConfig> & PenTrainingOptions;

/** The request's fields that are set (an explicit undefined must not hide a default). */
function given<T extends object>(request: T): Partial<T> {
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class TrainRequestError extends Error {}

/** Memory a batch may take to train here: half of this machine's. */
export const trainingMemoryLimit = () => os.totalmem() / 2;

export function resolveTrainConfig(
  request: TrainRequest, backend: BackendInfo, source: Pick<ModelMeta, 'preset'> | null = null,
): TrainConfig & PenTrainingOptions {
  const set = given(request);
  if (set.layers !== undefined) {
    if (set.from) throw new TrainRequestError("a designed network's layers and --from: a fine-tune keeps the saved model's network");
    const r = networkTextSchema.safeParse(set.layers); // the CLI's text arrives unchecked; the protocol's already canonical
    if (!r.success) throw new TrainRequestError(r.error.issues[0].message);
    set.layers = r.data;
  }
  const inherited = source && source.preset !== 'imported' ? source.preset : undefined;
  const preset: PresetName = set.preset ?? inherited ?? DEFAULT_TRAIN_CONFIG.preset;
  const backendPair = PRESET_TRAINING[preset].batchSize === undefined ? trainDefaults(backend, set) : {};
  // A designed network trains as written: its dropout layers stay unless the request says otherwise.
  const designed = set.layers !== undefined ? { dropout: true } : {};
  const config = trainConfigFor({ ...backendPair, ...designed, ...set, preset });
  if (!config.from) {
    const problem = trainingLimitProblem(summariseNetwork(config.layers ?? PRESET_LAYERS[preset]), config.batchSize, trainingMemoryLimit());
    if (problem) throw new TrainRequestError(problem);
  }
  return config;
}

/** What a run of each preset gets when nothing else is given, on this backend (the Train form's defaults). */
export function presetDefaults(backend: BackendInfo): Record<PresetName, TrainConfig> {
  return Object.fromEntries(PRESETS.map((p) => [p, resolveTrainConfig({ preset: p }, backend)])) as Record<PresetName, TrainConfig>;
}
