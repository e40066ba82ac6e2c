// The shipped default model: present, small, reproducibly described, and as accurate on the full
// 10 000-image MNIST test set as its meta.json says (and at least the 99.3% target).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type DigitLabEngine } from '../src-main/engine/engine.js';
import type { ModelMeta } from '../src-shared/types.js';

const DIR = path.resolve('models/default');
const TARGET = 0.993;
let engine: DigitLabEngine;
let home: string;
let meta: ModelMeta;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-default-'));
  engine = await createEngine({ home, shippedDir: path.resolve('models') });
  meta = JSON.parse(fs.readFileSync(path.join(DIR, 'meta.json'), 'utf8')) as ModelMeta;
});
afterAll(() => {
  engine?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('shipped default model', () => {
  it('is a complete TF.js layers model of at most 5 MB with its provenance recorded', () => {
    const files = fs.readdirSync(DIR);
    expect(files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'meta.json']));
    const bytes = files.reduce((n, f) => n + fs.statSync(path.join(DIR, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(meta.command).toMatch(/^digit-lab train /);
    expect(meta.commit).toMatch(/^[0-9a-f]{40}/);
    expect(meta.backend).toBeTruthy();
    expect(meta.durationMs).toBeGreaterThan(0);
    expect(meta.history.length).toBe(meta.config?.epochs);
    expect(meta.config?.trainSize).toBe(0); // the full training set…
    expect(meta.config?.validationSize).toBeGreaterThan(0); // …less the held-out validation split
  });

  it('is what the engine uses when the user has trained nothing', async () => {
    expect(await engine.activeModel()).toBe('default');
    const [info] = await engine.listModels();
    expect(info).toMatchObject({ name: 'default', shipped: true, active: true });
  });

  it(`reaches ≥ ${TARGET * 100}% on the full test set, exactly as meta.json records`, async () => {
    const r = await engine.evaluate('default');
    expect(r.count).toBe(10000);
    expect(r.accuracy).toBeGreaterThanOrEqual(TARGET);
    expect(r.accuracy).toBeCloseTo(meta.testAccuracy!, 4);
    expect(r.confusion).toEqual(meta.confusion);
  });
});
