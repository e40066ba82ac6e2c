// Comparing saved runs: each model's test-set predicted labels (kept with the model, or scored once and kept), its
// per-batch curve and its meta.json, side by side; and for two models, the test images one gets right and the other
// wrong. Where a model keeps its predictions: a user model gets a new version of itself with `predictions.bin` added
// (the store's atomic save: the weights are copied unchanged); a shipped model is read-only, so its predictions go to
// <home>/predictions/<name>-<hash of its files>.bin, written atomically, and a changed shipped model is scored again.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { curveSchema, MAX_COMPARE, type CompareRun, type DiffImage, type ModelMeta, type RunCurve } from '../../src-shared/protocol.js';
import { PRESET_INFO } from '../../src-shared/types.js';
import type { Progress } from './api.js';
import type { LoadedDataset } from './data/catalog.js';
import { datasetOfMeta } from './data/dataset-info.js';
import { writeFileAtomic } from './fsutil.js';
import { SIDE_FILES, StoreError, type ModelStore } from './store.js';

/** Scores a model on the test set: one predicted label per image. */
export type Scorer = (name: string, onProgress?: Progress) => Promise<Uint8Array>;

export class Comparer {
  /** `data`: the dataset the compared runs were trained on (one Comparer per dataset). */
  constructor(private readonly store: ModelStore, private readonly data: LoadedDataset, private readonly score: Scorer) {}

  private get classes(): number {
    return this.data.info.classes.length;
  }

  /** Where a shipped model's predictions are kept (its folder is read-only). */
  private shippedFile(name: string): string {
    const hash = createHash('sha256');
    for (const f of this.store.readFiles(name).sort((a, b) => a.path.localeCompare(b.path))) {
      if (!Object.values(SIDE_FILES).includes(f.path as never)) hash.update(f.path).update(f.data);
    }
    return path.join(this.store.home, 'predictions', `${name}-${hash.digest('hex').slice(0, 16)}.bin`);
  }

  /** Scorings in progress, by model: a second request for the same model (compare.runs and compare.diff sent
   *  together) waits for the first instead of scoring it again. */
  private readonly scoring = new Map<string, Promise<{ labels: Uint8Array; scored: boolean }>>();

  /** A model's predicted label for each test image, and whether they were scored now. */
  predictions(name: string, meta: ModelMeta | null, onProgress?: Progress): Promise<{ labels: Uint8Array; scored: boolean }> {
    const running = this.scoring.get(name);
    if (running) return running;
    const started = this.keptOrScored(name, meta, onProgress).finally(() => this.scoring.delete(name));
    this.scoring.set(name, started);
    return started;
  }

