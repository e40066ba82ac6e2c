// The engine: one object that owns the backend, the dataset and the model store, and runs
// train / evaluate / predict / samples. No UI or Electron imports: the CLI uses it directly and the
// engine process exposes it over the protocol.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DIGIT_NAMES, IMAGE_SIDE, MAX_CLASSES, PIXELS, argmax } from '../../src-shared/domain.js';
import type { DatasetInfo } from '../../src-shared/protocol.js';
import { mulberry32 } from '../../src-shared/random.js';
import type { BackendInfo, ModelMeta, TrainResult } from '../../src-shared/types.js';
import type {
  Engine, EngineOptions, EngineParams, FinetuneOutcome, FinetuneRequest, ResolvedTrainConfig, TrainCallbacks, TrainingRun,
} from './api.js';
import { activations } from './activations.js';
import { checkExplainRequest, explain } from './explain.js';
import { Comparer } from './compare.js';
import { CurveRecorder } from './curve.js';
import { resolveResources, userHome } from '../resources.js';
import { parseBackendChoice, selectBackend } from './backend.js';
import { DatasetCatalog, type LoadedDataset } from './data/catalog.js';
import { datasetOfMeta, sameClasses } from './data/dataset-info.js';
import { defaultMnistDir, imagesToFloat, joinSplits, splitTrainVal, type Split } from './data/mnist.js';
import { penTrainingSplit } from './data/pen-render.js';
import { lossAndAccuracy, predictFloats, predictProbs, summarize } from './evaluate.js';
import { checkRequest, FINETUNE_DEFAULTS, finetune } from './finetune.js';
import { deserializeModel } from './model-io.js';
import { buildModel, compileModel } from './models.js';
import { builtLayers } from './network-build.js';
import { measureNetwork } from './network-speed.js';
import { NetworkStore } from './network-store.js';
import { formatNetwork, PRESET_LAYERS } from '../../src-shared/network/index.js';
import { ModelStore, SIDE_FILES, StoreError, validateModelName } from './store.js';
import { fit } from './train.js';
import { presetDefaults, resolveTrainConfig, type TrainRequest } from './train-config.js';
import { SampleStore } from './user-samples.js';

/** Default user folder: DIGIT_LAB_HOME, else the OS's per-user data folder. */
export function defaultHome(): string {
  return userHome();
}

/** The shipped models/ folder (DIGIT_LAB_MODELS, else the dev tree's or the installed app's models/). */
export function defaultShippedDir(): string | null {
  try {
    return resolveResources().modelsDir;
  } catch {
    return null;
  }
}

/** A loaded model and how it wants its pixels (meta.json's inputScale, default 1: 0-1 floats). */
interface LoadedModel {
  model: tf.LayersModel;
  inputScale: number;
}

/** "10 classes: T-shirt/top, Trouser, …": a dataset's classes for a one-line message. */
function describeClasses(info: DatasetInfo): string {
  const shown = info.classes.slice(0, 4).join(', ');
  return `${info.classes.length} classes: ${shown}${info.classes.length > 4 ? ', …' : ''}`;
}

/** model.json's bytes with `userDefinedMetadata.classNames` set (left as they are when not JSON). */
function withClassNames(modelJson: Uint8Array, classes: readonly string[]): Uint8Array {
  try {
    const json = JSON.parse(Buffer.from(modelJson).toString('utf8')) as Record<string, unknown>;
    const meta = (json.userDefinedMetadata ?? {}) as Record<string, unknown>;
    return new Uint8Array(Buffer.from(JSON.stringify({ ...json, userDefinedMetadata: { ...meta, classNames: classes } })));
  } catch {
    return modelJson;
  }
}

/** The number of classes a model outputs (its last layer's units). */
export function outputClasses(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] ?? 0;
}

