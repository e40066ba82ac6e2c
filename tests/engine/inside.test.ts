// The inside view's engine call and the user's sample store: every layer's output for one real MNIST
// image with the shapes the model declares (each preset, the shipped model, a functional model),
// no leaked tensors; samples added, listed, read and removed atomically; bad input refused in one line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activations } from '../../src-main/engine/activations.js';
import { createEngine, type DigitLabEngine } from '../../src-main/engine/engine.js';
import { argmax } from '../../src-shared/domain.js';
import { buildModel } from '../../src-main/engine/models.js';
import { SampleStore } from '../../src-main/engine/user-samples.js';
import { MAX_STROKE_POINTS, MAX_STROKES } from '../../src-shared/protocol.js';
import { PRESETS } from '../../src-shared/types.js';
import { runCli } from '../helpers/cli.js';
import { PEN_FILE as PENDIGITS } from '../helpers/data.js';

let home: string;
let engine: DigitLabEngine;
let image: number[];
/** The first five test images, 0-255. */
let digits: number[][];
let label: number;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-inside-'));
  engine = await createEngine({ home, shippedDir: path.resolve('models') });
  digits = (await engine.testImages({ indices: [0, 1, 2, 3, 4] })).images;
  image = digits[0].map((v) => v / 255);
  label = engine.testLabels([0])[0];
});

