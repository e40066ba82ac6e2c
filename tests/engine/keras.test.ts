// Keras .h5 import and export with real files: three Keras MNIST CNNs of three eras (tests/data/keras,
// see tests/data/README.md) imported through the CLI and scored on the MNIST test set; a 0-255 model; a round
// trip export → import with the same predictions; bad files refused in one line with the store untouched.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type DigitLabEngine } from '../../src-main/engine/engine.js';
import { H5Dataset, withH5File } from '../../src-main/engine/keras/h5.js';
import { readKerasFile } from '../../src-main/engine/keras/read-h5.js';
import { runCli } from '../helpers/cli.js';
import { KERAS_DIR, KERAS_FILES, readKerasTestFile, readMeta, snapshot, weightsOnly } from '../helpers/keras.js';
import { ensureNodeBuild } from '../helpers/build.js';

ensureNodeBuild(); // the CLI runs from dist/: rebuilt when missing or stale, a failed build fails the file

const FILES = KERAS_FILES;

/** Debian's python3 with python3-h5py (optional: the h5py checks of exported files skip without it). */
const PYTHON = '/usr/bin/python3';
const HAVE_H5PY = spawnSync(PYTHON, ['-c', 'import h5py, numpy']).status === 0;
if (!HAVE_H5PY) console.warn(`h5py checks skipped: ${PYTHON} cannot import h5py and numpy (apt-get install python3-h5py)`);

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-keras-'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-keras-files-'));
const cli = (...args: string[]) => runCli(home, ...args);
const readFile = readKerasTestFile;
const meta = (name: string) => readMeta(home, name);
const testPixels = async (e: DigitLabEngine, n: number) =>
  (await e.testImages({ indices: Array.from({ length: n }, (_, i) => i) })).images.map((p) => p.map((v) => v / 255));

/** The 2.6.0 convnet made to expect 0-255 pixels: its first kernel divided by 255 (same function). */
async function scaledTo255(bytes: Uint8Array): Promise<Uint8Array> {
  const { bytes: out } = await withH5File(bytes, (f) => {
    const kernel = f.get('model_weights/conv2d/conv2d/kernel:0');
    if (!(kernel instanceof H5Dataset)) throw new Error('no conv2d kernel');
    const scaled = Float32Array.from(kernel.value as Float32Array, (v) => v / 255);
    kernel.write_slice(kernel.shape!.map((d) => [0, d]), scaled);
  }, { edit: true });
  return out;
}

