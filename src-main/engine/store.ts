// The model store: user models in <home>/models/<name>/ and read-only shipped models in the app's models/ folder.
// A model folder holds immutable version folders (v-<pid>-<hex>/: model.json, weights.bin, meta.json) and a
// pointer file `current` naming one of them. A save writes and flushes a new version beside the old one, then
// replaces `current` with one atomic rename; readers follow the pointer, so a model is at every instant either
// its old or its new complete copy. Folders made by a process that is still running are never cleaned up by
// another one (their names carry the writer's pid), so the app and the CLI can share a store.
// Older stores (model.json directly in <name>/, .<name>.tmp-/.old- leftovers) are read and repaired on open.
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { isModelName, MODEL_NAME_RULE, uniqueName } from '../../src-shared/model-name.js';
import { describeIssues, metaSchema } from '../../src-shared/protocol.js';
import type { ModelInfo, ModelMeta } from '../../src-shared/types.js';
import { datasetOfMeta, MNIST_INFO } from './data/dataset-info.js';
import { fsyncDir, ownerAlive, ownerTag, tmpName, writeFileAtomic, writeFileDurable, writeJsonAtomic } from './fsutil.js';
import { deserializeModel, MODEL_WEIGHTS_FILE, serializeModel } from './model-io.js';

const POINTER = 'current';
const VERSION_RE = /^v-(\d+-[0-9a-f]{8})$/;
/** Bookkeeping names inside models/: a delete in progress, a training job's claim on a name. */
const TOP_TEMP_RE = /^\.(.+)\.(trash|job)-(\d+-[0-9a-f]{8})$/;
/** Leftovers of the previous store format (a directory swap): .<name>.tmp-XXXXXXXX, .old-, .trash-. */
const LEGACY_TEMP_RE = /^\.(.+)\.(tmp|old|trash)-([0-9a-f]{8})$/;
const LEGACY_COMPLETE = '.complete';
const LEGACY_FILES = ['model.json', MODEL_WEIGHTS_FILE, 'meta.json', LEGACY_COMPLETE];
/** Files kept beside meta.json that are not weights: a run's per-batch curve and its test-set predicted labels. */
export const SIDE_FILES = { curve: 'history.json', predictions: 'predictions.bin' } as const;
export type SideFile = (typeof SIDE_FILES)[keyof typeof SIDE_FILES];
const NOT_WEIGHTS = new Set<string>(['model.json', 'meta.json', ...Object.values(SIDE_FILES)]);

export class StoreError extends Error {}

/** active.json: `name` is the digit (MNIST) model, as older versions wrote and read it; `datasets` holds the active
 *  model of every other dataset, by the dataset's fingerprint. */
interface ActiveChoice {
  name?: string;
  datasets?: Record<string, string>;
}

/** Refuse anything that could escape the store's folder or clash with its bookkeeping files. */
export function validateModelName(name: string): string {
  if (!isModelName(name)) {
    throw new StoreError(`invalid model name ${JSON.stringify(String(name).slice(0, 80))}: ${MODEL_NAME_RULE}`);
  }
  return name;
}

export interface StoreHooks {
  /** Called after every step of a save, rename or delete (fault-injection tests kill the process here). */
  step?: (label: string) => void;
}

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/** Run `fn`, retrying once when a file vanished under it (another process replaced the version it read). */
function retryOnMissing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!isMissing(err)) throw err;
    return fn();
  }
}

/** The folder holding a model's files: the version `current` names, or the folder itself (old layout); null if none. */
function filesDir(modelDir: string): string | null {
  let pointer: string;
  try {
    pointer = fs.readFileSync(path.join(modelDir, POINTER), 'utf8').trim();
  } catch (err) {
    if (!isMissing(err)) throw err;
    return fs.existsSync(path.join(modelDir, 'model.json')) ? modelDir : null;
  }
  if (!VERSION_RE.test(pointer)) throw new StoreError(`the store's pointer file ${path.join(modelDir, POINTER)} is damaged`);
  return path.join(modelDir, pointer);
}

/** A damaged pointer (written by hand: ours are atomic) is replaced by the next save. */
function damagedIsNone(fn: () => string | null): string | null {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StoreError) return null;
    throw err;
  }
}

function isPointedTo(modelDir: string, version: string): boolean {
  try {
    return fs.readFileSync(path.join(modelDir, POINTER), 'utf8').trim() === version;
  } catch {
    return false;
  }
}

