// Comparing runs on real MNIST: two quick real trainings keep their curve and predictions; for any two models
// fixed + broken + both right + both wrong = 10 000 and every image is where the two models' predictions put it; the
// per-digit figures equal `evaluate`'s; a model saved without predictions is scored once and the result kept; bad
// input is one line; the CLI's `compare --json` gives the same counts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurveRecorder } from '../../src-main/engine/curve.js';
import { createEngine, type DigitLabEngine } from '../../src-main/engine/engine.js';
import { SIDE_FILES } from '../../src-main/engine/store.js';
import { MAX_CURVE_POINTS, parseParams } from '../../src-shared/protocol.js';
import { runCli } from '../helpers/cli.js';

let home: string;
let engine: DigitLabEngine;
const QUICK = { preset: 'fast', epochs: 1, batchSize: 64, trainSize: 2048, validationSize: 512, seed: 5 } as const;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-compare-'));
  engine = await createEngine({ backend: 'auto', home, shippedDir: path.join(home, 'none') });
  await engine.train({ ...QUICK, learningRate: 0.003, name: 'lr-high' });
  await engine.train({ ...QUICK, learningRate: 0.0005, name: 'lr-low' });
}, 300_000);

afterAll(() => {
  engine?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('compare', () => {
  it('a trained run keeps its per-batch curve and its 10 000 predicted labels', () => {
    const preds = engine.store.readSide('lr-high', SIDE_FILES.predictions);
    expect(preds?.length).toBe(10_000);
    const curve = JSON.parse(Buffer.from(engine.store.readSide('lr-high', SIDE_FILES.curve)!).toString('utf8'));
    expect(curve.loss.length).toBe(32); // 2048 / 64 batches
    expect(curve.images.at(-1)).toBe(2048);
    expect(curve.learningRate[0]).toBeCloseTo(0.003);
    expect(curve.loss.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
  });

  it("a long run's curve is thinned to at most MAX_CURVE_POINTS batches, evenly spread, with the schedule's rate", () => {
    const rec = new CurveRecorder({ batchSize: 10, learningRate: 0.01, schedule: 'cosine' }, 1000);
    const [epochs, batchesPerEpoch] = [100, 100]; // 10 000 batches
    for (let epoch = 1; epoch <= epochs; epoch++) {
      for (let batch = 1; batch <= batchesPerEpoch; batch++) {
        const step = (epoch - 1) * batchesPerEpoch + batch;
        rec.add({ epoch, epochs, batch, batchesPerEpoch, loss: step === 5 ? NaN : 1 / step, accuracy: 0.5, imagesPerSec: 100, elapsedMs: step, etaMs: 0 });
      }
    }
    const c = JSON.parse(rec.json());
    expect(c.images.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
    expect(c.images.length).toBeGreaterThanOrEqual(MAX_CURVE_POINTS / 2);
    const gaps = new Set(c.images.slice(1).map((v: number, i: number) => v - c.images[i]));
    expect([...gaps]).toEqual([c.images[1] - c.images[0]]); // one stride throughout
    expect(c.images[0]).toBe(10);
    expect(c.learningRate[0]).toBeCloseTo(0.01);
    expect(c.learningRate.at(-1)).toBeLessThan(0.001); // the cosine schedule's end
    expect(Object.values(c).every((col) => (col as unknown[]).length === c.images.length)).toBe(true);
  });

  it('fixed + broken + both = 10 000, each image where the predictions put it; per-digit figures equal evaluate', async () => {
    const diff = await engine.compare.diff({ a: 'lr-low', b: 'lr-high' });
    expect(diff.fixed.length + diff.broken.length + diff.bothRight + diff.bothWrong).toBe(10_000);
    for (const f of diff.fixed) expect(f.a !== f.label && f.b === f.label).toBe(true);
    for (const f of diff.broken) expect(f.a === f.label && f.b !== f.label).toBe(true);
    const [low, high] = await Promise.all(['lr-low', 'lr-high'].map((model) => engine.evaluate({ model })));
    expect(diff.bothRight + diff.broken.length).toBe(low.correct);
    expect(diff.bothRight + diff.fixed.length).toBe(high.correct);
    const { runs } = await engine.compare.runs({ models: ['lr-low', 'lr-high'] });
    expect(runs.map((r) => r.perClassAccuracy)).toEqual([low.perClassAccuracy, high.perClassAccuracy]);
    expect(runs.map((r) => r.confusion)).toEqual([low.confusion, high.confusion]);
    expect(runs.map((r) => r.testAccuracy)).toEqual([low.accuracy, high.accuracy]);
    expect(runs.every((r) => !r.scored && r.curve?.loss.length === 32 && r.epochs.length === 1)).toBe(true);
  }, 120_000);

  it('a model saved without predictions is scored once, with progress, and keeps them in a new version', async () => {
    const files = engine.store.readFiles('lr-low').filter((f) => !Object.values(SIDE_FILES).includes(f.path as never));
    engine.store.writeFiles('old-run', files); // as saved before this change
    expect(engine.store.readSide('old-run', SIDE_FILES.predictions)).toBeNull();
    const progress: number[] = [];
    const first = await engine.compare.runs({ models: ['old-run', 'lr-high'], onProgress: (done) => progress.push(done) });
    expect(first.runs[0].scored).toBe(true);
    expect(first.runs[0].curve).toBeNull();
    expect(first.runs[0].notes[0]).toMatch(/per-epoch curves only/);
    expect(progress.at(-1)).toBe(20_000);
    expect(engine.store.readSide('old-run', SIDE_FILES.predictions)?.length).toBe(10_000);
    const again = await engine.compare.runs({ models: ['old-run', 'lr-low'] });
    expect(again.runs[0].scored).toBe(false);
    expect(again.runs[0].perClassAccuracy).toEqual(again.runs[1].perClassAccuracy); // same weights
    const diff = await engine.compare.diff({ a: 'old-run', b: 'lr-low' });
    expect([diff.fixed.length, diff.broken.length]).toEqual([0, 0]);
  }, 120_000);

  it('an imported model (no history): accuracy, per-digit figures and fixed/broken, a note instead of curves', async () => {
    const files = engine.store.readFiles('lr-high').filter((f) => ['model.json', 'weights.bin'].includes(f.path));
    await engine.models.import({ name: 'imported-copy', files });
    expect(engine.store.readSide('imported-copy', SIDE_FILES.predictions)?.length).toBe(10_000); // scored on import
    const { runs } = await engine.compare.runs({ models: ['imported-copy', 'lr-high'] });
    expect(runs[0]).toMatchObject({ preset: 'imported', config: null, curve: null, epochs: [], scored: false });
    expect(runs[0].notes).toEqual(["'imported-copy' was imported: no training curves or hyperparameters"]);
    expect(runs[0].perClassAccuracy).toEqual(runs[1].perClassAccuracy);
    const diff = await engine.compare.diff({ a: 'imported-copy', b: 'lr-high' });
    expect(diff.fixed.length + diff.broken.length).toBe(0);
  }, 120_000);

  it('a shipped (read-only) model is scored once and its predictions kept in the home folder', async () => {
    const shippedDir = path.resolve('models');
    if (!fs.existsSync(path.join(shippedDir, 'default'))) return console.warn('no shipped default model in models/: skipped');
    const withShipped = await createEngine({ backend: 'auto', home, shippedDir });
    try {
      const first = await withShipped.compare.diff({ a: 'default', b: 'lr-high' });
      const kept = fs.readdirSync(path.join(home, 'predictions'));
      expect(kept).toEqual([expect.stringMatching(/^default-[0-9a-f]{16}\.bin$/)]);
      const evaluated = await withShipped.evaluate({ model: 'default' });
      expect(first.bothRight + first.broken.length).toBe(evaluated.correct);
      const { runs } = await withShipped.compare.runs({ models: ['default', 'lr-high'] });
      expect(runs[0].scored).toBe(false);
      expect(runs[0].perClassAccuracy).toEqual(evaluated.perClassAccuracy);
      expect(fs.existsSync(path.join(shippedDir, 'default', 'predictions.bin'))).toBe(false); // never written there
    } finally {
      withShipped.dispose();
    }
  }, 180_000);

  it('bad input: one clear line', async () => {
    await expect(engine.compare.runs({ models: ['lr-low', 'lr-low'] })).rejects.toThrow(/^'lr-low' is named twice/);
    await expect(engine.compare.runs({ models: ['lr-low', 'nope'] })).rejects.toThrow(/^no model named 'nope'$/);
    await expect(engine.compare.runs({ models: ['a', 'b', 'c', 'd', 'e', 'f'] })).rejects.toThrow(/^compare at most 5 models/);
    expect(() => parseParams('compare.diff', { a: 'x', b: 'x' })).toThrow(/compared with itself/);
    expect(() => parseParams('compare.runs', { models: ['a', 'b', 'c', 'd', 'e', 'f'] })).toThrow(/compare at most 5 models/);
  });

  it("the CLI's compare --json gives the engine's counts; the table marks what differs", async () => {
    const json = await runCli(home, 'compare', 'lr-low', 'lr-high', '--json');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    const diff = await engine.compare.diff({ a: 'lr-low', b: 'lr-high' });
    expect(out.diff).toMatchObject({ fixed: diff.fixed, broken: diff.broken, bothRight: diff.bothRight, bothWrong: diff.bothWrong, total: 10_000 });
    expect(out.diff.counts).toEqual({ fixed: diff.fixed.length, broken: diff.broken.length, bothRight: diff.bothRight, bothWrong: diff.bothWrong });
    expect(out.runs.map((r: { name: string }) => r.name)).toEqual(['lr-low', 'lr-high']);
    const text = await runCli(home, 'compare', 'lr-low', 'lr-high');
    expect(text.stdout).toMatch(/^\* Learning rate +0\.0005 +0\.003$/m);
    expect(text.stdout).toMatch(/^ {2}Batch size +64 +64$/m);
    expect(text.stdout).toContain(`fixed (lr-low wrong, lr-high right)   ${diff.fixed.length}`);
    const self = await runCli(home, 'compare', 'lr-low', 'lr-low');
    expect(self.code).toBe(1);
    expect(self.stderr.trim()).toBe("digit-lab: 'lr-low' is named twice: compare different models");
    const missing = await runCli(home, 'compare', 'lr-low', 'ghost');
    expect(missing.stderr.trim()).toBe("digit-lab: no model named 'ghost' (see 'digit-lab models')");
  }, 120_000);
});
