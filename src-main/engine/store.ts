// The model store: user models in <home>/models/<name>/ (model.json, weights.bin, meta.json) and
// read-only shipped models in the app's models/ folder. Saves are atomic directory swaps:
//   1. write everything into .<name>.tmp-XXXX/   2. move the old folder aside to .<name>.old-XXXX/
//   3. rename the temp folder into place          4. delete the old folder
// A crash between 2 and 3 leaves no <name>/ but a complete .old and .tmp; `recover()` (run on open)
// puts the newest complete copy back, so a model is never lost or left half-written.
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { uniqueName } from '../../src-shared/domain.js';
import type { ModelInfo, ModelMeta } from '../../src-shared/types.js';
import { tmpName, writeFileAtomic, writeJsonAtomic } from './fsutil.js';
import { deserializeModel, MODEL_WEIGHTS_FILE, serializeModel } from './model-io.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const COMPLETE = '.complete';

export class StoreError extends Error {}

/** Refuse anything that could escape the store's folder or clash with its bookkeeping files. */
export function validateModelName(name: string): string {
  if (typeof name !== 'string' || !NAME_RE.test(name) || name.includes('..') || name.endsWith('.') || name.endsWith(' ')) {
    throw new StoreError(
      `invalid model name '${String(name).slice(0, 80)}': use 1-64 letters, digits, space, dot, dash or underscore, starting with a letter or digit`,
    );
  }
  return name;
}

export interface StoreHooks {
  /** Called between moving the old folder aside and renaming the new one in (tests simulate a crash here). */
  beforeSwap?: () => void;
}

export class ModelStore {
  readonly modelsDir: string;
  private readonly activeFile: string;

  constructor(readonly home: string, readonly shippedDir: string | null, private readonly hooks: StoreHooks = {}) {
    this.modelsDir = path.join(home, 'models');
    this.activeFile = path.join(home, 'active.json');
    fs.mkdirSync(this.modelsDir, { recursive: true });
    this.recover();
  }

  /**
   * Finish or roll back saves interrupted by a crash; remove stale temp folders. Only folders older
   * than `minAgeMs` are touched, so a save in progress in another process (app and CLI) is left alone.
   */
  recover(minAgeMs = 60_000): void {
    const entries = fs.readdirSync(this.modelsDir);
    const now = Date.now();
    for (const e of entries) {
      const m = /^\.(.+)\.(tmp|old|trash)-[0-9a-f]{8}$/.exec(e);
      if (!m) continue;
      if (minAgeMs > 0 && now - fs.statSync(path.join(this.modelsDir, e)).mtimeMs < minAgeMs) continue;
      const [, name, kind] = m;
      const full = path.join(this.modelsDir, e);
      const final = path.join(this.modelsDir, name);
      if (!fs.existsSync(final) && kind !== 'trash') {
        // Prefer a complete new copy, else the old one.
        const tmp = entries.find((x) => x.startsWith(`.${name}.tmp-`) && fs.existsSync(path.join(this.modelsDir, x, COMPLETE)));
        const old = entries.find((x) => x.startsWith(`.${name}.old-`));
        const pick = tmp ?? old;
        if (pick && fs.existsSync(path.join(this.modelsDir, pick))) {
          fs.renameSync(path.join(this.modelsDir, pick), final);
          if (pick === e) continue;
        }
      }
      if (fs.existsSync(full)) fs.rmSync(full, { recursive: true, force: true });
    }
  }

  private userDir(name: string): string {
    return path.join(this.modelsDir, validateModelName(name));
  }

  private shippedNames(): string[] {
    if (!this.shippedDir || !fs.existsSync(this.shippedDir)) return [];
    return fs.readdirSync(this.shippedDir).filter((n) => NAME_RE.test(n) && fs.existsSync(path.join(this.shippedDir!, n, 'model.json')));
  }

  private userNames(): string[] {
    return fs.readdirSync(this.modelsDir).filter((n) => NAME_RE.test(n) && fs.statSync(path.join(this.modelsDir, n)).isDirectory());
  }

