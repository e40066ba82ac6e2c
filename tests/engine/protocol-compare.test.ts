// compare.* over the protocol, through the relay to a real engine process: the shipped default (saved without its
// predictions) is scored once, with `evalProgress` events carrying the request's jobId, and not again; results cross
// the wire (NaN metrics as null and back); bad input is refused with one line, by the schema or the engine.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods } from '../../src-shared/protocol.js';
import { ROOT } from '../helpers/browser.js';
import { engineOverRelay, type EngineOverRelay } from '../helpers/protocol.js';

const shippedDefault = path.join(process.env.DIGIT_LAB_MODELS ?? path.join(ROOT, 'models'), 'default/model.json');
if (!existsSync(shippedDefault)) throw new Error(`${shippedDefault} missing: the shipped default model is part of the checkout`);

describe('compare over the protocol', () => {
  let engine: EngineOverRelay;
  let home: string;
  const call = (method: string, params: unknown) => engine.call(method, params);
  const progress = (jobId: string) => engine.events('evalProgress').filter((e) => e?.jobId === jobId);

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-compare-protocol-'));
    engine = engineOverRelay({ DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' }, 120_000);
    const { result } = await call('train', { preset: 'mlp', epochs: 1, trainSize: 2048, validationSize: 0, batchSize: 64, name: 'tiny-mlp' });
    const { jobId } = methods.train.result.parse(result);
    for (let i = 0; i < 2400 && !engine.events('done').some((e) => e?.jobId === jobId); i++) {
      await new Promise((res) => setTimeout(res, 50));
    }
  }, 240_000);
  afterAll(() => {
    engine?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('scores the shipped default once (progress with the jobId), then reads its kept predictions', async () => {
    const first = await call('compare.runs', { models: ['default', 'tiny-mlp'], jobId: 'cmp-1' });
    expect(first.ok, first.error).toBe(true);
    const runs = methods['compare.runs'].result.parse(first.result).runs;
    expect(runs.map((r) => [r.name, r.scored])).toEqual([['default', true], ['tiny-mlp', false]]);
    expect(Number.isNaN(runs[1].epochs[0].valAccuracy)).toBe(true); // no validation images: null on the wire, NaN back
    // The curve travels as base64 Float32Arrays, one a column: 32 batches of 64 images.
    const column = (b64: string | undefined) => new Float32Array(new Uint8Array(Buffer.from(b64 ?? '', 'base64')).buffer);
    expect(column(runs[1].curve?.loss)).toHaveLength(32);
    expect(column(runs[1].curve?.images).at(-1)).toBe(2048);
    expect([...column(runs[1].curve?.loss)].every(Number.isFinite)).toBe(true);
    const events = progress('cmp-1');
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toEqual({ jobId: 'cmp-1', done: 20_000, total: 20_000 });
    const again = await call('compare.runs', { models: ['tiny-mlp', 'default'], jobId: 'cmp-2' });
    const later = methods['compare.runs'].result.parse(again.result).runs;
    expect(later.map((r) => r.scored)).toEqual([false, false]);
    expect(later[1].perClassAccuracy).toEqual(runs[0].perClassAccuracy);
    const d = methods['compare.diff'].result.parse((await call('compare.diff', { a: 'tiny-mlp', b: 'default' })).result);
    expect(d.fixed.length + d.broken.length + d.bothRight + d.bothWrong).toBe(10_000);
  }, 240_000);

  it('bad input: one line from the schema or the engine', async () => {
    const self = await call('compare.diff', { a: 'default', b: 'default' });
    expect(self).toMatchObject({ ok: false, error: 'invalid params for compare.diff: (root): a model compared with itself: pick two different models' });
    const six = await call('compare.runs', { models: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(six.error).toBe('invalid params for compare.runs: models: compare at most 5 models');
    const twice = await call('compare.runs', { models: ['default', 'default'] });
    expect(twice.error).toMatch(/models: a model is named twice/);
    const ghost = await call('compare.runs', { models: ['default', 'ghost'] });
    expect(ghost.error).toBe("no model named 'ghost'");
  });
});
