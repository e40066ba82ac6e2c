// The engine: one object that owns the backend, the dataset and the model store, and runs
// train / evaluate / predict / samples. No UI or Electron imports: the CLI uses it directly and the
// engine process exposes it over the protocol.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CLASSES, IMAGE_SIDE, PIXELS, argmax } from '../../src-shared/domain.js';
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
import { imagesToFloat, joinSplits, loadMnist, splitTrainVal, type MnistData, type Split } from './data/mnist.js';
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

class DigitLabEngine implements Engine {
  private readonly cache = new Map<string, LoadedModel>();
  private readonly comparer: Comparer;

  constructor(
    readonly backend: BackendInfo,
    private readonly data: MnistData,
    readonly store: ModelStore,
    readonly sampleStore: SampleStore,
    readonly networkStore: NetworkStore,
  ) {
    this.comparer = new Comparer(store, data, (name, onProgress) => this.predictedLabels(name, onProgress));
  }

  /** A model's predicted label for each test image. */
  private async predictedLabels(name: string, onProgress?: (done: number, total: number) => void): Promise<Uint8Array> {
    const { model, inputScale } = await this.model(name);
    const probs = await predictProbs(model, this.data.test.images, this.data.test.count, { onProgress, inputScale });
    return Uint8Array.from({ length: this.data.test.count }, (_, i) => argmax(probs, i * CLASSES));
  }

  /** Saved runs side by side, and two runs' fixed / broken test images (compare.ts). */
  readonly compare: Engine['compare'] = {
    runs: async ({ models, onProgress }: EngineParams<'compare.runs'>) => ({ runs: await this.comparer.runs(models, onProgress) }),
    diff: async ({ a, b, onProgress }: EngineParams<'compare.diff'>) => this.comparer.diff(a, b, onProgress),
  };

  /** The dataset's name and sizes (`status`); `dir`: where its files are. */
  get dataset() {
    return { name: this.data.name, dir: this.data.dir, train: this.data.train.count, test: this.data.test.count };
  }

  async status() {
    const { name, train, test } = this.dataset;
    return {
      backend: this.backend, activeModel: this.store.activeName(), dataset: { name, train, test }, trainDefaults: this.trainDefaults(),
    };
  }

