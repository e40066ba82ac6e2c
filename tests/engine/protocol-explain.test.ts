// `explain` over the protocol, through the relay to a real engine process with the shipped default model: a map of
// 784 signed values for the predicted class or a chosen one, and one-line refusals of bad requests (the schema's for a
// wrong-size image, a class outside 0-9 and an unknown method; the engine's for an unknown model), after which the
// same engine still predicts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/browser.js';
import { engineOverRelay, type EngineOverRelay } from '../helpers/protocol.js';

describe('explain over the protocol', () => {
  let engine: EngineOverRelay;
  let home: string;
  let digit: number[];

  const call = (method: string, params: unknown) => engine.call(method, params);

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-explain-protocol-'));
    engine = engineOverRelay({ DIGIT_LAB_HOME: home, DIGIT_LAB_MODELS: path.join(ROOT, 'models') }, 30_000);
    digit = (await call('testImages', { indices: [0] })).result.images[0];
  }, 60_000);
  afterAll(() => {
    engine?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('answers with the predicted class by default and any class asked for, for both methods', async () => {
    for (const method of ['gradient', 'occlusion']) {
      const r = await call('explain', { pixels: digit, method });
      expect(r.ok, r.error).toBe(true);
      expect(r.result).toMatchObject({ model: 'default', class: 7, predicted: 7, method });
      expect(r.result.map).toHaveLength(784);
      expect(r.result.probability).toBeGreaterThan(0.9);
      expect(r.result.map.some((v: number) => v > 0)).toBe(true);
      const other = await call('explain', { pixels: digit, method, class: 1 });
      expect(other.result).toMatchObject({ class: 1, predicted: 7 });
      expect(other.result.probability).toBeCloseTo(other.result.probs[1], 6);
      expect(other.result.map).not.toEqual(r.result.map);
    }
    // The method defaults to the gradient.
    expect((await call('explain', { pixels: digit })).result.method).toBe('gradient');
  });

  it('refuses bad requests in one line, and the engine keeps predicting', async () => {
    const refusals: [unknown, RegExp][] = [
      [{ pixels: digit.slice(0, 700) }, /^invalid params for explain: pixels: .*784/],
      [{ pixels: digit, class: 10 }, /^invalid params for explain: class: /],
      [{ pixels: digit, class: 2.5 }, /^invalid params for explain: class: /],
      [{ pixels: digit, method: 'saliency' }, /^invalid params for explain: method: .*gradient.*occlusion/],
      [{ pixels: digit, model: 'nope' }, /^no model named 'nope'/],
    ];
    for (const [params, message] of refusals) {
      const r = await call('explain', params);
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(message);
      expect(r.error).not.toContain('\n');
    }
    const p = await call('predict', { inputs: [digit] });
    expect(p.ok).toBe(true);
    expect(p.result.probs[0][7]).toBeGreaterThan(0.9);
  });
});