/** Remove a folder if it is empty (else it holds a live writer's version: leave it). */
function rmdirQuiet(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    /* not empty, or gone */
  }
}

function rmQuiet(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    /* another process is removing it too */
  }
}

export class ModelStore {
  readonly modelsDir: string;
  private readonly activeFile: string;
  private readonly step: (label: string) => void;

  constructor(readonly home: string, readonly shippedDir: string | null, hooks: StoreHooks = {}) {
    this.modelsDir = path.join(home, 'models');
    this.activeFile = path.join(home, 'active.json');
    this.step = hooks.step ?? (() => {});
    fs.mkdirSync(this.modelsDir, { recursive: true });
    this.recover();
  }

  /**
   * Repair what interrupted operations left, without waiting: finish old-format swaps, remove deletes in
   * progress and superseded versions — only those whose writer process is gone.
   */
  recover(): void {
    const entries = fs.readdirSync(this.modelsDir);
    const legacy = new Map<string, string[]>();
    for (const e of entries) {
      const full = path.join(this.modelsDir, e);
      const top = TOP_TEMP_RE.exec(e);
      const old = LEGACY_TEMP_RE.exec(e);
      if (top) {
        if (!ownerAlive(top[3])) rmQuiet(full);
      } else if (old) {
        legacy.set(old[1], [...(legacy.get(old[1]) ?? []), e]);
      } else if (isModelName(e)) {
        this.tidy(full);
      }
    }
    for (const [name, leftovers] of legacy) this.recoverLegacy(name, leftovers);
  }

  /** An old-format save died between its two renames: put the complete new copy (else the old one) in place. */
  private recoverLegacy(name: string, leftovers: string[]): void {
    const final = path.join(this.modelsDir, name);
    const at = (e: string) => path.join(this.modelsDir, e);
    if (isModelName(name) && !this.isModel(final)) {
      const done = leftovers.find((e) => e.includes('.tmp-') && fs.existsSync(path.join(at(e), LEGACY_COMPLETE)));
      const pick = done ?? leftovers.find((e) => e.includes('.old-') && fs.existsSync(path.join(at(e), 'model.json')));
      if (pick) {
        try {
          fs.renameSync(at(pick), final);
          fsyncDir(this.modelsDir);
        } catch {
          /* another process put a copy in place first */
        }
      }
    }
    // Keep the leftovers only while they still hold the one copy of a model (its rename above failed).
    const landed = this.isModel(final);
    for (const e of leftovers) if (landed || !isModelName(name) || !e.includes('.old-')) rmQuiet(at(e));
    if (landed) this.tidy(final);
  }

  /** Inside one model folder: remove versions and pointer temp files no live process needs. */
  private tidy(modelDir: string): void {
    let entries: string[];
    let current: string | null;
    try {
      entries = fs.readdirSync(modelDir);
      current = filesDir(modelDir);
    } catch {
      return; // not a folder, or a damaged pointer: leave it for the user to see
    }
    const pointed = current && current !== modelDir ? path.basename(current) : null;
    for (const e of entries) {
      const version = VERSION_RE.exec(e);
      const tag = version?.[1] ?? /^\.current\.tmp-(\d+-[0-9a-f]{8})$/.exec(e)?.[1];
      if (tag && e !== pointed && !ownerAlive(tag)) rmQuiet(path.join(modelDir, e));
      else if (LEGACY_FILES.includes(e) && (pointed || e === LEGACY_COMPLETE)) rmQuiet(path.join(modelDir, e));
    }
    if (current === null) rmdirQuiet(modelDir); // left by a save that died before its first write

  }

  private isModel(modelDir: string): boolean {
    try {
      return filesDir(modelDir) !== null;
    } catch {
      return true; // a damaged pointer is still a model the user must see (list reports the error)
    }
  }

  private shippedNames(): string[] {
    if (!this.shippedDir || !fs.existsSync(this.shippedDir)) return [];
    return fs.readdirSync(this.shippedDir).filter((n) => isModelName(n) && this.isModel(path.join(this.shippedDir!, n)));
  }

  private userNames(): string[] {
    return fs.readdirSync(this.modelsDir).filter((n) => isModelName(n) && this.isModel(path.join(this.modelsDir, n)));
  }

