// The one resolution of a training request: what was given, over the preset's own defaults, over the backend's
// batch and learning rate (the GPU pair when neither the request nor the preset sets a batch size), over
// DEFAULT_TRAIN_CONFIG; a `from` run without a preset takes the source model's. The engine resolves every run
// with it, whichever surface started it (CLI, app, protocol), and `status` reports it per preset for the form.
import {
  DEFAULT_TRAIN_CONFIG, PRESET_TRAINING, PRESETS, trainConfigFor,
  type BackendInfo, type ModelMeta, type PenTrainingOptions, type PresetName, type TrainConfig,
} from '../../src-shared/types.js';
import { trainDefaults } from './backend.js';

/** A training request as the engine takes it: any hyperparameter may be left out (the pen data: CLI only). */
export type TrainRequest = Partial<TrainConfig> & PenTrainingOptions;

/** The request's fields that are set (an explicit undefined must not hide a default). */
function given<T extends object>(request: T): Partial<T> {
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveTrainConfig(
  request: TrainRequest, backend: BackendInfo, source: Pick<ModelMeta, 'preset'> | null = null,
): TrainConfig & PenTrainingOptions {
  const set = given(request);
  const inherited = source && source.preset !== 'imported' ? source.preset : undefined;
  const preset: PresetName = set.preset ?? inherited ?? DEFAULT_TRAIN_CONFIG.preset;
  const backendPair = PRESET_TRAINING[preset].batchSize === undefined ? trainDefaults(backend, set) : {};
  return trainConfigFor({ ...backendPair, ...set, preset });
}

/** What a run of each preset gets when nothing else is given, on this backend (the Train form's defaults). */
export function presetDefaults(backend: BackendInfo): Record<PresetName, TrainConfig> {
  return Object.fromEntries(PRESETS.map((p) => [p, resolveTrainConfig({ preset: p }, backend)])) as Record<PresetName, TrainConfig>;
}
