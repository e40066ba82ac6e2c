// The shipped default model: present, small, reproducibly described, as accurate on the full 10 000-image
// MNIST test set as its meta.json says (and at least 99.5%), and ≥ 98% on real pen-drawn digits of the
// held-out pendigits writers, drawn as the sketchpad draws them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPenDigits, PEN_HELDOUT_WRITERS } from '../../src-main/engine/data/pendigits.js';
import { renderPenDigits } from '../../src-main/engine/data/pen-render.js';
import { createEngine, type DigitLabEngine } from '../../src-main/engine/engine.js';
import { penProbs, penReport } from '../../src-main/engine/pen-eval.js';
import { PEN_FILE } from '../helpers/data.js';
import type { ModelMeta } from '../../src-shared/types.js';

const DIR = path.resolve('models/default');
const TARGET = 0.995;
const PEN_TARGET = 0.98;
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
    expect(meta.command).toMatch(/^digit-lab (--[a-z-]+ \S+ )*train /); // global flags may come first
    expect(meta.commit).toMatch(/^[0-9a-f]{40}/);
    expect(meta.backend).toBeTruthy();
    expect(meta.durationMs).toBeGreaterThan(0);
    expect(meta.history.length).toBe(meta.config?.epochs);
    expect(meta.config?.validationSize).toBeGreaterThan(0); // a held-out validation split
    // Pen digits in its training data come from tuning writers only, never the held-out ones.
    for (const w of meta.config?.penWriters ?? []) expect(PEN_HELDOUT_WRITERS).not.toContain(w);
  });

  it('is what the engine uses when the user has trained nothing', async () => {
    expect(await engine.status().then((s) => s.activeModel)).toBe('default');
    const [info] = await engine.models.list({}).then((r) => r.models);
    expect(info).toMatchObject({ name: 'default', shipped: true, active: true });
  });

  it(`reaches ≥ ${TARGET * 100}% on the full test set, exactly as meta.json records`, async () => {
    const r = await engine.evaluate({ model: 'default' });
    expect(r.count).toBe(10000);
    expect(r.accuracy).toBeGreaterThanOrEqual(TARGET);
    expect(r.accuracy).toBeCloseTo(meta.testAccuracy!, 4);
    expect(r.confusion).toEqual(meta.confusion);
  });

  it(`reads ≥ ${PEN_TARGET * 100}% of the held-out writers' pen-drawn digits`, async () => {
    const digits = loadPenDigits(PEN_FILE).filter((d) => PEN_HELDOUT_WRITERS.includes(d.writer));
    const probs = await penProbs(await renderPenDigits(digits), async (x) => (await engine.predict({ inputs: x, model: 'default' })).probs);
    const r = penReport(digits, probs);
    console.log(`default on held-out pendigits writers: ${(r.accuracy * 100).toFixed(2)}% (${r.correct}/${r.count})`);
    expect(r.count).toBe(2498);
    expect(r.accuracy).toBeGreaterThanOrEqual(PEN_TARGET);
  }, 120_000);
});
