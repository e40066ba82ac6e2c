// The `digit-lab` command end to end, as a user runs it (the compiled bin, a temp DIGIT_LAB_HOME):
// train tiny → models → evaluate → sample → predict on a PNG written here; bad inputs fail cleanly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../src-main/engine/data/mnist.js';
import { runCli } from './helpers/cli.js';

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

beforeAll(() => {
  if (!fs.existsSync('dist/src-main/cli/index.js')) throw new Error("dist/ is missing: run 'npm run build:node' first");
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('digit-lab CLI', () => {
  let trainedAccuracy = 0;

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
      [['train', '--preset', 'huge'], /invalid.*Allowed choices are seed, fast, mlp/],
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
});
