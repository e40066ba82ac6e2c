// Model store: save/load round trip, atomic replacement with crash recovery, name validation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildModel } from '../src-main/engine/models.js';
import { ModelStore, validateModelName } from '../src-main/engine/store.js';
import type { ModelMeta } from '../src-shared/types.js';

let home: string;
beforeEach(async () => {
  await tf.setBackend('cpu');
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-store-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const meta = (name: string, testAccuracy: number | null = null): ModelMeta => ({
  name, preset: 'mlp', config: null, history: [], testAccuracy, confusion: null, backend: 'cpu', device: 'test',
  durationMs: 1, createdAt: new Date().toISOString(), params: 0,
});

async function weightsOf(model: tf.LayersModel): Promise<number[]> {
  return Array.from(await model.getWeights()[0].data());
}

describe('model store', () => {
  it('saves and loads a model with identical weights and lists it as active', async () => {
    const store = new ModelStore(home, null);
    const model = buildModel('mlp', 'adam', 0.001);
    await store.save('first', model, meta('first', 0.9));
    const loaded = await store.load('first');
    expect(await weightsOf(loaded)).toEqual(await weightsOf(model));
    const list = store.list();
    expect(list.map((m) => m.name)).toEqual(['first']);
    expect(list[0].meta?.testAccuracy).toBe(0.9);
    expect(store.activeName()).toBe('first');
    model.dispose();
    loaded.dispose();
  });

  it('keeps the old model intact when a save crashes before the swap, and recovers it', async () => {
    const a = buildModel('mlp', 'adam', 0.001);
    const b = buildModel('mlp', 'adam', 0.001);
    await new ModelStore(home, null).save('m', a, meta('m', 0.5));
    const crashing = new ModelStore(home, null, {
      beforeSwap: () => {
        throw new Error('simulated crash');
      },
    });
    await expect(crashing.save('m', b, meta('m', 0.7))).rejects.toThrow('simulated crash');
    // The crash left no 'm' folder, only the moved-aside old copy and the complete new one.
    expect(fs.existsSync(path.join(home, 'models', 'm'))).toBe(false);
    const store = new ModelStore(home, null);
    store.recover(0);
    const loaded = await store.load('m');
    // Recovery puts back the complete new copy (the save had finished writing it).
    expect(await weightsOf(loaded)).toEqual(await weightsOf(b));
    expect(fs.readdirSync(path.join(home, 'models'))).toEqual(['m']);
    [a, b, loaded].forEach((m) => m.dispose());
  });

  it('discards a half-written save and keeps the previous model', async () => {
    const a = buildModel('mlp', 'adam', 0.001);
    const store = new ModelStore(home, null);
    await store.save('m', a, meta('m'));
    // A crash while writing files: a temp folder without the completion marker.
    const partial = path.join(home, 'models', '.m.tmp-0badf00d');
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'model.json'), '{"trunc');
    store.recover(0);
    expect(fs.readdirSync(path.join(home, 'models'))).toEqual(['m']);
    const loaded = await store.load('m');
    expect(await weightsOf(loaded)).toEqual(await weightsOf(a));
    a.dispose();
    loaded.dispose();
  });

  it('refuses names that could escape the store', () => {
    for (const bad of ['../evil', '..', '/etc/passwd', 'a/b', 'a\\b', '.hidden', '', 'x'.repeat(65), 'nul\u0000']) {
      expect(() => validateModelName(bad), bad).toThrow(/invalid model name/);
    }
    expect(validateModelName('fast-2026-11-25 v2.1')).toBe('fast-2026-11-25 v2.1');
    const store = new ModelStore(home, null);
    expect(() => store.dirOf('../../etc')).toThrow(/invalid model name/);
    expect(() => store.writeFiles('ok', [{ path: '../escape.txt', data: 'x' }])).toThrow(/unsafe file path/);
    expect(fs.existsSync(path.join(home, 'escape.txt'))).toBe(false);
  });

  it('renames, deletes, and protects shipped models', async () => {
    const shipped = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-shipped-'));
    const model = buildModel('mlp', 'adam', 0.001);
    await new ModelStore(shipped + '-tmp', null).save('default', model, meta('default', 0.99));
    fs.renameSync(path.join(shipped + '-tmp', 'models', 'default'), path.join(shipped, 'default'));
    const store = new ModelStore(home, shipped);
    expect(store.activeName()).toBe('default');
    expect(() => store.delete('default')).toThrow(/shipped/);
    expect(() => store.rename('default', 'x')).toThrow(/shipped/);
    await store.save('mine', model, meta('mine'));
    expect(store.activeName()).toBe('mine');
    store.setActive('default');
    expect(store.activeName()).toBe('default');
    store.rename('mine', 'ours');
    expect(store.list().map((m) => m.name).sort()).toEqual(['default', 'ours']);
    expect(() => store.rename('ours', 'default')).toThrow(/already exists/);
    store.delete('ours');
    expect(store.list().map((m) => m.name)).toEqual(['default']);
    model.dispose();
    fs.rmSync(shipped, { recursive: true, force: true });
    fs.rmSync(shipped + '-tmp', { recursive: true, force: true });
  });

  it('reports a corrupt model folder with a clear error instead of failing the list', async () => {
    const store = new ModelStore(home, null);
    fs.mkdirSync(path.join(home, 'models', 'broken'));
    fs.writeFileSync(path.join(home, 'models', 'broken', 'model.json'), 'not json');
    const [info] = store.list();
    expect(info.name).toBe('broken');
    expect(info.error).toMatch(/not valid JSON/);
    await expect(store.load('broken')).rejects.toThrow(/model 'broken' is corrupt: model.json is not valid JSON/);
  });
});