class DigitLabEngine implements Engine {
  private readonly cache = new Map<string, LoadedModel>();
  /** One Comparer per dataset (by fingerprint): compare.runs and compare.diff sent together share its scoring. */
  private readonly comparers = new Map<string, Comparer>();

  /**
   * `data`: the engine's dataset (what `train` uses unless a request names another, and whose active model the
   * commands use when none is named); `explicitData`: it was asked for (the CLI's --data), so a model of another
   * dataset is scored on it when their classes are the same and refused when not.
   */
  constructor(
    readonly backend: BackendInfo,
    private readonly data: LoadedDataset,
    readonly store: ModelStore,
    readonly sampleStore: SampleStore,
    readonly networkStore: NetworkStore,
    readonly catalog: DatasetCatalog,
    private readonly explicitData = false,
  ) {}

  /** The Comparer of the models' dataset; runs of different datasets are refused in one line. */
  private async comparerFor(names: readonly string[]): Promise<Comparer> {
    let infos: DatasetInfo[];
    try {
      infos = names.map((n) => datasetOfMeta(this.store.readMeta(n)));
    } catch {
      infos = []; // a bad name: the Comparer refuses it as it always has
    }
    const other = infos.findIndex((i) => i.fingerprint !== infos[0].fingerprint);
    if (other > 0) {
      throw new StoreError(
        `compare runs of one dataset: '${names[0]}' was trained on ${infos[0].name}, '${names[other]}' on ${infos[other].name}`,
      );
    }
    const data = infos.length ? await this.dataOf(names[0]) : this.data;
    let comparer = this.comparers.get(data.info.fingerprint);
    if (!comparer) {
      comparer = new Comparer(this.store, data, (name, onProgress) => this.predictedLabels(name, onProgress));
      this.comparers.set(data.info.fingerprint, comparer);
    }
    return comparer;
  }

  /** A model's predicted label for each test image. */
  private async predictedLabels(name: string, onProgress?: (done: number, total: number) => void): Promise<Uint8Array> {
    const { model, inputScale, data } = await this.model(name);
    const classes = outputClasses(model);
    const probs = await predictProbs(model, data.test.images, data.test.count, { onProgress, inputScale });
    return Uint8Array.from({ length: data.test.count }, (_, i) => argmax(probs, i * classes, classes));
  }

  /** The dataset a saved model is scored on: its own (found by fingerprint, loaded once), or the engine's explicit one
   *  when it has the same classes; a one-line refusal when the classes differ or the dataset is not on this machine. */
  private async dataOf(name: string): Promise<LoadedDataset> {
    const info = datasetOfMeta(this.store.readMeta(name));
    const mine = this.data.info;
    if (info.fingerprint === mine.fingerprint) return this.data;
    if (this.explicitData) {
      if (sameClasses(info.classes, mine.classes)) return this.data;
      throw new StoreError(
        `model '${name}' was trained on ${info.name} (${describeClasses(info)}); ${mine.name} has other classes ` +
          `(${describeClasses(mine)}): leave out --data to use ${info.name}`,
      );
    }
    const own = await this.catalog.find(info);
    if (!own) {
      throw new StoreError(`model '${name}' was trained on ${info.name}, which is not on this machine${info.dir ? ` (was ${info.dir})` : ''}`);
    }
    return own;
  }

  /** Saved runs side by side, and two runs' fixed / broken test images (compare.ts). */
  readonly compare: Engine['compare'] = {
    runs: async ({ models, onProgress }: EngineParams<'compare.runs'>) => ({
      runs: await (await this.comparerFor(models)).runs(models, onProgress),
    }),
    diff: async ({ a, b, onProgress }: EngineParams<'compare.diff'>) => (await this.comparerFor([a, b])).diff(a, b, onProgress),
  };

  /** The engine's dataset: name, sizes, classes (`status`); `dir`: where its files are; what its import skipped. */
  get dataset() {
    const d = this.data;
    return { name: d.name, dir: d.dir, train: d.train.count, test: d.test.count, classes: d.info.classes, info: d.info, report: d.report };
  }

