// Fine-tuning on the user's own examples, end to end on real MNIST: a small MLP is trained, then
// fine-tuned on a "handwriting" it has never seen (MNIST digits written transposed) mixed with MNIST
// replay. It must save a NEW model with before/after figures in its meta.json, learn the new style,
// leave the base model's files byte for byte as they were, and leak no tensors.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type DigitLabEngine } from '../../src-main/engine/engine.js';
import { loadMnist } from '../../src-main/engine/data/mnist.js';
import type { FinetuneOutcome } from '../../src-main/engine/api.js';

let home: string;
let engine: DigitLabEngine;
let result: FinetuneOutcome;
let baseHash: string;
let noReplay: FinetuneOutcome;
let tensorsBefore: number;

/** The same digit drawn transposed (mirrored across the diagonal): a consistent style MNIST lacks. */
function transposed(pixels: ArrayLike<number>): number[] {
  return Array.from({ length: 784 }, (_, i) => pixels[(i % 28) * 28 + Math.floor(i / 28)]);
}

function hashModel(dir: string): string {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(dir, f);
    h.update(f);
    if (fs.statSync(file).isFile()) h.update(fs.readFileSync(file));
  }
  return h.digest('hex');
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-finetune-'));
  engine = await createEngine({ home, shippedDir: path.join(home, 'no-shipped') });
  await engine.train({ preset: 'mlp', epochs: 1, batchSize: 64, trainSize: 4000, validationSize: 500, seed: 3, name: 'base' });
  baseHash = hashModel(path.join(home, 'models', 'base'));
  // The user's examples: 12 of each digit from the MNIST training set (test images stay for scoring), transposed.
  const { train } = loadMnist();
  const per = new Array<number>(10).fill(0);
  for (let i = 0; per.some((n) => n < 12); i++) {
    const label = train.labels[i];
    if (per[label]++ >= 12) continue;
    await engine.userSamples.add({ label, pixels: transposed(train.images.subarray(i * 784, (i + 1) * 784)), source: 'test' });
  }
  await engine.predict({ inputs: [new Array(784).fill(0)], model: 'base' }); // the engine caches the base model it checks
  tensorsBefore = tf.memory().numTensors;
  const request = { model: 'base', steps: 60, learningRate: 0.002, holdout: 0.25, testSize: 2000 };
  result = await engine.finetune(request);
  noReplay = await engine.finetune({ ...request, replay: 0, name: 'no-replay', activate: false });
}, 300_000);

afterAll(() => {
  engine?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('finetune', () => {
  it('saves a new model named after its base, records base and sample counts in meta.json, makes it active', async () => {
    expect(result).toMatchObject({ model: 'base-tuned-1', base: 'base', trained: 90, heldOut: 30, stopped: false, images: 60 * 32 });
    const meta = engine.store.readMeta('base-tuned-1')!;
    expect(meta).toMatchObject({ name: 'base-tuned-1', base: 'base', preset: 'mlp', testAccuracy: null });
    expect(meta.finetune).toMatchObject({ samples: 90, heldOut: 30, steps: 60, batchSize: 32, learningRate: 0.002, replay: 0.5, testSize: 2000 });
    expect(meta.finetune!.before).toEqual(result.before);
    expect(meta.finetune!.after).toEqual(result.after);
    expect(await engine.status().then((s) => s.activeModel)).toBe('base-tuned-1');
  });

  it('learns the new handwriting; MNIST replay keeps more of MNIST than training on the examples alone', () => {
    for (const v of [result.before.user, result.after.user, result.before.mnist, result.after.mnist]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(result.after.user! - result.before.user!).toBeGreaterThanOrEqual(0.2);
    expect(noReplay.before).toEqual(result.before);
    expect(result.after.mnist! - noReplay.after.mnist!).toBeGreaterThan(0.05);
  });

  it('leaves the base model untouched and leaks no tensors', async () => {
    expect(hashModel(path.join(home, 'models', 'base'))).toBe(baseHash);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const image = (await engine.testImages({ indices: [0] })).images[0].map((v) => v / 255);
    const [base, tuned] = [(await engine.predict({ inputs: [image], model: 'base' })).probs[0], (await engine.predict({ inputs: [image], model: 'base-tuned-1' })).probs[0]];
    expect(base).not.toEqual(tuned);
  });

  it('never overwrites: the next one is -tuned-2, a taken name or no examples are refused in one line', async () => {
    await expect(engine.finetune({ model: 'base', name: 'base' })).rejects.toThrow(/^a model named 'base' already exists: fine-tuning saves a new model$/);
    await expect(engine.finetune({ model: 'base', examples: [] })).rejects.toThrow(/^no examples to fine-tune on/);
    await expect(engine.finetune({ model: 'base', steps: 0 })).rejects.toThrow(/^fine-tune steps must be a whole number from 1 to 10000, got 0$/);
    const second = await engine.finetune({ model: 'base', steps: 2, testSize: 0, holdout: 0, activate: false });
    expect(second).toMatchObject({ model: 'base-tuned-2', heldOut: 0, before: { user: null, mnist: null }, after: { user: null, mnist: null } });
    expect(await engine.status().then((s) => s.activeModel)).toBe('base-tuned-1');
    expect(hashModel(path.join(home, 'models', 'base'))).toBe(baseHash);
  });

  it('saves nothing when stopped', async () => {
    const stop = new AbortController();
    stop.abort();
    const r = await engine.finetune({ model: 'base', steps: 5, testSize: 0 }, { signal: stop.signal });
    expect(r).toMatchObject({ model: '', base: 'base', stopped: true });
    expect(engine.store.exists('base-tuned-3')).toBe(false);
  });
});