/** The same file with an extra layer spliced into model_config. */
async function withExtraLayer(bytes: Uint8Array, layer: object): Promise<Uint8Array> {
  const { bytes: out } = await withH5File(bytes, (f) => {
    const config = JSON.parse(String(f.attrs.model_config.value));
    config.config.layers.splice(2, 0, layer);
    f.delete_attribute('model_config');
    f.create_attribute('model_config', JSON.stringify(config));
  }, { edit: true });
  return out;
}

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Keras .h5 import and export', () => {
  let engine: DigitLabEngine;
  beforeAll(async () => {
    engine = await createEngine({ home, shippedDir: path.resolve('models') });
  });
  afterAll(() => engine?.dispose());

  for (const f of FILES) {
    it(`imports ${f.file} through the CLI and scores ≥ 98% on the MNIST test set`, async () => {
      const r = await cli('import', path.join(KERAS_DIR, f.file), '--name', f.name);
      expect(r.code, r.stderr).toBe(0);
      const printed = Number(/test accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
      const m = meta(f.name);
      console.log(`${f.file}: test accuracy ${(m.testAccuracy! * 100).toFixed(2)}%, input scale 0-${m.inputScale}`);
      expect(m.testAccuracy).toBeGreaterThanOrEqual(0.98); // a wrong weight mapping scores near 10%
      expect(printed).toBeCloseTo(m.testAccuracy! * 100, 1);
      expect(m).toMatchObject({ preset: 'imported', inputScale: 1, dataset: 'MNIST' });
      expect(m.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(10000);
      expect(m.origin).toMatchObject({
        format: 'keras-h5', fileName: f.file, kerasVersion: f.keras, backend: 'tensorflow', inputScaleSource: 'detected',
        sha256: createHash('sha256').update(readFile(f.file)).digest('hex'),
      });
      expect(m.origin!.layers).toHaveLength(f.layers);
      expect(m.origin!.inputScaleCheck!.accuracy01).toBeGreaterThanOrEqual(m.origin!.inputScaleCheck!.accuracy0255);
    }, 600_000);
  }

  it('detects a model trained on 0-255 pixels and feeds it 0-255 in evaluate, predict and samples', async () => {
    const r = await engine.models.importKeras({ bytes: await scaledTo255(readFile(FILES[2].file)), fileName: 'convnet-255.h5' });
    expect(r.model).toBe('convnet-255');
    expect(r.inputScale).toBe(255);
    expect(r.origin.inputScaleCheck!.accuracy0255).toBeGreaterThan(r.origin.inputScaleCheck!.accuracy01);
    expect(Math.abs(r.testAccuracy - meta('convnet').testAccuracy!)).toBeLessThan(0.001);
    const pixels = await testPixels(engine, 200);
    const [a, b] = [await engine.predict({ inputs: pixels, model: 'convnet' }), await engine.predict({ inputs: pixels, model: 'convnet-255' })];
    a.probs.forEach((p, i) => p.forEach((v, k) => expect(b.probs[i][k]).toBeCloseTo(v, 4)));
    const [sa, sb] = [await engine.samples({ n: 20, seed: 7, model: 'convnet' }), await engine.samples({ n: 20, seed: 7, model: 'convnet-255' })];
    expect(sb.samples.map((s) => s.predicted)).toEqual(sa.samples.map((s) => s.predicted));
  }, 600_000);

  it('exports through the CLI a Keras file that imports back with the same predictions and input scale', async () => {
    const file = path.join(tmp, 'convnet-255.h5');
    const r = await cli('export', 'convnet-255', file);
    expect(r.code, r.stderr).toBe(0);
    expect((await cli('export', 'convnet-255', file)).stderr).toMatch(/already exists \(use --force/);
    const back = await engine.models.importKeras({ bytes: new Uint8Array(fs.readFileSync(file)), fileName: 'convnet-255.h5', name: 'convnet-255-back' });
    expect(back).toMatchObject({ inputScale: 255, origin: { inputScaleSource: 'file', backend: 'tensorflow' } });
    expect(back.testAccuracy).toBe(meta('convnet-255').testAccuracy);
    const pixels = await testPixels(engine, 300);
    const [a, b] = [await engine.predict({ inputs: pixels, model: 'convnet-255' }), await engine.predict({ inputs: pixels, model: 'convnet-255-back' })];
    expect(b.probs).toEqual(a.probs);
  }, 600_000);

  it('round-trips a model trained here (the shipped default) with the same predictions', async () => {
    const bytes = await engine.models.exportKeras({ name: 'default' }).then((r) => r.bytes);
    const tensors = tf.memory().numTensors;
    const back = await engine.models.importKeras({ bytes, fileName: 'default.h5', name: 'default-back' });
    expect(tf.memory().numTensors).toBe(tensors); // the imported model is saved and disposed
    expect(back.inputScale).toBe(1);
    expect(back.origin.kerasVersion).toMatch(/^tfjs-layers /);
    const pixels = await testPixels(engine, 300);
    const [a, b] = [await engine.predict({ inputs: pixels, model: 'default' }), await engine.predict({ inputs: pixels, model: 'default-back' })];
    expect(b.probs).toEqual(a.probs);
    expect(Math.abs(back.testAccuracy - engine.store.readMeta('default')!.testAccuracy!)).toBeLessThanOrEqual(0.0005);
  }, 600_000);

  it('writes the layout Keras reads (checked with h5py where python3-h5py is installed)', async (ctx) => {
    const file = path.join(tmp, 'default.h5');
    fs.writeFileSync(file, await engine.models.exportKeras({ name: 'default' }).then((r) => r.bytes));
    const script = `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
cfg = json.loads(f.attrs['model_config'])
g = f['model_weights']
out = {'root': sorted(f.attrs.keys()), 'class': cfg['class_name'], 'layers': [l['config']['name'] for l in cfg['config']['layers']],
       'layer_names': list(g.attrs['layer_names']), 'weights': {}}
for l in g.attrs['layer_names']:
    for w in g[l].attrs['weight_names']:
        out['weights'][w] = list(g[l][w].shape) + [str(g[l][w].dtype)]
print(json.dumps(out))`;
    if (!HAVE_H5PY) return ctx.skip();
    const out = execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
    const seen = JSON.parse(out) as { root: string[]; class: string; layers: string[]; layer_names: string[]; weights: Record<string, unknown[]> };
    expect(seen.root).toEqual(['backend', 'digit_lab_input_scale', 'keras_version', 'model_config']);
    expect(seen.class).toBe('Sequential');
    expect(seen.layer_names).toEqual(seen.layers);
    const model = (await readKerasFile(new Uint8Array(fs.readFileSync(file)))).layers.flatMap((l) => l.weights);
    expect(Object.keys(seen.weights)).toEqual(model.map((w) => w.name));
    model.forEach((w) => expect(seen.weights[w.name]).toEqual([...w.shape, 'float32']));
  });

  it('exports weights an independent NumPy forward pass of the file agrees with (where python3-h5py is installed)', async (ctx) => {
    if (!HAVE_H5PY) return ctx.skip();
    const file = path.join(tmp, 'default-forward.h5');
    fs.writeFileSync(file, await engine.models.exportKeras({ name: 'default' }).then((r) => r.bytes));
    const pixels = await testPixels(engine, 100);
    const out = execFileSync(PYTHON, ['tests/helpers/keras-forward.py', file], { input: Buffer.from(Float32Array.from(pixels.flat()).buffer) });
    const numpy = new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4);
    const { probs } = await engine.predict({ inputs: pixels, model: 'default' });
    expect(numpy.length).toBe(1000);
    probs.forEach((p, i) => p.forEach((v, k) => expect(Math.abs(v - numpy[i * 10 + k])).toBeLessThan(1e-5)));
  });

  describe('refuses bad files in one line and leaves the store unchanged', () => {
    const cases: [string, () => Promise<Uint8Array>, RegExp][] = [
      ['not-hdf5.h5', async () => new Uint8Array(fs.readFileSync('package.json')), /cannot import not-hdf5\.h5: not an HDF5 file/],
      ['weights.h5', () => weightsOnly(readFile(FILES[2].file)), /weights only \(no model_config\)/],
      ['truncated.h5', async () => readFile(FILES[2].file).slice(0, 30_000), /cannot read the HDF5 file \(truncated file/],
      [
        'lambda.h5',
        () => withExtraLayer(readFile(FILES[2].file), { class_name: 'Lambda', config: { name: 'lambda', function: 'x' } }),
        /unsupported layer: Lambda 'lambda'/,
      ],
      [
        'lstm.h5',
        () => withExtraLayer(readFile(FILES[2].file), { class_name: 'LSTM', config: { name: 'lstm', units: 8 } }),
        /unsupported layer: LSTM 'lstm'/,
      ],
    ];
    for (const [name, make, message] of cases) {
      it(name, async () => {
        const file = path.join(tmp, name);
        fs.writeFileSync(file, await make());
        const before = snapshot(home);
        const r = await cli('import', file);
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        expect(snapshot(home)).toEqual(before);
      });
    }

    it('a name already taken', async () => {
      expect(fs.existsSync(path.join(home, 'models', 'convnet')), "needs the 'convnet' import above").toBe(true);
      const before = snapshot(home);
      const r = await cli('import', path.join(KERAS_DIR, FILES[2].file), '--name', 'convnet');
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe("digit-lab: a model named 'convnet' already exists");
      expect(snapshot(home)).toEqual(before);
    });
  });
});