  async status() {
    const { name, train, test, classes, dir } = this.dataset;
    return {
      backend: this.backend, activeModel: this.store.activeName(this.data.info.fingerprint), dataset: { name, train, test, classes, dir },
      trainDefaults: this.trainDefaults(),
    };
  }

  /** A saved model (default: the active model of the engine's dataset), loaded once, with the dataset it is scored on. */
  private async model(name?: string): Promise<{ name: string; data: LoadedDataset } & LoadedModel> {
    const resolved = name ?? this.store.activeName(this.data.info.fingerprint);
    if (!resolved) throw new StoreError(`no model yet${this.data.info.name === 'MNIST' ? '' : ` for ${this.data.info.name}`}: train one first`);
    const data = await this.dataOf(resolved);
    const classes = data.info.classes.length;
    let loaded = this.cache.get(resolved);
    if (!loaded) {
      const inputScale = this.store.readMeta(resolved)?.inputScale ?? 1;
      const model = await this.store.load(resolved);
      loaded = { model, inputScale };
      this.cache.set(resolved, loaded);
    }
    if (outputClasses(loaded.model) !== classes) {
      const shape = loaded.model.outputs[0].shape;
      throw new StoreError(`model '${resolved}' does not output ${classes} classes (output shape [${shape.join(', ')}])`);
    }
    return { name: resolved, data, ...loaded };
  }

  private forget(name: string): void {
    this.cache.get(name)?.model.dispose();
    this.cache.delete(name);
  }

  /**
   * Resolve a training request (train-config.ts) and reserve its name in the store, at once: the run's complete
   * config, and `run` to train it (which releases the name when it ends). Bad names, shipped or claimed names and
   * a missing `from` model throw here, before anything starts.
   */
  startTraining(request: TrainRequest, data: LoadedDataset = this.data): TrainingRun {
    const source = request.from ? this.store.readMeta(request.from) : null;
    if (request.from) {
      const trained = datasetOfMeta(source);
      if (!sameClasses(trained.classes, data.info.classes)) {
        throw new StoreError(
          `model '${request.from}' was trained on ${trained.name} (${describeClasses(trained)}): it cannot go on training on ` +
            `${data.info.name} (${describeClasses(data.info)})`,
        );
      }
    }
    const resolved = resolveTrainConfig(request, this.backend, source);
    // A validation set as large as a small dataset (an image folder's few dozen images) becomes a fifth of it.
    const validationSize = resolved.validationSize >= data.train.count ? Math.floor(data.train.count / 5) : resolved.validationSize;
    const stamp = new Date().toISOString().slice(0, 16).replace('T', '-').replace(':', '');
    const { name, release } = this.store.reserve(resolved.name, `${resolved.preset}-${stamp}`);
    const config = { ...resolved, validationSize, name, ...(data === this.data && !request.data ? {} : { data: data.dir }) };
    return { config, run: (callbacks = {}) => this.runTraining(config, data, release, callbacks) };
  }

  /** A training request that names a dataset folder: the folder read (once; `onProgress` while it decodes), then as
   *  `startTraining`. */
  async startTrainingOn(request: TrainRequest, onProgress?: (done: number, total: number) => void): Promise<TrainingRun> {
    const data = request.data ? await this.catalog.load(request.data, onProgress) : this.data;
    return this.startTraining(request, data);
  }

  /** What a run of each preset gets when nothing else is given, on this engine's backend. */
  trainDefaults() {
    return presetDefaults(this.backend);
  }

  async train(request: TrainRequest, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
    return (await this.startTrainingOn(request)).run(callbacks);
  }

