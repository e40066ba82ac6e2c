// Model store: save/load round trip, atomic replacement, clean-up of dead writers' leftovers, name validation and
// claims (crashes of real processes: store-crash.test.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildModel } from '../../src-main/engine/models.js';
import { ModelStore, validateModelName } from '../../src-main/engine/store.js';
import type { ModelMeta } from '../../src-shared/types.js';

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

  it('keeps the old model when a save fails before its pointer moves, and shows the new one once it has', async () => {
    const a = buildModel('mlp', 'adam', 0.001);
    const b = buildModel('mlp', 'adam', 0.001);
    await new ModelStore(home, null).save('m', a, meta('m', 0.5));
    const failAt = (at: string) =>
      new ModelStore(home, null, {
        step: (label) => {
          if (label === at) throw new Error(`failed after '${label}'`);
        },
      });
    await expect(failAt('version flushed').save('m', b, meta('m', 0.7))).rejects.toThrow('failed');
    let loaded = await new ModelStore(home, null).load('m');
    expect(await weightsOf(loaded)).toEqual(await weightsOf(a));
    loaded.dispose();
    await expect(failAt('pointer renamed').save('m', b, meta('m', 0.7))).rejects.toThrow('failed');
    loaded = await new ModelStore(home, null).load('m');
    expect(await weightsOf(loaded)).toEqual(await weightsOf(b));
    // The superseded version stays until no live process could be writing it (it carries this process's pid).
    expect(fs.readdirSync(path.join(home, 'models', 'm')).filter((e) => e.startsWith('v-'))).toHaveLength(2);
    [a, b, loaded].forEach((m) => m.dispose());
  });

  it("removes a dead writer's half-written version on open and keeps the model", async () => {
    const a = buildModel('mlp', 'adam', 0.001);
    const store = new ModelStore(home, null);
    await store.save('m', a, meta('m'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
    const partial = path.join(home, 'models', 'm', `v-${dead}-0badf00d`);
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'model.json'), '{"trunc');
    const live = path.join(home, 'models', 'm', `v-${process.pid}-0000beef`); // a live writer's: kept
    fs.mkdirSync(live);
    new ModelStore(home, null);
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    const loaded = await store.load('m');
    expect(await weightsOf(loaded)).toEqual(await weightsOf(a));
    a.dispose();
    loaded.dispose();
  });

  it('refuses to rename or delete onto a name a running job claims, also from another store instance', async () => {
    const model = buildModel('mlp', 'adam', 0.001);
    const store = new ModelStore(home, null);
    await store.save('keep', model, meta('keep'));
    const release = store.claim('exp');
    const other = new ModelStore(home, null); // as the CLI would, beside the app
    expect(() => other.rename('keep', 'exp')).toThrow(/'exp' is the name of a running training job/);
    expect(other.uniqueName('exp')).toBe('exp-2');
    const releaseKeep = store.claim('keep');
    expect(() => other.delete('keep')).toThrow(/running training job/);
    expect(() => other.rename('keep', 'other')).toThrow(/running training job/);
    release();
    releaseKeep();
    other.rename('keep', 'exp');
    expect(other.list().map((m) => m.name)).toEqual(['exp']);
    model.dispose();
  });

  it('refuses names that could escape the store', () => {
    for (const bad of ['../evil', '..', '/etc/passwd', 'a/b', 'a\\b', '.hidden', '', 'x'.repeat(65), 'nul\u0000', 'a.', 'a ', 'a..b']) {
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

  it("parses meta.json with the protocol's schema: an invalid one is the model's one-line error; old files still read", async () => {
    const store = new ModelStore(home, null);
    const model = buildModel('mlp', 'adam', 0.001);
    const config = {
      preset: 'mlp', epochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam', trainSize: 0, validationSize: 0, seed: 1,
    } as const;
    await store.save('old', model, { ...meta('old'), config: { ...config, augment: 'off' } });
    await store.save('bad', model, meta('bad'));
    model.dispose();
    const metaFile = (name: string) => path.join(store.dirOf(name).dir, 'meta.json');
    // Written before `augment` was one enum: true / false read as 'affine' / 'off'.
    const old = JSON.parse(fs.readFileSync(metaFile('old'), 'utf8'));
    fs.writeFileSync(metaFile('old'), JSON.stringify({ ...old, config: { ...old.config, augment: true } }));
    expect(store.readMeta('old')?.config?.augment).toBe('affine');
    fs.writeFileSync(metaFile('old'), JSON.stringify({ ...old, config: { ...old.config, augment: false } }));
    expect(store.readMeta('old')?.config?.augment).toBe('off');
    // A field of the wrong type: not cast through, but refused in one line.
    fs.writeFileSync(metaFile('bad'), JSON.stringify({ ...meta('bad'), testAccuracy: 'high' }));
    const info = store.list().find((m) => m.name === 'bad')!;
    expect(info.meta).toBeNull();
    expect(info.error).toMatch(/^model 'bad' is corrupt: meta\.json: testAccuracy: [^\n]+$/);
    expect(() => store.readMeta('bad')).toThrow(/is corrupt: meta\.json: testAccuracy/);
  });
});
