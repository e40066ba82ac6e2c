// The engine: one object that owns the backend, the dataset and the model store, and runs
// train / evaluate / predict / samples. No UI or Electron imports: the CLI uses it directly and the
// engine process exposes it over the protocol.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import envPaths from 'env-paths';
import { mulberry32 } from '../../src-shared/random.js';
import { trainConfigFor, type BackendInfo, type ModelMeta, type TrainConfig, type TrainResult } from '../../src-shared/types.js';
import type { DatasetInfo, Engine, EngineOptions, TrainCallbacks } from './api.js';
import { resolveResources } from '../resources.js';
import { parseBackendChoice, selectBackend } from './backend.js';
import { imagesToFloat, joinSplits, loadMnist, splitTrainVal, type MnistData } from './data/mnist.js';
import { penTrainingSplit } from './data/pen-render.js';
import { argmax, lossAndAccuracy, predictFloats, predictProbs, summarize } from './evaluate.js';
import { deserializeModel } from './model-io.js';
import { buildModel, compileModel } from './models.js';
import { ModelStore, StoreError, validateModelName } from './store.js';
import { fit } from './train.js';

const PIXELS = 784;

/** Default user folder: DIGIT_LAB_HOME, else the OS's per-user data folder. */
export function defaultHome(): string {
  return process.env.DIGIT_LAB_HOME || envPaths('digit-lab', { suffix: '' }).data;
}

/** The shipped models/ folder (DIGIT_LAB_MODELS, else the dev tree's or the installed app's models/). */
export function defaultShippedDir(): string | null {
  try {
    return resolveResources().modelsDir;
  } catch {
    return null;
  }
}

class DigitLabEngine implements Engine {
  private readonly cache = new Map<string, tf.LayersModel>();

  constructor(
    readonly backend: BackendInfo,
    private readonly data: MnistData,
    readonly store: ModelStore,
  ) {}

  get dataset(): DatasetInfo {
    return { name: this.data.name, dir: this.data.dir, train: this.data.train.count, test: this.data.test.count };
  }

  private async model(name?: string): Promise<{ name: string; model: tf.LayersModel }> {
    const resolved = name ?? this.store.activeName();
    if (!resolved) throw new StoreError("no model yet: train one with 'digit-lab train'");
    let model = this.cache.get(resolved);
    if (!model) {
      model = await this.store.load(resolved);
      const shape = model.outputs[0].shape;
      if (shape[shape.length - 1] !== 10) {
        model.dispose();
        throw new StoreError(`model '${resolved}' does not output 10 classes (output shape [${shape.join(', ')}])`);
      }
      this.cache.set(resolved, model);
    }
    return { name: resolved, model };
  }

  private forget(name: string): void {
    this.cache.get(name)?.dispose();
    this.cache.delete(name);
  }

  async train(partial: Partial<TrainConfig>, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
    const source = partial.from ? this.store.readMeta(partial.from) : null;
    const sourcePreset = source?.preset && source.preset !== 'imported' ? source.preset : undefined;
    const config: TrainConfig = trainConfigFor({ preset: sourcePreset, ...partial });
    if (config.name) validateModelName(config.name);
    const started = Date.now();
    const split = splitTrainVal(this.data.train, config.validationSize, config.trainSize, config.seed);
    const val = split.val;
    const pen = config.penData ? await penTrainingSplit(config.penData, config.penWriters) : null;
    let train = split.train;
    for (let k = 0; pen && k < (config.penRepeat ?? 1); k++) train = joinSplits(train, pen);
    const stamp = new Date().toISOString().slice(0, 16).replace('T', '-').replace(':', '');
    const name = config.name ?? this.store.uniqueName(`${config.preset}-${stamp}`);
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
    const model = config.from ? await this.store.load(config.from) : buildModel(config.preset, config.optimizer, config.learningRate);
    if (config.from) compileModel(model, config.optimizer, config.learningRate);
    const meta = (history: ModelMeta['history'], extra: Partial<ModelMeta> = {}): ModelMeta => ({
      name, preset: config.preset, config, history, testAccuracy: null, confusion: null,
      backend: this.backend.name, device: this.backend.device, durationMs: Date.now() - started,
      createdAt: new Date(started).toISOString(), params: model.countParams(), dataset: this.data.name,
      ...callbacks.provenance, ...extra,
    });
    try {
      const result = await fit(model, train, val, config, callbacks, async (history) => {
        await this.store.save(name, model, meta(history)); // checkpoint
        this.forget(name);
      });
      if (result.batchesDone === 0) {
        return { model: '', testAccuracy: NaN, stopped: true, history: [], durationMs: Date.now() - started };
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
      model.optimizer?.dispose();
      model.dispose();
    }
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
    const { name: model, model: m } = await this.model(name);
    const probs = await predictProbs(m, this.data.test.images, this.data.test.count, 1000, onProgress);
    const summary = summarize(probs, this.data.test.labels);
    return { model, ...summary, durationMs: performance.now() - t0 };
  }

  async predict(inputs: ArrayLike<number>[], name?: string) {
    const { name: model, model: m } = await this.model(name);
    const x = new Float32Array(inputs.length * PIXELS);
    inputs.forEach((input, i) => {
      if (input.length !== PIXELS) throw new Error(`input ${i} has ${input.length} values, expected 784 (28×28)`);
      x.set(input, i * PIXELS);
    });
    const out = predictFloats(m, x, inputs.length);
    const probs = inputs.map((_, i) => Array.from(out.subarray(i * 10, i * 10 + 10)));
    return { model, probs };
  }

  async samples(n: number, seed = Math.floor(Math.random() * 2 ** 31), name?: string) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive integer, got ${n}`);
    const { name: model, model: m } = await this.model(name);
    const rng = mulberry32(seed);
    const test = this.data.test;
    const count = Math.min(n, test.count);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(rng() * test.count));
    const indices = [...chosen];
    const out = predictFloats(m, imagesToFloat(test.images, indices), count);
    const samples = indices.map((index, i) => {
      const probs = Array.from(out.subarray(i * 10, i * 10 + 10));
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

  async importModel(name: string, files: { path: string; data: Uint8Array }[]) {
    if (this.store.exists(name)) throw new StoreError(`a model named '${name}' already exists`);
    const byPath = new Map(files.map((f) => [path.posix.basename(f.path.replace(/\\/g, '/')), f.data]));
    const json = byPath.get('model.json');
    if (!json) throw new StoreError('the imported folder has no model.json');
    // Validate before anything is written: it must load and map 28×28 images to 10 classes.
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
      if (inShape !== '28x28x1' || outShape !== '10') {
        throw new StoreError(`cannot import: the model maps ${inShape} to ${outShape}, expected 28x28x1 to 10`);
      }
      const meta: ModelMeta = {
        name, preset: 'imported', config: null, history: [], testAccuracy: null, confusion: null,
        backend: this.backend.name, device: this.backend.device, durationMs: 0, createdAt: new Date().toISOString(),
        params: model.countParams(),
      };
      const probs = await predictProbs(model, this.data.test.images, this.data.test.count);
      const summary = summarize(probs, this.data.test.labels);
      meta.testAccuracy = summary.accuracy;
      meta.confusion = summary.confusion;
      await this.store.save(name, model, meta);
    } finally {
      model.dispose();
    }
    return name;
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
  const store = new ModelStore(opts.home ?? defaultHome(), opts.shippedDir ?? defaultShippedDir());
  return new DigitLabEngine(backend, data, store);
}