  private async model(name?: string): Promise<{ name: string } & LoadedModel> {
    const resolved = name ?? this.store.activeName();
    if (!resolved) throw new StoreError('no model yet: train one first');
    let loaded = this.cache.get(resolved);
    if (!loaded) {
      const inputScale = this.store.readMeta(resolved)?.inputScale ?? 1;
      const model = await this.store.load(resolved);
      const shape = model.outputs[0].shape;
      if (shape[shape.length - 1] !== CLASSES) {
        model.dispose();
        throw new StoreError(`model '${resolved}' does not output ${CLASSES} classes (output shape [${shape.join(', ')}])`);
      }
      loaded = { model, inputScale };
      this.cache.set(resolved, loaded);
    }
    return { name: resolved, ...loaded };
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
  startTraining(request: TrainRequest): TrainingRun {
    const source = request.from ? this.store.readMeta(request.from) : null;
    const resolved = resolveTrainConfig(request, this.backend, source);
    const stamp = new Date().toISOString().slice(0, 16).replace('T', '-').replace(':', '');
    const { name, release } = this.store.reserve(resolved.name, `${resolved.preset}-${stamp}`);
    const config = { ...resolved, name };
    return { config, run: (callbacks = {}) => this.runTraining(config, release, callbacks) };
  }

  /** What a run of each preset gets when nothing else is given, on this engine's backend. */
  trainDefaults() {
    return presetDefaults(this.backend);
  }

  async train(request: TrainRequest, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
    return this.startTraining(request).run(callbacks);
  }

  private async runTraining(config: ResolvedTrainConfig, release: () => void, callbacks: TrainCallbacks): Promise<TrainResult> {
    const { name } = config;
    const started = Date.now();
    let model: tf.LayersModel | null = null;
    try {
      const split = splitTrainVal(this.data.train, config.validationSize, config.trainSize, config.seed);
      const val = split.val;
      const pen = config.penData ? await penTrainingSplit(config.penData, config.penWriters) : null;
      let train = split.train;
      for (let k = 0; pen && k < (config.penRepeat ?? 1); k++) train = joinSplits(train, pen);
      callbacks.onLog?.(
        `training '${name}': ${config.from ? `from '${config.from}' (${config.preset})` : config.layers ? `network ${config.layers}` : config.preset}, ${train.count} images ` +
          `${pen ? `(${pen.count * (config.penRepeat ?? 1)} of them pen-drawn) ` : ''}(${val.count} held out for validation), ` +
          `${config.epochs} epochs of batch ${config.batchSize} on ${this.backend.device}`,
      );
      // The active model stays active unless the new one beats it on the test set (pinned now, so that the
      // store's "newest model" fallback does not hand the sketchpad a half-trained checkpoint).
      const incumbent = this.activeRecord();
      if (incumbent) this.store.setActive(incumbent.name);
      model = config.from ? await this.store.load(config.from) : buildModel(config.preset, config.optimizer, config.learningRate, config);
      if (config.from) compileModel(model, config.optimizer, config.learningRate, config.adamBetas);
      return await this.fitAndSave(model, train, val, config, incumbent, started, callbacks);
    } finally {
      release();
      model?.optimizer?.dispose();
      model?.dispose();
    }
  }

  private async fitAndSave(
    model: tf.LayersModel, train: Split, val: Split, config: ResolvedTrainConfig, incumbent: { name: string; accuracy: number | null } | null,
    started: number, callbacks: TrainCallbacks,
  ): Promise<TrainResult> {
    const { name } = config;
    const layers = config.from
      ? this.store.readMeta(config.from)?.layers
      : formatNetwork(builtLayers(config.layers ?? PRESET_LAYERS[config.preset], { dropout: config.dropout ?? true }));
    const meta = (history: ModelMeta['history'], extra: Partial<ModelMeta> = {}): ModelMeta => ({
      name, preset: config.preset, config, history, testAccuracy: null, confusion: null, ...(layers ? { layers } : {}),
      backend: this.backend.name, device: this.backend.device, durationMs: Date.now() - started,
      createdAt: new Date(started).toISOString(), params: model.countParams(), dataset: this.data.name,
      ...callbacks.provenance, ...extra,
    });
    const curve = new CurveRecorder(config, train.count);
    const recording: TrainCallbacks = { ...callbacks, onBatch: (p) => (curve.add(p), callbacks.onBatch?.(p)) };
    const curveFile = () => ({ path: SIDE_FILES.curve, data: curve.json() });
    const result = await fit(model, train, val, config, recording, async (history) => {
      await this.store.save(name, model, meta(history), [curveFile()]); // checkpoint
      this.forget(name);
    });
    if (result.batchesDone === 0) {
      return { model: null, testAccuracy: NaN, stopped: true, history: [], durationMs: Date.now() - started };
    }
    callbacks.onLog?.(`evaluating on the ${this.data.test.count} test images`);
    const probs = await predictProbs(model, this.data.test.images, this.data.test.count);
    const summary = summarize(probs, this.data.test.labels);
    const testLoss = lossAndAccuracy(probs, this.data.test.labels).loss;
    const predicted = Uint8Array.from({ length: this.data.test.count }, (_, i) => argmax(probs, i * CLASSES));
    await this.store.save(name, model, meta(result.history, { testAccuracy: summary.accuracy, confusion: summary.confusion }), [
      curveFile(), { path: SIDE_FILES.predictions, data: predicted },
    ]);
    this.forget(name);
    const activated = !incumbent || incumbent.accuracy === null || summary.accuracy > incumbent.accuracy;
    if (activated) this.store.setActive(name);
    else {
      callbacks.onLog?.(
        `'${incumbent.name}' stays the active model: ${(incumbent.accuracy! * 100).toFixed(2)}% on the test set vs ` +
          `${(summary.accuracy * 100).toFixed(2)}% for '${name}'`,
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
      const report = await finetune(model, examples, this.data, request, callbacks);
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
    checkExplainRequest(pixels, cls, method); // before a model is loaded: a bad request fails the same way with or without one
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

  /** The active model and its recorded test accuracy on this dataset (null: unknown, e.g. another dataset). */
  private activeRecord(): { name: string; accuracy: number | null } | null {
    const name = this.store.activeName();
    if (!name) return null;
    try {
      const meta = this.store.readMeta(name);
      return { name, accuracy: meta && meta.dataset === this.data.name ? meta.testAccuracy : null };
    } catch {
      return { name, accuracy: null }; // unreadable meta: the new model replaces it
    }
  }

  async evaluate({ model: name, onProgress }: EngineParams<'evaluate'>) {
    const t0 = performance.now();
    const { name: model, model: m, inputScale } = await this.model(name);
    const probs = await predictProbs(m, this.data.test.images, this.data.test.count, { onProgress, inputScale });
    const summary = summarize(probs, this.data.test.labels);
    return { model, ...summary, durationMs: performance.now() - t0 };
  }

  async predict({ inputs, model: name }: EngineParams<'predict'>) {
    const { name: model, model: m, inputScale } = await this.model(name);
    const x = new Float32Array(inputs.length * PIXELS);
    inputs.forEach((input, i) => {
      if (input.length !== PIXELS) throw new Error(`input ${i} has ${input.length} values, expected ${PIXELS} (${IMAGE_SIDE}×${IMAGE_SIDE})`);
      x.set(input, i * PIXELS);
    });
    const out = await predictFloats(m, x, inputs.length, inputScale);
    const probs = inputs.map((_, i) => Array.from(out.subarray(i * CLASSES, (i + 1) * CLASSES)));
    return { model, probs };
  }

  async samples({ n, seed = Math.floor(Math.random() * 2 ** 31), model: name }: EngineParams<'samples'>) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`the number of samples must be a positive integer, got ${n}`);
    const { name: model, model: m, inputScale } = await this.model(name);
    const rng = mulberry32(seed);
    const test = this.data.test;
    const count = Math.min(n, test.count);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(rng() * test.count));
    const indices = [...chosen];
    const out = await predictFloats(m, imagesToFloat(test.images, indices), count, inputScale);
    const samples = indices.map((index, i) => {
      const probs = Array.from(out.subarray(i * CLASSES, (i + 1) * CLASSES));
      const predicted = argmax(probs);
      return {
        index, label: test.labels[index], predicted, confidence: probs[predicted], probs,
        pixels: Array.from(test.images.subarray(index * PIXELS, (index + 1) * PIXELS)),
      };
    });
    return { model, seed, samples };
  }

  /** Test-set images as 784 grey levels 0-255. */
  async testImages({ indices }: EngineParams<'testImages'>) {
    const test = this.data.test;
    const images = indices.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= test.count) throw new Error(`test image index ${i} out of range 0-${test.count - 1}`);
      return Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    });
    return { images };
  }

  testLabels(indices: number[]): number[] {
    return indices.map((i) => this.data.test.labels[i]);
  }

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
    export: async ({ name }) => ({
      files: this.store.readFiles(name).filter((f) => !(Object.values(SIDE_FILES) as string[]).includes(f.path)),
    }),
    importKeras: (params) => this.importKeras(params),
    exportKeras: async ({ name }) => {
      const { model, inputScale } = await this.model(name);
      const { writeKerasFile } = await import('./keras/export.js');
      return { fileName: `${name}.h5`, bytes: await writeKerasFile(model, inputScale) };
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
    const probs = await predictProbs(model, this.data.test.images, this.data.test.count, { inputScale: extra.inputScale, onProgress });
    const summary = summarize(probs, this.data.test.labels);
    const meta: ModelMeta = {
      name, preset: 'imported', config: null, history: [], testAccuracy: summary.accuracy, confusion: summary.confusion,
      backend: this.backend.name, device: this.backend.device, durationMs: 0, createdAt: new Date().toISOString(),
      params: model.countParams(), dataset: this.data.name, ...extra,
    };
    this.assertFree(name); // again: another import may have taken the name meanwhile
    const predicted = Uint8Array.from({ length: this.data.test.count }, (_, i) => argmax(probs, i * CLASSES));
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
      const want = { in: `${IMAGE_SIDE}x${IMAGE_SIDE}x1`, out: String(CLASSES) };
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
  const backend = await selectBackend(opts.backend ?? parseBackendChoice(process.env.DIGIT_LAB_BACKEND));
  const data = loadMnist(opts.dataDir);
  const home = opts.home ?? defaultHome();
  const store = new ModelStore(home, opts.shippedDir ?? defaultShippedDir());
  return new DigitLabEngine(backend, data, store, new SampleStore(home), new NetworkStore(home));
}
