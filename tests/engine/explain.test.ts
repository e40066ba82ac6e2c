// Why this answer (engine): on a constructed model that reads one 6×6 region only, both methods put their mass in
// that region; on the shipped default model the gradient map adds up to the probability gained from a black image
// (integrated gradients' completeness), another class is explained when asked, inputScale is honoured, no tensor is
// left behind, and bad requests fail in one line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type DigitLabEngine } from '../../src-main/engine/engine.js';
import { explain } from '../../src-main/engine/explain.js';
import { AGAINST_COLOUR, FOR_COLOUR, attributionRgba } from '../../src-shared/attribution.js';
import { mulberry32 } from '../../src-shared/random.js';
import { CLASSES, IMAGE_SIDE, PIXELS } from '../../src-shared/domain.js';
import { EXPLAIN_METHODS } from '../../src-shared/types.js';

let home: string;
let engine: DigitLabEngine;
/** Test images 0-4 as 0-1 floats. */
let digits: number[][];

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-explain-'));
  engine = await createEngine({ home, shippedDir: path.resolve('models') });
  digits = (await engine.testImages({ indices: [0, 1, 2, 3, 4] })).images.map((img) => img.map((v) => v / 255));
});
afterAll(() => {
  engine?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

/** The known region: rows 11-16, columns 9-14 (not on any even grid). */
const inRegion = (i: number) => {
  const y = Math.floor(i / IMAGE_SIDE);
  const x = i % IMAGE_SIDE;
  return y >= 11 && y < 17 && x >= 9 && x < 15;
};

/** Flatten → dense softmax whose weights are zero outside the region: the output depends on those 36 pixels only. */
function regionModel(weightScale = 1): tf.LayersModel {
  const rng = mulberry32(7);
  const kernel = new Float32Array(PIXELS * CLASSES);
  for (let i = 0; i < PIXELS; i++) {
    if (inRegion(i)) for (let c = 0; c < CLASSES; c++) kernel[i * CLASSES + c] = ((rng() - 0.5) * 4) / weightScale;
  }
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [IMAGE_SIDE, IMAGE_SIDE, 1] }), tf.layers.dense({ units: CLASSES, activation: 'softmax' })],
  });
  model.layers[1].setWeights([tf.tensor2d(kernel, [PIXELS, CLASSES]), tf.zeros([CLASSES])]);
  return model;
}

/** Share of the map's |mass| inside the region. */
function regionShare(map: ArrayLike<number>): number {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < PIXELS; i++) {
    total += Math.abs(map[i]);
    if (inRegion(i)) inside += Math.abs(map[i]);
  }
  return inside / total;
}

