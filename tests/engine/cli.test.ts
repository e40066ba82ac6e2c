// The `digit-lab` command end to end, as a user runs it (the compiled bin, a temp DIGIT_LAB_HOME):
// train tiny → models → evaluate → sample → predict on a PNG written here; bad inputs fail cleanly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src-main/engine/data/mnist.js';
import { runCli } from '../helpers/cli.js';
import { PEN_FILE } from '../helpers/data.js';
import { ensureNodeBuild } from '../helpers/build.js';

ensureNodeBuild(); // the CLI runs from dist/: rebuilt when missing or stale, a failed build fails the file

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-cli-'));
const cli = (...args: string[]) => runCli(home, ...args);

/** A test-set digit drawn black on white, scaled ×`scale`, at an offset inside a larger canvas. */
function writeDigitPng(file: string, index: number, scale: number, width: number, height: number, ox: number, oy: number) {
  const { test } = loadMnist();
  const png = new PNG({ width, height });
  png.data.fill(255);
  for (let y = 0; y < 28 * scale; y++) {
    for (let x = 0; x < 28 * scale; x++) {
      const v = test.images[index * 784 + Math.floor(y / scale) * 28 + Math.floor(x / scale)];
      const o = ((oy + y) * width + ox + x) * 4;
      png.data[o] = png.data[o + 1] = png.data[o + 2] = 255 - v;
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png));
  return test.labels[index];
}

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('digit-lab CLI', () => {
  let trainedAccuracy = 0;

  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    const r = await cli('--version');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('train saves a model and prints the test accuracy', async () => {
    const r = await cli('train', '--preset', 'mlp', '--epochs', '2', '--train-size', '4000', '--validation-size', '500', '--name', 'tiny');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/backend: wasm · WebAssembly SIMD/);
    expect(r.stderr).toMatch(/epoch 2\/2 - .* - loss: [\d.]+ - acc: [\d.]+ - val_loss: [\d.]+ - val_acc: [\d.]+ - \d+ img\/s/);
    const m = /test accuracy: ([\d.]+)%/.exec(r.stdout);
    expect(m).not.toBeNull();
    trainedAccuracy = Number(m![1]);
    expect(trainedAccuracy).toBeGreaterThan(85);
    expect(r.stdout).toMatch(/saved model: tiny/);
    const version = fs.readFileSync(path.join(home, 'models', 'tiny', 'current'), 'utf8').trim(); // the store's pointer
    expect(fs.existsSync(path.join(home, 'models', 'tiny', version, 'model.json'))).toBe(true);
  });

  it('models lists it as active', async () => {
    const r = await cli('models');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`\\* tiny\\s+mlp\\s+${trainedAccuracy.toFixed(2)}%\\s+2 `));
  });

  it('evaluate --pen draws real pen digits and reports per class and per writer', async () => {
    const r = await cli('evaluate', 'tiny', '--pen', PEN_FILE, '--writers', '21');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/7494 pen-drawn digits/);
    const m = /accuracy on 21 writers: ([\d.]+)% {2}\((\d+)\/250 correct, writers 21\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(30); // an MLP trained on 4 000 MNIST images: well above chance
    expect(r.stdout).toMatch(/digit\s+images\s+correct\s+accuracy\s+writer\s+images/);
    expect(r.stdout).toMatch(/commonest mistakes \(actual→predicted\)/);
  });

  it('evaluate prints the accuracy, a per-class table and a confusion matrix that sums to 10 000', async () => {
    const r = await cli('evaluate');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`accuracy: ${trainedAccuracy.toFixed(2)}%`);
    const matrix = r.stdout.split('confusion matrix')[1].split('\n').filter((l) => /^\d\s/.test(l));
    expect(matrix).toHaveLength(10);
    const total = matrix.flatMap((l) => l.trim().split(/\s+/).slice(1).map(Number)).reduce((a, b) => a + b, 0);
    expect(total).toBe(10000);
  });

  it('sample draws N digits with right/wrong marks', async () => {
    const r = await cli('sample', '--n', '10', '--seed', '3');
    expect(r.code, r.stderr).toBe(0);
    const captions = r.stdout.match(/[✓✗] #\d+ \d→\d \d+%/g) ?? [];
    expect(captions).toHaveLength(10);
    const right = captions.filter((c) => c.startsWith('✓')).length;
    expect(r.stdout).toContain(`${right}/10 right`);
    expect(r.stdout).toMatch(/[█▓▒░]/);
    // The marks agree with the digits: ✓ exactly when label = prediction.
    for (const c of captions) {
      const [, label, pred] = /(\d)→(\d)/.exec(c)!;
      expect(c.startsWith('✓')).toBe(label === pred);
    }
  });

  it('predict classifies a PNG of a digit drawn off-centre and larger than MNIST', async () => {
    const file = path.join(home, 'seven.png');
    const label = writeDigitPng(file, 0, 5, 260, 200, 90, 40); // test image 0 is a 7
    const r = await cli('predict', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { digit: number; probs: number[] };
    expect(out.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(out.digit).toBe(label);
    const text = await cli('predict', file);
    expect(text.stdout).toMatch(new RegExp(`prediction: ${label} \\(`));
  });

  it('predict on a blank image says there is no digit', async () => {
    const file = path.join(home, 'blank.png');
    const png = new PNG({ width: 50, height: 50 });
    png.data.fill(255);
    fs.writeFileSync(file, PNG.sync.write(png));
    const r = await cli('predict', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no digit/);
  });

  it('bad input gives one clear line on stderr, a non-zero exit, and touches nothing saved', async () => {
    const modelDir = path.join(home, 'models', 'tiny');
    const snapshot = () =>
      fs.readdirSync(modelDir, { recursive: true, encoding: 'utf8' }).sort()
        .filter((f) => fs.statSync(path.join(modelDir, f)).isFile())
        .map((f) => [f, fs.readFileSync(path.join(modelDir, f)).toString('base64')]);
    const before = snapshot();
    fs.writeFileSync(path.join(home, 'not-an-image.png'), 'hello');
    fs.mkdirSync(path.join(home, 'models', 'corrupt'));
    fs.writeFileSync(path.join(home, 'models', 'corrupt', 'model.json'), '{"modelTopology": ');
    const cases: [string[], RegExp][] = [
      [['predict', path.join(home, 'missing.png')], /no such file/],
      [['predict', path.join(home, 'not-an-image.png')], /not a PNG or JPEG image/],
      [['evaluate', 'corrupt'], /model 'corrupt' is corrupt: model.json is not valid JSON/],
      [['evaluate', 'nosuch'], /no model named 'nosuch' \(see 'digit-lab models'\)\n$/], // the CLI's hint, not the engine's
      [['evaluate', '../../etc'], /invalid model name/],
      [['train', '--bogus'], /unknown option '--bogus'/],
      [['train', '--epochs', 'x'], /--epochs.*invalid/],
      [['train', '--preset', 'huge'], /invalid.*Allowed choices are seed, keras-cnn, fast, mlp/],
      [['train', '--augment', 'wild'], /--augment.*Allowed choices are off, affine, pen/],
      [['train', '--from', 'nosuch', '--epochs', '1'], /no model named 'nosuch'/],
      [['evaluate', '--pen', path.join(home, 'not-an-image.png')], /not-an-image.png: line 1: not a UNIPEN digit file/],
      [['evaluate', '--pen', path.join(home, 'missing.tra')], /cannot read .*missing.tra: ENOENT/],
      [['evaluate', '--pen', PEN_FILE, '--writers', 'x'], /expected all, held-out, tuning or writer ids/],
      [['train', '--name', 'tiny/../../x', '--epochs', '1', '--train-size', '100'], /invalid model name/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
      expect(r.stderr).toMatch(/^digit-lab: /);
    }
    expect(snapshot()).toEqual(before);
  });

  it('train --preset seed trains as classifier.py did (batch 32, Adam 0.001 constant, no validation split) and prints Keras-style', async () => {
    const r = await cli('train', '--preset', 'seed', '--epochs', '1', '--train-size', '3000', '--name', 'seedling');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/training 'seedling': seed, 3000 images \(0 held out for validation\), 1 epochs of batch 32/);
    expect(r.stderr).toMatch(/epoch 1\/1 - .* - acc: [\d.]+ - \d+ img\/s/); // no validation split: no val_ columns
    expect(r.stdout).toMatch(/^Test loss: \d\.\d{4}\nTest accuracy: 0\.\d{4}\n/);
    expect(Number(/Test accuracy: ([\d.]+)/.exec(r.stdout)![1])).toBeGreaterThan(0.85);
    const dir = path.join(home, 'models', 'seedling');
    const version = fs.readFileSync(path.join(dir, 'current'), 'utf8').trim(); // the store's pointer
    const meta = JSON.parse(fs.readFileSync(path.join(dir, version, 'meta.json'), 'utf8'));
    expect(meta.config).toMatchObject({
      preset: 'seed', batchSize: 32, learningRate: 0.001, optimizer: 'adam', schedule: 'constant', adamBetas: [0.9, 0.999], dropout: true, augment: 'off',
      validationSize: 0,
    });
    expect(meta.params).toBe(28 * 10 + 13 * 13 * 28 * 128 + 128 + 1290); // conv28 3×3, dense128, dense10
    // It becomes the active model only if it beat 'tiny' on the test set.
    const beat = Number(/test accuracy: ([\d.]+)%/.exec(r.stdout)![1]) > trainedAccuracy;
    expect(r.stdout).toContain(beat ? 'now the active model' : 'not made active');
    expect((await cli('models')).stdout).toMatch(beat ? /\* seedling/ : /\* tiny/);
  });
});
