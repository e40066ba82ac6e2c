// The engine: one object that owns the backend, the dataset and the model store, and runs
// train / evaluate / predict / samples. No UI or Electron imports: the CLI uses it directly and the
// engine process exposes it over the protocol.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CLASSES, IMAGE_SIDE, PIXELS, argmax } from '../../src-shared/domain.js';
import { mulberry32 } from '../../src-shared/random.js';
import {
  DEFAULT_TRAIN_CONFIG, PRESET_TRAINING, trainConfigFor, type BackendInfo, type ModelMeta, type PenTrainingOptions, type TrainConfig, type TrainResult,
} from '../../src-shared/types.js';
import type {
  DatasetInfo, Engine, EngineOptions, FinetuneRequest, FinetuneResult, KerasImportOptions, TrainCallbacks,
} from './api.js';
import { activations } from './activations.js';
import { resolveResources, userHome } from '../resources.js';
import { parseBackendChoice, selectBackend, trainDefaults } from './backend.js';
import { imagesToFloat, joinSplits, loadMnist, splitTrainVal, type MnistData } from './data/mnist.js';
import { penTrainingSplit } from './data/pen-render.js';
import { lossAndAccuracy, predictFloats, predictProbs, summarize } from './evaluate.js';
import { checkRequest, FINETUNE_DEFAULTS, finetune } from './finetune.js';
import { deserializeModel } from './model-io.js';
import { buildModel, compileModel } from './models.js';
import { ModelStore, StoreError, validateModelName } from './store.js';
import { fit } from './train.js';
import { SampleStore, type NewUserSample } from './user-samples.js';

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

  constructor(
    readonly backend: BackendInfo,
    private readonly data: MnistData,
    readonly store: ModelStore,
    readonly userSamples: SampleStore,
  ) {}

  get dataset(): DatasetInfo {
    return { name: this.data.name, dir: this.data.dir, train: this.data.train.count, test: this.data.test.count };
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

  async train(partial: Partial<TrainConfig> & PenTrainingOptions, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
    const source = partial.from ? this.store.readMeta(partial.from) : null;
    const preset = partial.preset ?? (source?.preset && source.preset !== 'imported' ? source.preset : undefined);
    // On a GPU, its batch and learning rate when neither the caller nor the preset's own defaults set a batch size.
    const backendDefaults = PRESET_TRAINING[preset ?? DEFAULT_TRAIN_CONFIG.preset].batchSize === undefined ? trainDefaults(this.backend, partial) : {};
    const config = trainConfigFor({ ...backendDefaults, preset, ...partial });
    if (config.name) validateModelName(config.name);
    const started = Date.now();
    const split = splitTrainVal(this.data.train, config.validationSize, config.trainSize, config.seed);
    const val = split.val;
    const pen = config.penData ? await penTrainingSplit(config.penData, config.penWriters) : null;
    let train = split.train;
    for (let k = 0; pen && k < (config.penRepeat ?? 1); k++) train = joinSplits(train, pen);
    const stamp = new Date().toISOString().slice(0, 16).replace('T', '-').replace(':', '');
    const name = config.name ?? this.store.uniqueName(`${config.preset}-${stamp}`);
    if (config.name) this.store.checkUnclaimed(config.name); // another process is training under this name
    if (config.name && this.store.exists(config.name) && this.store.dirOf(config.name).shipped) {
      throw new StoreError(`'${config.name}' is a shipped model's name; choose another`);
    }
    callbacks.onLog?.(
      `training '${name}': ${config.from ? `from '${config.from}' (${config.preset})` : config.preset}, ${train.count} images ` +
        `${pen ? `(${pen.count * (config.penRepeat ?? 1)} of them pen-drawn) ` : ''}(${val.count} held out for validation), ` +
        `${config.epochs} epochs of batch ${config.batchSize} on ${this.backend.device}`,
    );
    // The active model stays active unless the new one beats it on the test set (pinned now, so that the
    // store's "newest model" fallback does not hand the sketchpad a half-trained checkpoint).
    const incumbent = this.activeRecord();
    if (incumbent) this.store.setActive(incumbent.name);
    const model = config.from ? await this.store.load(config.from) : buildModel(config.preset, config.optimizer, config.learningRate, config);
    if (config.from) compileModel(model, config.optimizer, config.learningRate, config.adamBetas);
    const meta = (history: ModelMeta['history'], extra: Partial<ModelMeta> = {}): ModelMeta => ({
      name, preset: config.preset, config, history, testAccuracy: null, confusion: null,
      backend: this.backend.name, device: this.backend.device, durationMs: Date.now() - started,
      createdAt: new Date(started).toISOString(), params: model.countParams(), dataset: this.data.name,
      ...callbacks.provenance, ...extra,
    });
    const release = this.store.claim(name); // rename and delete refuse this name until the job ends
    try {
      const result = await fit(model, train, val, config, callbacks, async (history) => {
        await this.store.save(name, model, meta(history)); // checkpoint
        this.forget(name);
      });
      if (result.batchesDone === 0) {
        return { model: null, testAccuracy: NaN, stopped: true, history: [], durationMs: Date.now() - started };
      }
      callbacks.onLog?.(`evaluating on the ${this.data.test.count} test images`);
      const probs = await predictProbs(model, this.data.test.images, this.data.test.count);
      const summary = summarize(probs, this.data.test.labels);
      const testLoss = lossAndAccuracy(probs, this.data.test.labels).loss;
      await this.store.save(name, model, meta(result.history, { testAccuracy: summary.accuracy, confusion: summary.confusion }));
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
    } finally {
      release();
      model.optimizer?.dispose();
      model.dispose();
    }
  }

  async finetune(request: FinetuneRequest = {}, callbacks: TrainCallbacks = {}): Promise<FinetuneResult> {
    const started = Date.now();
    const { name: base } = await this.model(request.model); // checks it exists and outputs 10 classes
    if (request.name && this.store.exists(validateModelName(request.name))) {
      throw new StoreError(`a model named '${request.name}' already exists: fine-tuning saves a new model`);
    }
    let n = 1;
    while (!request.name && this.store.exists(`${base}-tuned-${n}`)) n++;
    const name = request.name ?? `${base}-tuned-${n}`;
    this.store.checkUnclaimed(name); // a training job elsewhere (the app or the CLI) will save under it
    const examples = request.examples ?? this.userSamples.list().samples;
    checkRequest(examples, request);
    const model = await this.store.load(base);
    try {
      compileModel(model, 'adam', request.learningRate ?? FINETUNE_DEFAULTS.learningRate);
      callbacks.onLog?.(`fine-tuning '${base}' on ${examples.length} examples of your handwriting → '${name}'`);
      const report = await finetune(model, examples, this.data, request, callbacks);
      const durationMs = Date.now() - started;
      if (report.stopped) return { ...report, model: '', base, durationMs };
      const o = report.options;
      const meta: ModelMeta = {
        name, preset: this.store.readMeta(base)?.preset ?? 'imported', config: null, history: [],
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
      return { ...report, model: name, base, durationMs };
    } finally {
      model.optimizer?.dispose();
      model.dispose();
    }
  }

  /** Every layer's output for one image (784 values, 0-1), for the inside view. */
  async activations(pixels: ArrayLike<number>, name?: string) {
    const { name: model, model: m, inputScale } = await this.model(name);
    const input = inputScale === 1 ? pixels : Float32Array.from(pixels, (v) => v * inputScale); // as the model was trained
    return { model, ...(await activations(m, input)) };
  }

  async addUserSample(sample: NewUserSample) {
    return this.userSamples.add(sample);
  }

  async listUserSamples() {
    return this.userSamples.list();
  }

  async getUserSample(id: string) {
    return this.userSamples.get(id);
  }

  async removeUserSample(id: string) {
    this.userSamples.remove(id);
  }


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

  async evaluate(name?: string, onProgress?: (done: number, total: number) => void) {
    const t0 = performance.now();
    const { name: model, model: m, inputScale } = await this.model(name);
    const probs = await predictProbs(m, this.data.test.images, this.data.test.count, { onProgress, inputScale });
    const summary = summarize(probs, this.data.test.labels);
    return { model, ...summary, durationMs: performance.now() - t0 };
  }

  async predict(inputs: ArrayLike<number>[], name?: string) {
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

  async samples(n: number, seed = Math.floor(Math.random() * 2 ** 31), name?: string) {
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

  testImages(indices: number[]): number[][] {
    const test = this.data.test;
    return indices.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= test.count) throw new Error(`test image index ${i} out of range 0-${test.count - 1}`);
      return Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    });
  }

  testLabels(indices: number[]): number[] {
    return indices.map((i) => this.data.test.labels[i]);
  }

  async listModels() {
    return this.store.list();
  }

  async activeModel() {
    return this.store.activeName();
  }

  async setActiveModel(name: string) {
    this.store.setActive(name);
  }

  async renameModel(from: string, to: string) {
    this.store.rename(from, to);
    this.forget(from);
    return to;
  }

  async deleteModel(name: string) {
    this.store.delete(name);
    this.forget(name);
  }

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
    await this.store.save(name, model, meta);
    return meta;
  }

  async importModel(name: string, files: { path: string; data: Uint8Array }[]) {
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

  async importKeras(bytes: Uint8Array, { fileName, name, onProgress }: KerasImportOptions) {
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

  async exportKeras(name?: string) {
    const { model, inputScale } = await this.model(name);
    const { writeKerasFile } = await import('./keras/export.js');
    return writeKerasFile(model, inputScale);
  }

  async exportModel(name: string) {
    return this.store.readFiles(name);
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
  return new DigitLabEngine(backend, data, store, new SampleStore(home));
}