afterAll(() => {
  engine?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

/** Each returned layer against the model's own declared output shapes, in order. */
function expectShapesMatch(model: tf.LayersModel, result: Awaited<ReturnType<typeof activations>>) {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  expect(result.layers[0]).toMatchObject({ name: 'input', shape: [28, 28, 1] });
  expect(result.layers.slice(1).map((l) => l.name)).toEqual(layers.map((l) => l.name));
  result.layers.slice(1).forEach((a, i) => {
    expect(a.shape).toEqual((layers[i].outputShape as number[]).slice(1));
    expect(a.className).toBe(layers[i].getClassName());
    expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
  });
}

describe('activations', () => {
  for (const preset of PRESETS) {
    it(`returns every layer of the ${preset} preset with its declared shape, and its first conv filters`, async () => {
      const model = buildModel(preset, 'adam', 0.001);
      const result = await activations(model, image);
      expectShapesMatch(model, result);
      expect(result.skipped).toEqual([]);
      // The last layer is the model's own prediction.
      const probs = model.predict(tf.tensor4d(Float32Array.from(image), [1, 28, 28, 1])) as tf.Tensor;
      const expected = probs.dataSync();
      probs.dispose();
      const last = result.layers.at(-1)!.data;
      for (let k = 0; k < 10; k++) expect(last[k]).toBeCloseTo(expected[k], 5);
      const conv = model.layers.find((l) => l.getClassName() === 'Conv2D');
      if (conv) {
        const kernel = conv.getWeights()[0];
        expect(result.filters).toMatchObject({ layer: conv.name, shape: kernel.shape });
        expect(Array.from(result.filters!.data)).toEqual(Array.from(kernel.dataSync()));
      } else {
        expect(result.filters).toBeNull();
      }
      model.dispose();
    });
  }

  it('on the shipped model: the input is the image, ReLU maps are ≥ 0, the softmax picks the right digit, no tensors leak', async () => {
    const first = await engine.activations({ pixels: image, model: 'default' });
    const before = tf.memory().numTensors;
    const again = await engine.activations({ pixels: image, model: 'default' });
    expect(tf.memory().numTensors).toBe(before);
    expect(again.layers.map((l) => l.shape)).toEqual(first.layers.map((l) => l.shape));
    expect(first.model).toBe('default');
    expect(Array.from(first.layers[0].data)).toEqual(image.map((v) => Math.fround(v)));
    const conv = first.layers.find((l) => l.className === 'Conv2D')!;
    expect(conv.min).toBeGreaterThanOrEqual(0);
    expect(conv.max).toBeGreaterThan(0);
    const softmax = first.layers.at(-1)!;
    expect(softmax.shape).toEqual([10]);
    expect(argmax(softmax.data)).toBe(label);
    expect(first.filters?.shape).toEqual([5, 5, 1, 16]);
  });

  it('works for a functional model with branches and lists a shared layer it cannot draw', async () => {
    const input = tf.input({ shape: [28, 28, 1] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'left' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'right' }).apply(input) as tf.SymbolicTensor;
    const pool = tf.layers.globalAveragePooling2d({ name: 'shared_pool' });
    const merged = tf.layers.concatenate({ name: 'merged' }).apply([pool.apply(a), pool.apply(b)] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 10, activation: 'softmax', name: 'out' }).apply(merged) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const result = await activations(model, image);
    expect(result.layers.map((l) => [l.name, l.shape])).toEqual([
      ['input', [28, 28, 1]], ['left', [26, 26, 4]], ['right', [26, 26, 6]], ['merged', [10]], ['out', [10]],
    ]);
    expect(result.skipped).toEqual([{ name: 'shared_pool', className: 'GlobalAveragePooling2D', shape: [], reason: 'the layer is used more than once' }]);
    expect(result.filters?.layer).toBe('left');
    model.dispose();
  });

  it('feeds a model that takes the image flattened (784 inputs) or without a channel axis', async () => {
    for (const inputShape of [[784], [28, 28]]) {
      const model = tf.sequential({
        layers: [tf.layers.reshape({ inputShape, targetShape: [784] }), tf.layers.dense({ units: 10, activation: 'softmax' })],
      });
      const result = await activations(model, image);
      expect(result.layers.map((l) => l.shape)).toEqual([[28, 28, 1], [784], [10]]);
      expect(Array.from(result.layers[1].data)).toEqual(Array.from(result.layers[0].data));
      model.dispose();
    }
  });

  it('refuses an image of the wrong size in one line', async () => {
    await expect(engine.activations({ pixels: [1, 2, 3], model: 'default' })).rejects.toThrow(/^the image has 3 values, expected 784 \(28×28\)$/);
  });
});

describe('user samples', () => {
  const digit = (index: number) => digits[index];

  it('adds, lists, reads and removes samples, one atomic file each', () => {
    const store = new SampleStore(path.join(home, 'a'));
    expect(store.list()).toEqual({ samples: [], errors: [] });
    const strokes = [[{ x: 0.2, y: 0.3 }, { x: 0.5, y: 0.8 }]];
    const one = store.add({ label: 7, pixels: digit(0), strokes, source: 'sketchpad' });
    const two = store.add({ label: 2, pixels: image }); // 0-1 floats are stored as grey levels
    expect(one).toMatchObject({ label: 7, strokes, source: 'sketchpad', pixels: digit(0) });
    expect(two.pixels).toEqual(digit(0));
    expect(two.strokes).toBeNull();
    expect(fs.readdirSync(store.dir).sort()).toEqual([`${one.id}.json`, `${two.id}.json`].sort()); // no temp files left
    expect(store.list().samples.map((s) => s.id)).toEqual([one.id, two.id]);
    expect(store.get(one.id)).toEqual(one);
    store.remove(one.id);
    expect(store.list().samples.map((s) => s.id)).toEqual([two.id]);
    expect(() => store.get(one.id)).toThrow(`no sample '${one.id}'`);
  });

  it('refuses bad input with one-line errors and keeps unreadable files, listing them', () => {
    const store = new SampleStore(path.join(home, 'b'));
    const cases: [unknown, RegExp][] = [
      [{ label: 10, pixels: digit(1) }, /label must be a digit 0-9, got 10/],
      [{ label: 1.5, pixels: digit(1) }, /label must be a digit/],
      [{ label: 3, pixels: digit(1).slice(0, 100) }, /784 values \(28×28\), got 100/],
      [{ label: 3, pixels: digit(1).map((v, i) => (i === 5 ? NaN : v)) }, /numbers from 0 to 255/],
      [{ label: 3, pixels: new Array(784).fill(0) }, /the image is blank/],
      [{ label: 3, pixels: digit(1), strokes: [[{ x: 'a', y: 0 }]] }, /stroke points must be/],
      [{ label: 3, pixels: digit(1), strokes: 'x' }, /strokes must be a list/],
      [{ label: 3, pixels: digit(1), strokes: [new Array(MAX_STROKE_POINTS + 1).fill({ x: 0.5, y: 0.5 })] }, /a stroke may have at most 20000 points/],
      [{ label: 3, pixels: digit(1), strokes: new Array(MAX_STROKES + 1).fill([{ x: 0.5, y: 0.5 }]) }, /at most 100 strokes/],
      [null, /needs a label and a 28×28 image/],
    ];
    for (const [input, error] of cases) {
      expect(() => store.add(input as never)).toThrow(error);
    }
    // The protocol's limits are the store's: as many strokes of as many points as a request may carry.
    const full = Array.from({ length: 3 }, () => new Array(MAX_STROKE_POINTS).fill({ x: 0.5, y: 0.5 }));
    expect(store.add({ label: 3, pixels: digit(1), strokes: full }).strokes!.flat()).toHaveLength(3 * MAX_STROKE_POINTS);
    store.remove(store.list().samples[0].id);
    for (const id of ['../../etc/passwd', 's-1', '']) expect(() => store.remove(id)).toThrow(/^invalid sample id/);
    expect(fs.existsSync(store.dir) ? fs.readdirSync(store.dir) : []).toEqual([]);
    const good = store.add({ label: 4, pixels: digit(4) });
    const corrupt = path.join(store.dir, 's-20260101-000000-abcdef.json');
    fs.writeFileSync(corrupt, '{"id": "s-20260101-000000-abcdef", "label": 4, "pixels": [');
    expect(store.list()).toEqual({ samples: [good], errors: [{ file: path.basename(corrupt), error: 'not valid JSON' }] });
    expect(() => store.get('s-20260101-000000-abcdef')).toThrow(/is corrupt: not valid JSON/);
    expect(fs.existsSync(corrupt)).toBe(true);
  });

  it('CLI: samples add --from-pen / PNG errors / list / rm', async () => {
    const cliHome = path.join(home, 'cli');
    const cli = (...args: string[]) => runCli(cliHome, ...args);
    const added = await cli('samples', 'add', '--from-pen', PENDIGITS, '--index', '1');
    expect(added.stdout).toMatch(/^added (s-\S+): a 2 \(pendigits-orig\.tra#1\)\n$/);
    const id = /added (\S+):/.exec(added.stdout)![1];
    const stored = new SampleStore(cliHome).get(id);
    expect(stored.strokes!.length).toBeGreaterThan(0);
    expect(stored.pixels.filter((v) => v > 128).length).toBeGreaterThan(40);
    expect((await cli('samples', 'list')).stdout).toContain(`${id}      2`);
    const bad = await cli('samples', 'add', path.resolve('package.json'), '--label', '3');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^digit-lab: not a PNG or JPEG image: .*package\.json\n$/);
    expect((await cli('samples', 'rm', id)).stdout).toBe(`removed ${id}\n`);
    expect((await cli('samples', 'rm', id)).stderr).toBe(`digit-lab: no sample '${id}' (see 'digit-lab samples list')\n`);
  }, 60_000);
});