  /** Folder of a model, user models first; throws if it does not exist. */
  dirOf(name: string): { dir: string; shipped: boolean } {
    validateModelName(name);
    const user = path.join(this.modelsDir, name);
    if (fs.existsSync(user)) return { dir: user, shipped: false };
    if (this.shippedDir) {
      const shipped = path.join(this.shippedDir, name);
      if (fs.existsSync(path.join(shipped, 'model.json'))) return { dir: shipped, shipped: true };
    }
    throw new StoreError(`no model named '${name}' (see 'digit-lab models')`);
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
    const { dir } = this.dirOf(name);
    const file = path.join(dir, 'meta.json');
    if (!fs.existsSync(file)) return null;
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as ModelMeta;
    } catch {
      throw new StoreError(`model '${name}' is corrupt: meta.json is not valid JSON`);
    }
  }

  list(): ModelInfo[] {
    const active = this.activeName();
    const infos: ModelInfo[] = [];
    const add = (name: string, shipped: boolean) => {
      const info: ModelInfo = { name, shipped, active: name === active, meta: null };
      try {
        const dir = this.dirOf(name).dir;
        if (!fs.existsSync(path.join(dir, 'model.json'))) throw new StoreError('model.json is missing');
        JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
        info.meta = this.readMeta(name);
      } catch (err) {
        info.error = err instanceof SyntaxError ? 'model.json is not valid JSON' : (err as Error).message;
      }
      infos.push(info);
    };
    for (const n of this.userNames()) add(n, false);
    for (const n of this.shippedNames()) if (!infos.some((i) => i.name === n)) add(n, true);
    return infos.sort((a, b) => (b.meta?.createdAt ?? '').localeCompare(a.meta?.createdAt ?? ''));
  }

  /** The chosen model if set and present, else the most recently trained, else the shipped default. */
  activeName(): string | null {
    try {
      const { name } = JSON.parse(fs.readFileSync(this.activeFile, 'utf8')) as { name: string };
      if (this.exists(name)) return name;
    } catch {
      /* no choice recorded */
    }
    let newest: { name: string; at: string } | null = null;
    for (const n of this.userNames()) {
      let at = '';
      try {
        at = this.readMeta(n)?.createdAt ?? '';
      } catch {
        continue;
      }
      if (!newest || at > newest.at) newest = { name: n, at };
    }
    if (newest) return newest.name;
    const shipped = this.shippedNames();
    return shipped.includes('default') ? 'default' : (shipped[0] ?? null);
  }

  setActive(name: string): void {
    this.dirOf(name);
    writeJsonAtomic(this.activeFile, { name });
  }

  /** Atomically write (or replace) a user model from raw files. */
  writeFiles(name: string, files: { path: string; data: Uint8Array | string }[]): void {
    const final = this.userDir(name);
    if (this.shippedNames().includes(name)) throw new StoreError(`'${name}' is a shipped model's name; choose another`);
    const tmp = tmpName(final, 'tmp');
    fs.mkdirSync(tmp);
    try {
      for (const f of files) {
        const rel = path.normalize(f.path);
        if (rel.startsWith('..') || path.isAbsolute(rel)) throw new StoreError(`unsafe file path '${f.path}'`);
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
        writeFileAtomic(path.join(tmp, rel), f.data);
      }
      fs.writeFileSync(path.join(tmp, COMPLETE), '');
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    let old: string | null = null;
    if (fs.existsSync(final)) {
      old = tmpName(final, 'old');
      fs.renameSync(final, old);
    }
    this.hooks.beforeSwap?.();
    fs.renameSync(tmp, final);
    fs.rmSync(path.join(final, COMPLETE), { force: true });
    if (old) fs.rmSync(old, { recursive: true, force: true });
  }

  async save(name: string, model: tf.LayersModel, meta: ModelMeta): Promise<void> {
    const { modelJson, weights } = await serializeModel(model);
    this.writeFiles(name, [
      { path: 'model.json', data: modelJson },
      { path: MODEL_WEIGHTS_FILE, data: weights },
      { path: 'meta.json', data: JSON.stringify(meta, null, 2) + '\n' },
    ]);
  }

  async load(name: string): Promise<tf.LayersModel> {
    const { dir } = this.dirOf(name);
    const jsonPath = path.join(dir, 'model.json');
    if (!fs.existsSync(jsonPath)) throw new StoreError(`model '${name}' is corrupt: model.json is missing`);
    try {
      return await deserializeModel(fs.readFileSync(jsonPath, 'utf8'), (rel) => {
        const p = path.join(dir, rel);
        if (!fs.existsSync(p)) throw new Error(`weights file '${rel}' is missing`);
        return fs.readFileSync(p);
      });
    } catch (err) {
      throw new StoreError(`model '${name}' is corrupt: ${(err as Error).message}`);
    }
  }

  rename(from: string, to: string): void {
    const src = this.dirOf(from);
    if (src.shipped) throw new StoreError(`'${from}' is a shipped model and cannot be renamed`);
    validateModelName(to);
    if (this.exists(to)) throw new StoreError(`a model named '${to}' already exists`);
    fs.renameSync(src.dir, path.join(this.modelsDir, to));
    try {
      const { name } = JSON.parse(fs.readFileSync(this.activeFile, 'utf8')) as { name: string };
      if (name === from) this.setActive(to);
    } catch {
      /* no choice recorded */
    }
  }

  delete(name: string): void {
    const src = this.dirOf(name);
    if (src.shipped) throw new StoreError(`'${name}' is a shipped model and cannot be deleted`);
    const trash = tmpName(src.dir, 'trash');
    fs.renameSync(src.dir, trash);
    fs.rmSync(trash, { recursive: true, force: true });
  }

  /** All files of a model, relative paths, for export. */
  readFiles(name: string): { path: string; data: Uint8Array }[] {
    const { dir } = this.dirOf(name);
    return fs
      .readdirSync(dir)
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .map((f) => ({ path: f, data: fs.readFileSync(path.join(dir, f)) }));
  }

  /** A fresh name like "fast-2026-11-25-1432" that does not exist yet. */
  uniqueName(base: string): string {
    return uniqueName(base, (name) => this.exists(name));
  }
}
