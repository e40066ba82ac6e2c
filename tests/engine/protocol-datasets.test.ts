// datasets.* over the protocol, through the relay to a real engine process: the list (MNIST shipped, Fashion-MNIST when
// installed), adding an image folder (progress events with the request's jobId, the per-class counts, the skipped
// files, remembered in datasets.json), a bad folder refused in one line with nothing written, a `train` request naming
// the folder (its model records the dataset and is its active model; the digit model stays active), the Gallery's and
// Mistakes' requests on that model answered with its class names, and compare refusing runs of two datasets.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../src-shared/protocol.js';
import { SHAPES, writeShapesFolder } from '../helpers/image-folder.js';
import { engineOverRelay, type EngineOverRelay } from '../helpers/protocol.js';

describe('datasets over the protocol', () => {
  let engine: EngineOverRelay;
  const home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-datasets-protocol-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-datasets-folders-'));
  const folder = path.join(work, 'shapes');
  const call = (method: string, params: unknown) => engine.call(method, params);
  const homeHash = () => {
    const hash = createHash('sha256');
    for (const f of (readdirSync(home, { recursive: true, encoding: 'utf8' }) as string[]).sort()) {
      hash.update(f);
      if (statSync(path.join(home, f)).isFile()) hash.update(readFileSync(path.join(home, f)));
    }
    return hash.digest('hex');
  };

  beforeAll(() => {
    writeShapesFolder(folder);
    engine = engineOverRelay({ DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' });
  });
  afterAll(() => {
    engine?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('lists MNIST (and Fashion-MNIST where installed); refuses a bad folder in one line, writing nothing', async () => {
    const r = await call('datasets.list', {});
    expect(r.ok, r.error).toBe(true);
    const { datasets, current } = methods['datasets.list'].result.parse(r.result);
    expect(datasets[0]).toMatchObject({ name: 'MNIST', source: 'shipped', train: 60000, test: 10000, dir: current });
    expect(datasets[0].classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(datasets.some((d) => d.name === 'Fashion-MNIST')).toBe(existsSync('/usr/share/datasets/fashion-mnist'));
    const before = homeHash();
    const flat = path.join(work, 'flat');
    mkdirSync(flat);
    writeFileSync(path.join(flat, 'a.png'), 'x');
    for (const [dir, message] of [[flat, /flat: no class sub-folders/], [path.join(work, 'none'), /none: data folder not found$/]] as const) {
      const bad = await call('datasets.add', { dir });
      expect(bad.ok).toBe(false);
      expect(bad.error).toMatch(message);
      expect(bad.error).not.toContain('\n');
    }
    const train = await call('train', { data: flat, epochs: 1 });
    expect(train.ok).toBe(false);
    expect(train.error).toMatch(/flat: no class sub-folders/);
    expect(homeHash()).toBe(before);
  });

  it('adds an image folder with progress, counts and skipped files, and remembers it', async () => {
    const r = await call('datasets.add', { dir: folder, jobId: 'add-1' });
    expect(r.ok, r.error).toBe(true);
    const { dataset, report } = methods['datasets.add'].result.parse(r.result);
    expect(dataset).toMatchObject({ name: 'shapes', kind: 'images', classes: [...SHAPES], train: 30, test: 6, source: 'user', dir: folder });
    expect(report.counts).toEqual(SHAPES.map((c) => ({ class: c, train: 10, test: 2 })));
    expect(report.skipped.map((s) => s.file).sort()).toEqual(['bar/broken.png', 'circle/notes.txt', 'cross/tiny.png']);
    const events = engine.events('evalProgress').filter((e) => e?.jobId === 'add-1');
    expect(events.at(-1)).toMatchObject({ done: 39, total: 39 });
    const list = methods['datasets.list'].result.parse((await call('datasets.list', {})).result).datasets;
    expect(list.find((d) => d.dir === folder)?.source).toBe('user');
    expect(JSON.parse(readFileSync(path.join(home, 'datasets.json'), 'utf8')).folders).toHaveLength(1);
  });

  it('trains on the folder by request; its model answers with its class names and is the active model of its dataset only', async () => {
    const r = await call('train', { data: folder, preset: 'fast', epochs: 12, batchSize: 8, name: 'shapes-model' });
    expect(r.ok, r.error).toBe(true);
    const { jobId, config } = methods.train.result.parse(r.result);
    expect(config).toMatchObject({ data: folder, validationSize: 6 });
    let done: { result: { model: string; activated?: boolean } } | undefined;
    for (let i = 0; i < 4800 && !done; i++) {
      done = engine.events('done').find((e) => e?.jobId === jobId);
      if (!done) await new Promise((res) => setTimeout(res, 50));
    }
    expect(done?.result).toMatchObject({ model: 'shapes-model', activated: true });
    const status = methods.status.result.parse((await call('status', {})).result);
    expect(status.activeModel).toBe('default'); // the digit model
    const models = methods['models.list'].result.parse((await call('models.list', {})).result).models;
    expect(models.filter((m) => m.active).map((m) => m.name).sort()).toEqual(['default', 'shapes-model']);
    expect(models.find((m) => m.name === 'shapes-model')?.meta?.trainedOn).toMatchObject({ name: 'shapes', classes: [...SHAPES] });
    const samples = methods.samples.result.parse((await call('samples', { model: 'shapes-model', n: 10, seed: 1 })).result);
    expect(samples).toMatchObject({ dataset: 'shapes', classes: [...SHAPES] });
    expect(samples.samples).toHaveLength(6);
    expect(samples.samples.every((s) => s.probs.length === 3)).toBe(true);
    const ev = methods.evaluate.result.parse((await call('evaluate', { model: 'shapes-model' })).result);
    expect(ev.confusion).toHaveLength(3);
    expect(ev.count).toBe(6);
    const images = methods.testImages.result.parse((await call('testImages', { indices: [0, 5], model: 'shapes-model' })).result).images;
    expect(images).toHaveLength(2);
    const cmp = await call('compare.runs', { models: ['default', 'shapes-model'] });
    expect(cmp.ok).toBe(false);
    expect(cmp.error).toMatch(/^compare runs of one dataset: 'default' was trained on MNIST, 'shapes-model' on shapes$/);
  }, 240_000);
});