  private async runTraining(
    config: ResolvedTrainConfig, data: LoadedDataset, release: () => void, callbacks: TrainCallbacks,
  ): Promise<TrainResult> {
    const { name } = config;
    const started = Date.now();
    let model: tf.LayersModel | null = null;
    try {
      const split = splitTrainVal(data.train, config.validationSize, config.trainSize, config.seed);
      const val = split.val;
      const pen = config.penData ? await penTrainingSplit(config.penData, config.penWriters) : null;
      let train = split.train;
      for (let k = 0; pen && k < (config.penRepeat ?? 1); k++) train = joinSplits(train, pen);
      callbacks.onLog?.(
        `training '${name}': ${config.from ? `from '${config.from}' (${config.preset})` : config.layers ? `network ${config.layers}` : config.preset}, ${train.count} images ` +
          `${pen ? `(${pen.count * (config.penRepeat ?? 1)} of them pen-drawn) ` : ''}(${val.count} held out for validation), ` +
          `${config.epochs} epochs of batch ${config.batchSize} on ${this.backend.device} · ${data.info.name} (${describeClasses(data.info)})`,
      );
      // The active model stays active unless the new one beats it on the test set (pinned now, so that the
      // store's "newest model" fallback does not hand the sketchpad a half-trained checkpoint).
      const incumbent = this.activeRecord(data.info);
      if (incumbent) this.store.setActive(incumbent.name);
      const classes = data.info.classes.length;
      model = config.from
        ? await this.store.load(config.from)
        : buildModel(config.preset, config.optimizer, config.learningRate, { ...config, classes });
      if (config.from) compileModel(model, config.optimizer, config.learningRate, config.adamBetas);
      return await this.fitAndSave(model, train, val, config, data, incumbent, started, callbacks);
    } finally {
      release();
      model?.optimizer?.dispose();
      model?.dispose();
    }
  }

  private async fitAndSave(
    model: tf.LayersModel, train: Split, val: Split, config: ResolvedTrainConfig, data: LoadedDataset,
    incumbent: { name: string; accuracy: number | null } | null, started: number, callbacks: TrainCallbacks,
  ): Promise<TrainResult> {
    const { name } = config;
    const layers = config.from
      ? this.store.readMeta(config.from)?.layers
      : formatNetwork(builtLayers(config.layers ?? PRESET_LAYERS[config.preset], { dropout: config.dropout ?? true }));
    const classes = data.info.classes.length;
    const meta = (history: ModelMeta['history'], extra: Partial<ModelMeta> = {}): ModelMeta => ({
      name, preset: config.preset, config, history, testAccuracy: null, confusion: null, ...(layers ? { layers } : {}),
      backend: this.backend.name, device: this.backend.device, durationMs: Date.now() - started,
      createdAt: new Date(started).toISOString(), params: model.countParams(), dataset: data.name, trainedOn: data.info,
      ...callbacks.provenance, ...extra,
    });
    const curve = new CurveRecorder(config, train.count);
    const recording: TrainCallbacks = { ...callbacks, onBatch: (p) => (curve.add(p), callbacks.onBatch?.(p)) };
    const curveFile = () => ({ path: SIDE_FILES.curve, data: curve.json() });
    const result = await fit(model, train, val, config, recording, {
      onEpochEnd: async (history) => {
        await this.store.save(name, model, meta(history), [curveFile()]); // checkpoint
        this.forget(name);
      },
      preciseBatchNorm: true,
    });
    if (result.batchesDone === 0) {
      return { model: null, testAccuracy: NaN, stopped: true, history: [], durationMs: Date.now() - started };
    }
    callbacks.onLog?.(`evaluating on the ${data.test.count} test images`);
    const probs = await predictProbs(model, data.test.images, data.test.count);
    const summary = summarize(probs, data.test.labels, classes);
    const testLoss = lossAndAccuracy(probs, data.test.labels, classes).loss;
    const predicted = Uint8Array.from({ length: data.test.count }, (_, i) => argmax(probs, i * classes, classes));
    await this.store.save(name, model, meta(result.history, { testAccuracy: summary.accuracy, confusion: summary.confusion }), [
      curveFile(), { path: SIDE_FILES.predictions, data: predicted },
    ]);
    this.forget(name);
    const activated = !incumbent || incumbent.accuracy === null || summary.accuracy > incumbent.accuracy;
    if (activated) this.store.setActive(name);
    else {
      callbacks.onLog?.(
        `'${incumbent.name}' stays the active model: ${(incumbent.accuracy! * 100).toFixed(2)}% on the test set vs ` +
          `${(summary.accuracy * 100).toFixed(2)}% for '${name}' on ${data.info.name}`,
      );
    }
    return {
      model: name, testAccuracy: summary.accuracy, testLoss, activated, stopped: result.stopped, history: result.history,
      durationMs: Date.now() - started,
    };
  }

