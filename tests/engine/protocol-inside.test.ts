// The inside view and your handwriting over the protocol, through the relay to a real engine process: `activations` (one base64 Float32Array
// with each layer's place in it; the last layer is the softmax `predict` returns), `userSamples.add|list|remove`,
// and `finetune` as a background job of the trainer (batch events, `finetuneDone`, a new model, status kind).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STROKE_POINTS, methods } from '../../src-shared/protocol.js';
import { engineOverRelay, type EngineOverRelay } from '../helpers/protocol.js';

describe('inside view and fine-tune over the protocol', () => {
  let engine: EngineOverRelay;
  let home: string;
  let model = '';

  /** One request; resolves with the response (ok or not). */
  const call = (method: string, params: unknown) => engine.call(method, params);
  const event = async (name: string, jobId: string) => {
    for (let i = 0; i < 2400; i++) {
      const e = engine.events(name).find((data) => data.jobId === jobId);
      if (e) return e;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`no ${name} event`);
  };

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-inside-protocol-'));
    engine = engineOverRelay({ DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' }, 120_000);
    const { result } = await call('train', { preset: 'fast', epochs: 1, trainSize: 2048, validationSize: 0, batchSize: 64, name: 'tiny-cnn' });
    model = (await event('done', result.jobId)).result.model;
    // A small run does not beat the shipped default, so it is not made active by itself: choose it, as a user would.
    expect((await call('models.setActive', { name: model })).ok).toBe(true);
  }, 240_000);
  afterAll(() => {
    engine?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('activations: every layer in one base64 buffer; the last layer is the softmax predict returns', async () => {
    const image = (await call('testImages', { indices: [0] })).result.images[0];
    const r = await call('activations', { pixels: image });
    expect(r.ok).toBe(true);
    const a = methods.activations.result.parse(r.result);
    expect(a.model).toBe(model);
    const floats = new Float32Array(new Uint8Array(Buffer.from(a.base64, 'base64')).buffer);
    expect(a.layers.reduce((n, l) => n + l.length, 0)).toBe(floats.length);
    for (const l of a.layers) expect(l.length).toBe(l.shape.reduce((x, y) => x * y, 1));
    expect(a.layers.map((l) => l.className)).toEqual(['Input', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']); // trained without dropout (the default)
    expect(a.layers[0].shape).toEqual([28, 28, 1]);
    expect(Array.from(floats.subarray(0, 784), (v) => Math.round(v * 255))).toEqual(image);
    const last = a.layers.at(-1)!;
    const softmax = Array.from(floats.subarray(last.offset, last.offset + last.length));
    const { probs } = (await call('predict', { inputs: [image] })).result;
    softmax.forEach((p, i) => expect(p).toBeCloseTo(probs[0][i], 5));
    // The first conv layer's kernel: [kh, kw, 1, filters].
    const kernel = new Float32Array(new Uint8Array(Buffer.from(a.filters!.base64, 'base64')).buffer);
    expect(a.filters!.shape.slice(2)).toEqual([1, a.layers[1].shape[2]]);
    expect(kernel.length).toBe(a.filters!.shape.reduce((x, y) => x * y, 1));
  });

  it('userSamples: add, list, remove; a bad id is a one-line error', async () => {
    const images = (await call('testImages', { indices: [0, 1, 2, 3, 4, 5] })).result.images as number[][];
    const labels = [7, 2, 1, 0, 4, 1]; // the MNIST test set's first six labels
    const ids: string[] = [];
    for (const [i, pixels] of images.entries()) {
      const r = await call('userSamples.add', { label: labels[i], pixels, strokes: [[{ x: 0.5, y: 0.2 }, { x: 0.5, y: 0.8 }]] });
      expect(r.ok).toBe(true);
      expect(r.result).toMatchObject({ label: labels[i], source: 'sketchpad', strokes: [[{ x: 0.5, y: 0.2 }, { x: 0.5, y: 0.8 }]] });
      ids.push(r.result.id);
    }
    expect((await call('userSamples.list', {})).result.samples.map((s: any) => s.id).sort()).toEqual([...ids].sort());
    expect((await call('userSamples.remove', { id: ids[5] })).result).toEqual({ removed: ids[5] });
    expect((await call('userSamples.list', {})).result.samples).toHaveLength(5);
    const bad = await call('userSamples.remove', { id: '../models' });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/invalid sample id/);
    expect((await call('userSamples.add', { label: 10, pixels: images[0] })).error).toMatch(/^invalid params for userSamples\.add: label/);
    // The protocol's limits are the engine's: two strokes of MAX_STROKE_POINTS points each are one accepted drawing.
    const long = Array.from({ length: MAX_STROKE_POINTS }, (_, i) => ({ x: 0.2 + (0.6 * i) / MAX_STROKE_POINTS, y: 0.5 }));
    const drawn = await call('userSamples.add', { label: 1, pixels: images[2], strokes: [long, long] });
    expect(drawn.ok, drawn.error).toBe(true);
    expect(drawn.result.strokes.map((s: unknown[]) => s.length)).toEqual([MAX_STROKE_POINTS, MAX_STROKE_POINTS]);
    expect((await call('userSamples.remove', { id: drawn.result.id })).ok).toBe(true);
    const over = await call('userSamples.add', { label: 1, pixels: images[2], strokes: [[...long, { x: 0.5, y: 0.5 }]] });
    expect(over.error).toMatch(/^invalid params for userSamples\.add: strokes\.0: /);
  });

  it('finetune: a background job with batch events that saves a new model and never touches the base', async () => {
    const before = (await call('models.list', {})).result.models.find((m: any) => m.name === model);
    const started = await call('finetune', { steps: 6, testSize: 500 });
    expect(started.ok).toBe(true);
    const jobId = started.result.jobId;
    expect((await call('train', {})).error).toMatch(/already in progress/);
    const { result } = await event('finetuneDone', jobId);
    expect(result).toMatchObject({ model: `${model}-tuned-1`, base: model, steps: 6, trained: 5, heldOut: 0, stopped: false });
    for (const s of [result.before, result.after]) expect(s.user).toBeNull(); // one example of each digit: none can be held out
    // The tiny CNN (32 steps on 2 048 images) scored 91.8-93.0% on the full test set in 5 runs of the same training
    // through the CLI (an untrained one: about 10%); 0.8 leaves room for the 500-image sample and the unseeded
    // initialisation. 6 fine-tune steps at a small rate with MNIST replay keep it (within 3 points).
    console.log(`tiny CNN on 500 MNIST test images: ${result.before.mnist} before the fine-tune, ${result.after.mnist} after`);
    expect(result.before.mnist).toBeGreaterThan(0.8);
    expect(result.after.mnist).toBeGreaterThanOrEqual(result.before.mnist - 0.03);
    expect(engine.events('batch').filter((data) => data.jobId === jobId)).toHaveLength(6);
    const status = (await call('status', {})).result;
    expect(status.job).toMatchObject({ id: jobId, kind: 'finetune', state: 'done' });
    expect(status.activeModel).toBe(result.model);
    const list = (await call('models.list', {})).result.models;
    expect(list.find((m: any) => m.name === result.model).meta.base).toBe(model);
    expect(list.find((m: any) => m.name === model).meta).toEqual(before.meta);
  });
});