describe('explain on a model that reads one region only', () => {
  const model = regionModel();
  const rng = mulberry32(3);
  const noise = Array.from({ length: PIXELS }, () => 0.2 + 0.8 * rng()); // ink everywhere, so nothing is zero by default
  afterAll(() => model.dispose());

  for (const method of EXPLAIN_METHODS) {
    it(`${method}: ≥ 90% of the map's mass lies in the region, for the predicted class and for another`, async () => {
      const predicted = await explain(model, noise, { method });
      expect(regionShare(predicted.map)).toBeGreaterThanOrEqual(0.9);
      const other = await explain(model, noise, { method, class: (predicted.class + 3) % CLASSES });
      expect(other.class).toBe((predicted.class + 3) % CLASSES);
      expect(regionShare(other.map)).toBeGreaterThanOrEqual(0.9);
      // A real digit too: the one of the five with the most ink in the region.
      const ink = (d: number[]) => d.reduce((a, v, i) => a + (inRegion(i) ? v : 0), 0);
      const crossing = digits.reduce((best, d) => (ink(d) > ink(best) ? d : best));
      expect(ink(crossing)).toBeGreaterThan(3);
      const digit = await explain(model, crossing, { method });
      expect(regionShare(digit.map)).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('honours inputScale: a model fed 0-255 gives the map of the same model with its weights scaled to take 0-1', async () => {
    const fed255 = regionModel(255);
    try {
      for (const method of EXPLAIN_METHODS) {
        const a = await explain(model, noise, { method });
        const b = await explain(fed255, noise, { method, inputScale: 255 });
        expect(b.probability).toBeCloseTo(a.probability, 5);
        const scale = Math.max(...Array.from(a.map, Math.abs));
        b.map.forEach((v, i) => expect(Math.abs(v - a.map[i])).toBeLessThan(1e-3 * scale));
      }
    } finally {
      fed255.dispose();
    }
  });
});

describe('the map drawn over its digit', () => {
  it('is red where the map is evidence for, blue where against, the digit in grey elsewhere', () => {
    const pixels = new Array<number>(PIXELS).fill(0);
    pixels[2] = 255;
    const map = new Array<number>(PIXELS).fill(0);
    map[0] = 1;
    map[1] = -1;
    const rgba = attributionRgba(pixels, map);
    expect(Array.from(rgba.subarray(0, 3))).toEqual([...FOR_COLOUR]);
    expect(Array.from(rgba.subarray(4, 7))).toEqual([...AGAINST_COLOUR]);
    const [r, g, b] = rgba.subarray(8, 11);
    expect(r === g && g === b && r > rgba[12]).toBe(true); // ink: a lighter grey than the background
  });
});

describe('explain on the shipped default model', () => {
  it('gradient: the map sums to the probability gained over a black image (completeness), zero on black pixels', async () => {
    const black = await engine.predict({ inputs: [new Float32Array(PIXELS)] });
    for (const image of digits.slice(0, 3)) {
      const r = await engine.explain({ pixels: image, method: 'gradient' });
      expect(r.model).toBe('default');
      const sum = r.map.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - (r.probability - black.probs[0][r.class]))).toBeLessThan(0.15);
      image.forEach((v, i) => {
        if (v === 0) expect(Math.abs(r.map[i])).toBe(0);
      });
    }
  });

  it('occlusion: each value is the drop of the class probability when that pixel is set to black', async () => {
    const image = digits[1];
    const r = await engine.explain({ pixels: image, method: 'occlusion', class: 3 });
    expect(r.class).toBe(3);
    const top = r.map.reduce((best, v, i) => (Math.abs(v) > Math.abs(r.map[best]) ? i : best), 0);
    const occluded = image.slice();
    occluded[top] = 0;
    const after = (await engine.predict({ inputs: [occluded] })).probs[0][3];
    expect(r.map[top]).toBeCloseTo(r.probability - after, 5);
    expect(r.probs[3]).toBeCloseTo(r.probability, 6);
  });

  it('leaves no tensor behind, for either method', async () => {
    await engine.explain({ pixels: digits[2], method: 'gradient' }); // the model is loaded and its graph warmed up
    await engine.explain({ pixels: digits[2], method: 'occlusion' });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      for (const method of EXPLAIN_METHODS) await engine.explain({ pixels: digits[i], method, class: i });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad requests in one line: wrong size, class outside 0-9, unknown method, unknown model', async () => {
    const bad: [Parameters<DigitLabEngine['explain']>[0], RegExp][] = [
      [{ pixels: new Float32Array(100), method: 'gradient' }, /^the image has 100 values, expected 784 \(28×28\)$/],
      [{ pixels: digits[0], method: 'gradient', class: 10 }, /^class must be an integer from 0 to 9, got 10$/],
      [{ pixels: digits[0], method: 'gradient', class: -1 }, /^class must be an integer from 0 to 9, got -1$/],
      [{ pixels: digits[0], method: 'saliency' as 'gradient' }, /^unknown method "saliency": expected gradient or occlusion$/],
      [{ pixels: digits[0], method: 'occlusion', model: 'nope' }, /^no model named 'nope'/],
    ];
    for (const [params, message] of bad) {
      const err = await engine.explain(params).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(message);
      expect(err?.message).not.toContain('\n');
    }
  });
});