  async finetune(request: FinetuneRequest = {}, callbacks: TrainCallbacks = {}): Promise<FinetuneOutcome> {
    const started = Date.now();
    const { name: base } = await this.model(request.model); // checks it exists and outputs 10 classes
    const trainedOn = datasetOfMeta(this.store.readMeta(base));
    if (!sameClasses(trainedOn.classes, DIGIT_NAMES)) {
      throw new StoreError(`fine-tuning teaches a digit model your handwriting: '${base}' was trained on ${trainedOn.name} (${describeClasses(trainedOn)})`);
    }
    if (request.name && this.store.exists(validateModelName(request.name))) {
      throw new StoreError(`a model named '${request.name}' already exists: fine-tuning saves a new model`);
    }
    let n = 1;
    while (!request.name && this.store.exists(`${base}-tuned-${n}`)) n++;
    const name = request.name ?? `${base}-tuned-${n}`;
    this.store.checkUnclaimed(name); // a training job elsewhere (the app or the CLI) will save under it
    const examples = request.examples ?? this.sampleStore.list().samples;
    checkRequest(examples, request);
    const model = await this.store.load(base);
    try {
      compileModel(model, 'adam', request.learningRate ?? FINETUNE_DEFAULTS.learningRate);
      callbacks.onLog?.(`fine-tuning '${base}' on ${examples.length} examples of your handwriting → '${name}'`);
      const report = await finetune(model, examples, await this.dataOf(base), request, callbacks); // replays the model's own digits
      const durationMs = Date.now() - started;
      const o = report.options;
      const result = (model: string): FinetuneOutcome => ({
        model, base, trained: report.trained, heldOut: report.heldOut, steps: o.steps, images: report.images,
        before: report.before, after: report.after, stopped: report.stopped, durationMs, options: o,
      });
      if (report.stopped) return result('');
      const baseMeta = this.store.readMeta(base);
      const meta: ModelMeta = {
        name, preset: baseMeta?.preset ?? 'imported', config: null, history: [], ...(baseMeta?.layers ? { layers: baseMeta.layers } : {}),
        testAccuracy: o.testSize >= this.data.test.count ? report.after.mnist : null, confusion: null,
        backend: this.backend.name, device: this.backend.device, durationMs, createdAt: new Date(started).toISOString(),
        params: model.countParams(), dataset: this.data.name, ...callbacks.provenance, base,
        finetune: {
          samples: report.trained, heldOut: report.heldOut, steps: o.steps, batchSize: o.batchSize,
          learningRate: o.learningRate, replay: o.replay, testSize: Math.min(o.testSize, this.data.test.count),
          before: report.before, after: report.after,
        },
      };
      await this.store.save(name, model, meta);
      if (request.activate ?? true) this.store.setActive(name);
      return result(name);
    } finally {
      model.optimizer?.dispose();
      model.dispose();
    }
  }

  /** Every layer's output for one image (784 values, 0-1), for the inside view. */
  async activations({ pixels, model: name }: EngineParams<'activations'>) {
    const { name: model, model: m, inputScale } = await this.model(name);
    const input = inputScale === 1 ? pixels : Float32Array.from(pixels, (v) => v * inputScale); // as the model was trained
    return { model, ...(await activations(m, input)) };
  }