  /** A model's folder (`modelDir`) and the folder holding its files (`dir`), user models first. */
  dirOf(name: string): { dir: string; modelDir: string; shipped: boolean } {
    validateModelName(name);
    const candidates: [string, boolean][] = [[path.join(this.modelsDir, name), false]];
    if (this.shippedDir) candidates.push([path.join(this.shippedDir, name), true]);
    for (const [modelDir, shipped] of candidates) {
      const dir = filesDir(modelDir);
      if (dir) return { dir, modelDir, shipped };
    }
    throw new StoreError(`no model named '${name}'`);
  }

  exists(name: string): boolean {
    try {
      this.dirOf(name);
      return true;
    } catch {
      return false;
    }
  }

  readMeta(name: string): ModelMeta | null {
    const text = retryOnMissing(() => {
      const file = path.join(this.dirOf(name).dir, 'meta.json');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    });
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new StoreError(`model '${name}' is corrupt: meta.json is not valid JSON`);
    }
    const meta = metaSchema.safeParse(json);
    if (!meta.success) throw new StoreError(`model '${name}' is corrupt: meta.json: ${describeIssues(meta.error)}`);
    return meta.data;
  }

  list(): ModelInfo[] {
    const actives = new Map<string, string | null>(); // the active model of each dataset seen
    const activeFor = (fingerprint: string) => {
      if (!actives.has(fingerprint)) actives.set(fingerprint, this.activeName(fingerprint));
      return actives.get(fingerprint);
    };
    const infos: ModelInfo[] = [];
    const add = (name: string, shipped: boolean) => {
      const info: ModelInfo = { name, shipped, active: false, meta: null };
      try {
        retryOnMissing(() => {
          const json = path.join(this.dirOf(name).dir, 'model.json');
          if (!fs.existsSync(json)) throw new StoreError('model.json is missing');
          JSON.parse(fs.readFileSync(json, 'utf8'));
        });
        info.meta = this.readMeta(name);
      } catch (err) {
        info.error = err instanceof SyntaxError ? 'model.json is not valid JSON' : (err as Error).message;
      }
      info.active = name === activeFor(datasetOfMeta(info.meta).fingerprint);
      infos.push(info);
    };
    for (const n of this.userNames()) add(n, false);
    for (const n of this.shippedNames()) if (!infos.some((i) => i.name === n)) add(n, true);
    return infos.sort((a, b) => (b.meta?.createdAt ?? '').localeCompare(a.meta?.createdAt ?? ''));
  }

  /** The dataset (fingerprint) a model was trained on; MNIST when its meta.json is missing, null when unreadable. */
  datasetFingerprint(name: string): string | null {
    try {
      return datasetOfMeta(this.readMeta(name)).fingerprint;
    } catch {
      return null;
    }
  }

  /**
   * The active model of a dataset (default MNIST: the digit model the sketchpad and the commands use): the chosen one
   * if set, present and trained on that dataset, else the dataset's most recently trained, else its shipped model
   * (`default` first). A model of another dataset is never the answer.
   */
  activeName(fingerprint: string = MNIST_INFO.fingerprint): string | null {
    const chosen = this.chosenName(fingerprint);
    if (chosen && this.exists(chosen) && this.datasetFingerprint(chosen) === fingerprint) return chosen;
    let newest: { name: string; at: string } | null = null;
    for (const n of this.userNames()) {
      let meta: ModelMeta | null;
      try {
        meta = this.readMeta(n);
      } catch {
        continue;
      }
      if (datasetOfMeta(meta).fingerprint !== fingerprint) continue;
      const at = meta?.createdAt ?? '';
      if (!newest || at > newest.at) newest = { name: n, at };
    }
    if (newest) return newest.name;
    const shipped = this.shippedNames().filter((n) => this.datasetFingerprint(n) === fingerprint);
    return shipped.includes('default') ? 'default' : (shipped[0] ?? null);
  }

  private readChoice(): ActiveChoice {
    try {
      const json = JSON.parse(fs.readFileSync(this.activeFile, 'utf8')) as unknown;
      return json && typeof json === 'object' ? (json as ActiveChoice) : {};
    } catch {
      return {}; // no choice recorded
    }
  }

  private chosenName(fingerprint: string): string | null {
    const choice = this.readChoice();
    const name = fingerprint === MNIST_INFO.fingerprint ? choice.name : choice.datasets?.[fingerprint];
    return typeof name === 'string' ? name : null;
  }

  /** Make a model the active one of the dataset it was trained on (the other datasets' choices stay). */
  setActive(name: string): void {
    this.dirOf(name);
    const fingerprint = this.datasetFingerprint(name) ?? MNIST_INFO.fingerprint;
    const choice = this.readChoice();
    writeJsonAtomic(
      this.activeFile,
      fingerprint === MNIST_INFO.fingerprint ? { ...choice, name } : { ...choice, datasets: { ...choice.datasets, [fingerprint]: name } },
    );
  }

  /**
   * Write (or replace) a user model from raw files: a new version folder, flushed, then one atomic rename of
   * the pointer. The previous version is removed only after the pointer has moved.
   */
  writeFiles(name: string, files: { path: string; data: Uint8Array | string }[]): void {
    validateModelName(name);
    if (this.shippedNames().includes(name)) throw new StoreError(`'${name}' is a shipped model's name; choose another`);
    const modelDir = path.join(this.modelsDir, name);
    const version = `v-${ownerTag()}`;
    const vdir = path.join(modelDir, version);
    // Another process's recover() may remove an empty model folder between the two mkdirs: make it again.
    retryOnMissing(() => {
      fs.mkdirSync(modelDir, { recursive: true });
      fs.mkdirSync(vdir);
    });
    this.step('version folder made');
    let previous: string | null = null;
    try {
      previous = damagedIsNone(() => filesDir(modelDir));
      for (const f of files) {
        const rel = path.normalize(f.path);
        if (rel.startsWith('..') || path.isAbsolute(rel)) throw new StoreError(`unsafe file path '${f.path}'`);
        fs.mkdirSync(path.dirname(path.join(vdir, rel)), { recursive: true });
        writeFileDurable(path.join(vdir, rel), f.data);
        this.step(`wrote ${rel}`);
      }
      fsyncDir(vdir);
      fsyncDir(modelDir);
      this.step('version flushed');
      writeFileAtomic(path.join(modelDir, POINTER), `${version}\n`, (s) => this.step(`pointer ${s}`));
    } catch (err) {
      if (!isPointedTo(modelDir, version)) {
        rmQuiet(vdir);
        if (previous === null) rmdirQuiet(modelDir); // a first save: leave no empty folder
      }
      throw err;
    }
    this.step('pointer flushed');
    if (previous === modelDir) {
      for (const f of LEGACY_FILES) rmQuiet(path.join(modelDir, f)); // migrated from the old layout
    } else if (previous) {
      rmQuiet(previous);
    }
    this.step('previous version removed');
  }

  /** Save a model as a new version: its files, meta.json and `extra` files (a run's history and predictions). */
  async save(name: string, model: tf.LayersModel, meta: ModelMeta, extra: { path: string; data: Uint8Array | string }[] = []): Promise<void> {
    const { modelJson, weights } = await serializeModel(model);
    this.writeFiles(name, [
      { path: 'model.json', data: modelJson },
      { path: MODEL_WEIGHTS_FILE, data: weights },
      { path: 'meta.json', data: JSON.stringify(meta, null, 2) + '\n' },
      ...extra,
    ]);
  }

  /** A file kept beside a model's meta.json (SIDE_FILES), or null when its version has none. */
  readSide(name: string, file: SideFile): Uint8Array | null {
    return retryOnMissing(() => {
      const full = path.join(this.dirOf(name).dir, file);
      return fs.existsSync(full) ? new Uint8Array(fs.readFileSync(full)) : null;
    });
  }

  /**
   * Keep side files with a user model: a new version holding the current one's files plus `files`, saved like any
   * other (so the weights are never touched and a crash leaves the old version). Returns false, writing nothing,
   * for a shipped model or one a running training job will replace.
   */
  addSideFiles(name: string, files: { path: SideFile; data: Uint8Array | string }[]): boolean {
    if (this.dirOf(name).shipped) return false;
    try {
      this.checkUnclaimed(name);
    } catch {
      return false;
    }
    const kept = this.readFiles(name).filter((f) => !files.some((n) => n.path === f.path));
    this.writeFiles(name, [...kept, ...files]);
    return true;
  }

  async load(name: string): Promise<tf.LayersModel> {
    const read = () => {
      const { dir } = this.dirOf(name);
      const jsonPath = path.join(dir, 'model.json');
      if (!fs.existsSync(jsonPath)) throw new StoreError(`model '${name}' is corrupt: model.json is missing`);
      const json = fs.readFileSync(jsonPath, 'utf8');
      const weights = new Map<string, Uint8Array>();
      for (const f of fs.readdirSync(dir)) if (!NOT_WEIGHTS.has(f)) weights.set(f, fs.readFileSync(path.join(dir, f)));
      return { json, weights };
    };
    const { json, weights } = retryOnMissing(read);
    try {
      return await deserializeModel(json, (rel) => {
        const data = weights.get(rel);
        if (!data) throw new Error(`weights file '${rel}' is missing`);
        return data;
      });
    } catch (err) {
      throw new StoreError(`model '${name}' is corrupt: ${(err as Error).message}`);
    }
  }

  /**
   * Mark `name` as the name a training job in this process will save under, until the returned function
   * is called. Other processes see the claim too; it dies with the process.
   */
  claim(name: string): () => void {
    const file = tmpName(path.join(this.modelsDir, validateModelName(name)), 'job');
    fs.writeFileSync(file, '');
    return () => rmQuiet(file);
  }

  /**
   * Reserve the name a training job saves under: `name` (validated, not a shipped model's, not claimed by a
   * running job) or, when absent, a fresh one made from `base`; then claimed (see `claim`) until `release`.
   */
  reserve(name: string | undefined, base: string): { name: string; release: () => void } {
    if (name !== undefined) {
      validateModelName(name);
      if (this.exists(name) && this.dirOf(name).shipped) throw new StoreError(`'${name}' is a shipped model's name; choose another`);
      this.checkUnclaimed(name); // another process is training under this name
    }
    const reserved = name ?? this.uniqueName(base);
    return { name: reserved, release: this.claim(reserved) };
  }

  /** Refuse to touch a name a running training job will save under. */
  checkUnclaimed(name: string): void {
    const claimed = fs.readdirSync(this.modelsDir).some((e) => {
      const m = TOP_TEMP_RE.exec(e);
      return m?.[1] === name && m[2] === 'job' && ownerAlive(m[3]);
    });
    if (claimed) throw new StoreError(`'${name}' is the name of a running training job: wait until it ends or stop it`);
  }

  rename(from: string, to: string): void {
    const src = this.dirOf(from);
    if (src.shipped) throw new StoreError(`'${from}' is a shipped model and cannot be renamed`);
    validateModelName(to);
    if (this.exists(to)) throw new StoreError(`a model named '${to}' already exists`);
    this.checkUnclaimed(from);
    this.checkUnclaimed(to);
    this.step('checked');
    try {
      // One atomic rename of the whole folder. An empty leftover folder is replaced; a non-empty one refuses.
      fs.renameSync(src.modelDir, path.join(this.modelsDir, to));
    } catch (err) {
      if (['ENOTEMPTY', 'EEXIST', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) {
        throw new StoreError(`a model named '${to}' is being saved right now`);
      }
      throw err;
    }
    fsyncDir(this.modelsDir);
    this.step('renamed');
    const choice = this.readChoice();
    if (choice.name === from || Object.values(choice.datasets ?? {}).includes(from)) {
      const datasets = Object.fromEntries(Object.entries(choice.datasets ?? {}).map(([k, v]) => [k, v === from ? to : v]));
      writeJsonAtomic(this.activeFile, { ...choice, ...(choice.name === from ? { name: to } : {}), ...(choice.datasets ? { datasets } : {}) });
    }
    this.step('active choice updated');
  }

  delete(name: string): void {
    const src = this.dirOf(name);
    if (src.shipped) throw new StoreError(`'${name}' is a shipped model and cannot be deleted`);
    this.checkUnclaimed(name);
    this.step('checked');
    // Out of sight with one rename, then removed: a crash in between leaves only trash, which recover() removes.
    const trash = tmpName(src.modelDir, 'trash');
    fs.renameSync(src.modelDir, trash);
    fsyncDir(this.modelsDir);
    this.step('moved to trash');
    rmQuiet(trash);
    this.step('trash removed');
  }

  /** All files of a model, relative paths, for export. */
  readFiles(name: string): { path: string; data: Uint8Array }[] {
    return retryOnMissing(() => {
      const { dir } = this.dirOf(name);
      return fs
        .readdirSync(dir)
        .filter((f) => f !== LEGACY_COMPLETE && fs.statSync(path.join(dir, f)).isFile())
        .map((f) => ({ path: f, data: fs.readFileSync(path.join(dir, f)) }));
    });
  }

  /** A fresh name like "fast-2026-11-25-1432" that is neither a model nor claimed by a running job. */
  uniqueName(base: string): string {
    const taken = (n: string) => {
      if (this.exists(n)) return true;
      try {
        this.checkUnclaimed(n);
        return false;
      } catch {
        return true;
      }
    };
    return uniqueName(base, taken);
  }
}