  private async keptOrScored(name: string, meta: ModelMeta | null, onProgress?: Progress): Promise<{ labels: Uint8Array; scored: boolean }> {
    const count = this.data.test.count;
    const sameData = datasetOfMeta(meta).fingerprint === this.data.info.fingerprint;
    const shipped = this.store.dirOf(name).shipped;
    const usable = (b: Uint8Array | null): b is Uint8Array => b !== null && b.length === count && b.every((v) => v < this.classes);
    if (sameData) {
      const kept = shipped ? readOrNull(this.shippedFile(name)) : this.store.readSide(name, SIDE_FILES.predictions);
      if (usable(kept)) return { labels: kept, scored: false };
    }
    const labels = await this.score(name, onProgress);
    if (sameData) {
      if (shipped) {
        const file = this.shippedFile(name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        writeFileAtomic(file, labels);
      } else {
        this.store.addSideFiles(name, [{ path: SIDE_FILES.predictions, data: labels }]);
      }
    }
    return { labels, scored: true };
  }

  curve(name: string): RunCurve | null {
    const bytes = this.store.readSide(name, SIDE_FILES.curve);
    if (!bytes) return null;
    try {
      const parsed = curveSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** 2–5 runs side by side. */
  async runs(names: readonly string[], onProgress?: Progress): Promise<CompareRun<number[]>[]> {
    checkNames(names);
    const metas = names.map((n) => this.store.readMeta(n)); // a missing model fails here, before any scoring
    const total = names.length * this.data.test.count;
    const runs: CompareRun<number[]>[] = [];
    for (const [i, name] of names.entries()) {
      const meta = metas[i];
      const progress = onProgress && ((done: number) => onProgress(i * this.data.test.count + done, total));
      const { labels, scored } = await this.predictions(name, meta, progress);
      runs.push(this.run(name, meta, labels, scored));
    }
    onProgress?.(total, total);
    return runs;
  }

  private run(name: string, meta: ModelMeta | null, predicted: Uint8Array, scored: boolean): CompareRun<number[]> {
    const truth = this.data.test.labels;
    const confusion = Array.from({ length: this.classes }, () => new Array<number>(this.classes).fill(0));
    let correct = 0;
    for (let i = 0; i < predicted.length; i++) {
      confusion[truth[i]][predicted[i]]++;
      if (truth[i] === predicted[i]) correct++;
    }
    const perClassAccuracy = confusion.map((row, k) => {
      const n = row.reduce((a, b) => a + b, 0);
      return n ? row[k] / n : 0;
    });
    const curve = this.curve(name);
    const epochs = meta?.history ?? [];
    const notes: string[] = [];
    if (!meta) notes.push(`'${name}' has no meta.json: only its test-set figures are shown`);
    else if (meta.preset === 'imported') notes.push(`'${name}' was imported: no training curves or hyperparameters`);
    else if (!curve && epochs.length) notes.push(`'${name}' was saved before per-batch curves were kept: per-epoch curves only`);
    else if (!curve) notes.push(`'${name}' has no training curves${meta.finetune ? ' (fine-tuned on your handwriting)' : ''}`);
    const speeds = epochs.map((e) => e.imagesPerSec).filter(Number.isFinite);
    return {
      name, preset: meta?.preset ?? 'imported', network: networkText(meta), config: meta?.config ?? null, classes: this.data.info.classes,
      backend: meta?.backend ?? '', device: meta?.device ?? '',
      imagesPerSec: speeds.length ? speeds.reduce((a, b) => a + b, 0) / speeds.length : NaN,
      durationMs: meta?.durationMs ?? 0, params: meta?.params ?? 0, createdAt: meta?.createdAt ?? '',
      testAccuracy: predicted.length ? correct / predicted.length : 0,
      handwritingAccuracy: meta?.finetune?.after.user ?? null,
      perClassAccuracy, confusion, epochs, curve, scored, notes,
    };
  }

  /** The test images one of two models gets right and the other wrong, and the counts of the rest. */
  async diff(a: string, b: string, onProgress?: Progress) {
    checkNames([a, b]);
    const [ma, mb] = [this.store.readMeta(a), this.store.readMeta(b)];
    const n = this.data.test.count;
    const pa = (await this.predictions(a, ma, onProgress && ((d) => onProgress(d, 2 * n)))).labels;
    const pb = (await this.predictions(b, mb, onProgress && ((d) => onProgress(n + d, 2 * n)))).labels;
    onProgress?.(2 * n, 2 * n);
    const truth = this.data.test.labels;
    const fixed: DiffImage[] = [];
    const broken: DiffImage[] = [];
    let bothRight = 0;
    let bothWrong = 0;
    for (let i = 0; i < n; i++) {
      const [okA, okB] = [pa[i] === truth[i], pb[i] === truth[i]];
      if (okA && okB) bothRight++;
      else if (!okA && !okB) bothWrong++;
      else (okB ? fixed : broken).push({ index: i, label: truth[i], a: pa[i], b: pb[i] });
    }
    return { a, b, total: n, fixed, broken, bothRight, bothWrong };
  }
}

/** The bad inputs the protocol's schema refuses, refused the same way for the CLI (which calls the engine directly). */
function checkNames(names: readonly string[]): void {
  if (names.length < 2) throw new StoreError('compare at least 2 models');
  if (names.length > MAX_COMPARE) throw new StoreError(`compare at most ${MAX_COMPARE} models (got ${names.length})`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new StoreError(`'${twice}' is named twice: compare different models`);
}

/** The network in words: a designed network's text form, the preset's layers, or an imported model's layer list. */
function networkText(meta: ModelMeta | null): string {
  if (!meta) return '?';
  if (meta.config?.layers) return `designed: ${meta.layers ?? meta.config.layers}`;
  if (meta.preset !== 'imported') return `${PRESET_INFO[meta.preset].title}: ${PRESET_INFO[meta.preset].text.split(' — ')[0]}`;
  return meta.origin ? meta.origin.layers.map((l) => l.split(' ')[0]).join(' · ') : 'imported';
}

function readOrNull(file: string): Uint8Array | null {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch {
    return null;
  }
}