  /** Why this answer: a signed 28×28 map of the evidence for a class (default the predicted one), explain.ts. */
  async explain({ pixels, model: name, class: cls, method }: EngineParams<'explain'>) {
    // Before a model is loaded, so that a bad request fails the same way with or without one; a class the model lacks
    // (a dataset has up to MAX_CLASSES) is refused once it is loaded, in the same words.
    const plausible = cls === undefined || (Number.isInteger(cls) && cls >= 0 && cls < MAX_CLASSES);
    checkExplainRequest(pixels, plausible ? undefined : cls, method);
    const { name: model, model: m, inputScale } = await this.model(name);
    return { model, ...(await explain(m, pixels, { class: cls, method, inputScale })) };
  }

  /** The user's own handwriting examples (<home>/samples/). */
  readonly userSamples: Engine['userSamples'] = {
    add: async (sample) => this.sampleStore.add(sample),
    list: async () => this.sampleStore.list(),
    remove: async ({ id }) => {
      this.sampleStore.remove(id);
      return { removed: id };
    },
  };

  /** "My networks" (<home>/networks/), and how fast a network trains here (network-speed.ts). */
  readonly networks: Engine['networks'] = {
    list: async () => this.networkStore.list(),
    save: async ({ name, layers, replace }) => this.networkStore.save(name, layers, replace),
    delete: async ({ name }) => {
      this.networkStore.delete(name);
      return { deleted: name };
    },
    measure: async (params) => measureNetwork(params, this.backend, this.data.train, resolveTrainConfig({}, this.backend)),
  };

  /** The active model of a dataset and its recorded accuracy on that dataset's test set (null: unknown). Models of
   *  other datasets are never compared: each dataset has its own active model. */
  private activeRecord(info: DatasetInfo): { name: string; accuracy: number | null } | null {
    const name = this.store.activeName(info.fingerprint);
    if (!name) return null;
    try {
      const meta = this.store.readMeta(name);
      return { name, accuracy: datasetOfMeta(meta).fingerprint === info.fingerprint ? (meta?.testAccuracy ?? null) : null };
    } catch {
      return { name, accuracy: null }; // unreadable meta: the new model replaces it
    }
  }

  async evaluate({ model: name, onProgress }: EngineParams<'evaluate'>) {
    const t0 = performance.now();
    const { name: model, model: m, inputScale, data } = await this.model(name);
    const probs = await predictProbs(m, data.test.images, data.test.count, { onProgress, inputScale });
    const summary = summarize(probs, data.test.labels, data.info.classes.length);
    return { model, dataset: data.info.name, classes: data.info.classes, ...summary, durationMs: performance.now() - t0 };
  }

  async predict({ inputs, model: name }: EngineParams<'predict'>) {
    const { name: model, model: m, inputScale, data } = await this.model(name);
    const classes = data.info.classes.length;
    const x = new Float32Array(inputs.length * PIXELS);
    inputs.forEach((input, i) => {
      if (input.length !== PIXELS) throw new Error(`input ${i} has ${input.length} values, expected ${PIXELS} (${IMAGE_SIDE}×${IMAGE_SIDE})`);
      x.set(input, i * PIXELS);
    });
    const out = await predictFloats(m, x, inputs.length, inputScale);
    const probs = inputs.map((_, i) => Array.from(out.subarray(i * classes, (i + 1) * classes)));
    return { model, probs, classes: data.info.classes };
  }

  async samples({ n, seed = Math.floor(Math.random() * 2 ** 31), model: name }: EngineParams<'samples'>) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`the number of samples must be a positive integer, got ${n}`);
    const { name: model, model: m, inputScale, data } = await this.model(name);
    const classes = data.info.classes.length;
    const rng = mulberry32(seed);
    const test = data.test;
    const count = Math.min(n, test.count);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(rng() * test.count));
    const indices = [...chosen];
    const out = await predictFloats(m, imagesToFloat(test.images, indices), count, inputScale);
    const samples = indices.map((index, i) => {
      const probs = Array.from(out.subarray(i * classes, (i + 1) * classes));
      const predicted = argmax(probs, 0, classes);
      return {
        index, label: test.labels[index], predicted, confidence: probs[predicted], probs,
        pixels: Array.from(test.images.subarray(index * PIXELS, (index + 1) * PIXELS)),
      };
    });
    return { model, seed, samples, dataset: data.info.name, classes: data.info.classes };
  }

  /** Test-set images of a model's dataset (default: the active model's) as 784 grey levels 0-255. */
  async testImages({ indices, model }: EngineParams<'testImages'>) {
    const test = model ? (await this.dataOf(model)).test : this.data.test;
    const images = indices.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= test.count) throw new Error(`test image index ${i} out of range 0-${test.count - 1}`);
      return Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    });
    return { images };
  }

  testLabels(indices: number[]): number[] {
    return indices.map((i) => this.data.test.labels[i]);
  }

  /** The datasets a run can use (data/catalog.ts); `add` reads a folder whole before it records anything. */
  readonly datasets: Engine['datasets'] = {
    list: async () => ({ datasets: this.catalog.list(), current: this.data.dir }),
    add: async ({ dir, onProgress }) => {
      const { dataset, data } = await this.catalog.add(dir, onProgress);
      return { dataset, report: data.report };
    },
  };

  /** The model store: user models and the shipped read-only ones, the active model, Keras files in and out. */
  readonly models: Engine['models'] = {
    list: async () => ({ models: this.store.list() }),
    setActive: async ({ name }) => {
      this.store.setActive(name);
      return { active: name };
    },
    rename: async ({ from, to }) => {
      this.store.rename(from, to);
      this.forget(from);
      return { name: to };
    },
    delete: async ({ name }) => {
      this.store.delete(name);
      this.forget(name);
      return { deleted: name };
    },
    import: async ({ name, files }) => ({ name: await this.importModel(name, files) }),
    // A TF.js model folder: model.json, weights and meta.json; the curve and predictions Compare keeps stay in the store
    // (an imported copy is scored again when first compared).
    // model.json carries other datasets' class names as TF.js's `userDefinedMetadata` (meta.json has the whole record).
    export: async ({ name }) => {
      const classes = datasetOfMeta(this.store.readMeta(name)).classes;
      const files = this.store.readFiles(name).filter((f) => !(Object.values(SIDE_FILES) as string[]).includes(f.path));
      if (sameClasses(classes, DIGIT_NAMES)) return { files }; // the digits: the files as saved
      return { files: files.map((f) => (f.path === 'model.json' ? { ...f, data: withClassNames(f.data, classes) } : f)) };
    },
    importKeras: (params) => this.importKeras(params),
    exportKeras: async ({ name }) => {
      const meta = this.store.readMeta(name); // its dataset need not be on this machine to export it
      const model = await this.store.load(name);
      try {
        const { writeKerasFile } = await import('./keras/export.js');
        return { fileName: `${name}.h5`, bytes: await writeKerasFile(model, meta?.inputScale ?? 1, datasetOfMeta(meta).classes) };
      } finally {
        model.dispose();
      }
    },
  };

  private assertFree(name: string): void {
    validateModelName(name);
    this.store.checkUnclaimed(name);
    if (this.store.exists(name)) throw new StoreError(`a model named '${name}' already exists`);
  }

  /** Evaluate an imported model on the test set and save it (meta: preset 'imported' plus `extra`). */
  private async saveImported(
    name: string, model: tf.LayersModel, extra: Partial<ModelMeta> = {}, onProgress?: (done: number, total: number) => void,
  ): Promise<ModelMeta> {
    const classes = this.data.info.classes.length;
    const probs = await predictProbs(model, this.data.test.images, this.data.test.count, { inputScale: extra.inputScale, onProgress });
    const summary = summarize(probs, this.data.test.labels, classes);
    const meta: ModelMeta = {
      name, preset: 'imported', config: null, history: [], testAccuracy: summary.accuracy, confusion: summary.confusion,
      backend: this.backend.name, device: this.backend.device, durationMs: 0, createdAt: new Date().toISOString(),
      params: model.countParams(), dataset: this.data.name, trainedOn: this.data.info, ...extra,
    };
    this.assertFree(name); // again: another import may have taken the name meanwhile
    const predicted = Uint8Array.from({ length: this.data.test.count }, (_, i) => argmax(probs, i * classes, classes));
    await this.store.save(name, model, meta, [{ path: SIDE_FILES.predictions, data: predicted }]);
    return meta;
  }

  private async importModel(name: string, files: { path: string; data: Uint8Array }[]) {
    this.assertFree(name);
    const byPath = new Map(files.map((f) => [path.posix.basename(f.path.replace(/\\/g, '/')), f.data]));
    const json = byPath.get('model.json');
    if (!json) throw new StoreError('the imported folder has no model.json');
    // Validate before anything is written: it must load and map 28×28 images to the 10 classes.
    let model: tf.LayersModel;
    try {
      model = await deserializeModel(Buffer.from(json).toString('utf8'), (rel) => {
        const data = byPath.get(path.posix.basename(rel));
        if (!data) throw new Error(`weights file '${rel}' is missing`);
        return data;
      });
    } catch (err) {
      throw new StoreError(`cannot import: ${(err as Error).message}`);
    }
    try {
      const inShape = model.inputs[0].shape.slice(1).join('x');
      const outShape = model.outputs[0].shape.slice(1).join('x');
      const want = { in: `${IMAGE_SIDE}x${IMAGE_SIDE}x1`, out: String(this.data.info.classes.length) };
      if (inShape !== want.in || outShape !== want.out) {
        throw new StoreError(`cannot import: the model maps ${inShape} to ${outShape}, expected ${want.in} to ${want.out}`);
      }
      await this.saveImported(name, model);
    } finally {
      model.dispose();
    }
    return name;
  }

  private async importKeras({ bytes, fileName, name, onProgress }: EngineParams<'models.importKeras'>) {
    const { kerasModelName, loadKerasModel } = await import('./keras/import.js'); // h5wasm: loaded on first use
    const target = name ?? this.store.uniqueName(kerasModelName(fileName));
    this.assertFree(target);
    let imported;
    try {
      imported = await loadKerasModel(bytes, fileName, this.data.train);
    } catch (err) {
      throw new StoreError(`cannot import ${fileName}: ${(err as Error).message}`);
    }
    const { model, inputScale, origin } = imported;
    try {
      const meta = await this.saveImported(target, model, { inputScale, origin }, onProgress);
      return { model: target, testAccuracy: meta.testAccuracy ?? NaN, inputScale, origin };
    } finally {
      model.dispose();
    }
  }

  dispose(): void {
    for (const name of [...this.cache.keys()]) this.forget(name);
  }
}

export type { DigitLabEngine };

export async function createEngine(opts: EngineOptions = {}): Promise<DigitLabEngine> {
  const home = opts.home ?? defaultHome();
  const catalog = new DatasetCatalog(home);
  const data = await catalog.load(opts.dataDir ?? defaultMnistDir(), opts.onDataProgress); // a bad folder: one line, nothing written
  const backend = await selectBackend(opts.backend ?? parseBackendChoice(process.env.DIGIT_LAB_BACKEND));
  const store = new ModelStore(home, opts.shippedDir ?? defaultShippedDir());
  return new DigitLabEngine(backend, data, store, new SampleStore(home), new NetworkStore(home), catalog, opts.explicitData ?? false);
}
