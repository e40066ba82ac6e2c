// Datasets end to end through the `digit-lab` command (the compiled bin, a temp DIGIT_LAB_HOME): a model records what
// it was trained on; each dataset has its own active model, so a Fashion-MNIST run never replaces the digit model;
// commands score a model on its own dataset; an image folder (class sub-folders of PNGs) trains; bad folders and
// corrupt IDX files are refused in one line with the store unchanged byte for byte.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledMnistDir } from '../../src-main/engine/data/mnist.js';
import { ensureNodeBuild } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { idx } from '../helpers/idx.js';
import { SHAPES, tinyPng, writeShapePng, writeShapesFolder } from '../helpers/image-folder.js';

const FASHION = '/usr/share/datasets/fashion-mnist';
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-datasets-'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-datasets-files-'));
const cli = (...args: string[]) => runCli(home, ...args);

/** Every file under the home folder and its bytes' hash: the store byte for byte. */
function storeHash(): string {
  const hash = createHash('sha256');
  for (const f of (fs.readdirSync(home, { recursive: true, encoding: 'utf8' }) as string[]).sort()) {
    const full = path.join(home, f);
    hash.update(f);
    if (fs.statSync(full).isFile()) hash.update(fs.readFileSync(full));
  }
  return hash.digest('hex');
}

/** `evaluate`'s output without its timing. */
const untimed = (out: string) => out.replace(/, [\d.]+ s\)/, ')');

/** A digit from MNIST's test set as a PNG, black on white. */
function digitPng(file: string): void {
  writeShapePng(file, 'cross'); // any picture with ink: predict must answer the same before and after
}

beforeAll(() => {
  ensureNodeBuild(); // a missing or stale dist/ is rebuilt: the CLI runs this checkout's code
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('datasets', () => {
  let digitEval = '';
  let digitPredict = '';
  const png = path.join(work, 'picture.png');

  it('a digit model records MNIST in meta.json and is the active model', async () => {
    const r = await cli('train', '--preset', 'mlp', '--epochs', '1', '--train-size', '3000', '--validation-size', '500', '--name', 'digits');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/saved model: digits .*, now the active model\n/);
    const version = fs.readFileSync(path.join(home, 'models', 'digits', 'current'), 'utf8').trim();
    const meta = JSON.parse(fs.readFileSync(path.join(home, 'models', 'digits', version, 'meta.json'), 'utf8'));
    expect(meta.trainedOn).toMatchObject({ name: 'MNIST', kind: 'idx', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], imageSide: 28 });
    expect(meta.trainedOn.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const e = await cli('evaluate');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^model: digits · MNIST test set/);
    digitEval = untimed(e.stdout);
    digitPng(png);
    const p = await cli('predict', png, '--json');
    expect(p.code, p.stderr).toBe(0);
    digitPredict = p.stdout;
    expect(JSON.parse(p.stdout)).toMatchObject({ model: 'digits' });
  });

  it("the README's Fashion-MNIST run does not replace the digit model; it is Fashion-MNIST's active model", async (ctx) => {
    if (!fs.existsSync(FASHION)) {
      console.log(`skipped: ${FASHION} is absent (apt-get install dataset-fashion-mnist to run this test)`);
      ctx.skip();
    }
    const r = await cli('--data', FASHION, 'train', '--preset', 'fast', '--epochs', '1', '--train-size', '6000', '--name', 'fashion');
    expect(r.code, r.stderr).toBe(0);
    const accuracy = Number(/test accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
    console.log(`Fashion-MNIST, fast, 1 epoch on 6000 images: ${accuracy}% test accuracy`);
    expect(accuracy).toBeGreaterThan(60);
    expect(r.stdout).toMatch(/saved model: fashion .*, now the active model for Fashion-MNIST\n/);
    // The digit model's answers are unchanged.
    const e = await cli('evaluate');
    expect(untimed(e.stdout)).toBe(digitEval);
    expect((await cli('predict', png, '--json')).stdout).toBe(digitPredict);
    // Each is the active model of its own dataset.
    const models = (await cli('models')).stdout;
    expect(models).toMatch(/\* digits .*MNIST \(10: 0, 1, 2, …\)/);
    expect(models).toMatch(/\* fashion .*Fashion-MNIST \(10: T-shirt\/top, Trouser, Pullover, …\)/);
    const f = await cli('--data', FASHION, 'evaluate');
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/^model: fashion · Fashion-MNIST test set/);
    expect(f.stdout).toContain(`accuracy: ${accuracy.toFixed(2)}%`);
    expect(f.stdout).toMatch(/\nclass\s+images\s+correct\s+accuracy\n/);
    expect(f.stdout).toMatch(/\nAnkle boot\s+1000\s/);
    // A named model is scored on its own dataset, wherever the command was pointed.
    const own = await cli('evaluate', 'fashion');
    expect(own.stdout).toMatch(/^model: fashion · Fashion-MNIST test set/);
    expect(own.stdout).toContain(`accuracy: ${accuracy.toFixed(2)}%`);
    // Asking for the digit model on Fashion-MNIST: one line.
    const wrong = await cli('--data', FASHION, 'evaluate', 'digits');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^digit-lab: model 'digits' was trained on MNIST \(10 classes: 0, 1, 2, 3, …\); Fashion-MNIST has other classes/);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    // Fine-tuning teaches digits: a clothing model is refused in one line, and nothing is saved.
    const tune = await cli('finetune', 'fashion');
    expect(tune.code).toBe(1);
    expect(tune.stderr.trim()).toMatch(/^digit-lab: fine-tuning teaches a digit model your handwriting: 'fashion' was trained on Fashion-MNIST \(10 classes: T-shirt\/top/);
    expect(tune.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(home, 'models', 'fashion-tuned-1'))).toBe(false);
    // A store left by an older version, whose one active model is the Fashion model: the digit model is still the digits'.
    fs.writeFileSync(path.join(home, 'active.json'), JSON.stringify({ name: 'fashion' }));
    expect(untimed((await cli('evaluate')).stdout)).toBe(digitEval);
    fs.writeFileSync(path.join(home, 'active.json'), JSON.stringify({ name: 'digits' }));
  });

  it('an image folder trains: skipped files and per-class counts reported, class names everywhere, the digit model kept', async () => {
    const dir = path.join(work, 'shapes');
    const skipped = writeShapesFolder(dir);
    const r = await cli('--data', dir, 'train', '--preset', 'fast', '--epochs', '12', '--batch-size', '8', '--name', 'shapes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/shapes: 3 classes, 30 training \+ 6 test images \(bar 10\+2, circle 10\+2, cross 10\+2\)/);
    for (const f of skipped) expect(r.stderr).toContain(`skipped ${f}: `);
    expect(r.stderr).toMatch(/skipped cross\/tiny.png: too small \(4×4/);
    expect(r.stderr).toMatch(/skipped bar\/broken.png: unreadable/);
    const accuracy = Number(/test accuracy: ([\d.]+)%/.exec(r.stdout)?.[1]);
    console.log(`image folder (3 shapes, 30 training images), fast, 12 epochs: ${accuracy}% test accuracy`);
    expect(accuracy).toBeGreaterThan(60);
    expect(r.stdout).toMatch(/now the active model for shapes\n/);
    const version = fs.readFileSync(path.join(home, 'models', 'shapes', 'current'), 'utf8').trim();
    const meta = JSON.parse(fs.readFileSync(path.join(home, 'models', 'shapes', version, 'meta.json'), 'utf8'));
    expect(meta.trainedOn).toMatchObject({ name: 'shapes', kind: 'images', classes: [...SHAPES], imageSide: 28, dir });
    // Its own dataset, without --data: 3 rows named by class.
    const e = await cli('evaluate', 'shapes');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^model: shapes · shapes test set/);
    const matrix = e.stdout.split('confusion matrix')[1].split('\n').filter((l) => /^(bar|circle|cross)\s/.test(l));
    expect(matrix.map((l) => l.split(/\s+/)[0])).toEqual([...SHAPES]);
    const s = await cli('sample', 'shapes', '--n', '6', '--seed', '1');
    expect(s.stdout).toMatch(/[✓✗] #\d+ (bar|circle|cross)→(bar|circle|cross) \d+%/);
    const p = await cli('predict', png, '--model', 'shapes', '--json');
    expect(JSON.parse(p.stdout).classes).toEqual([...SHAPES]);
    // The digits' model is untouched.
    expect(untimed((await cli('evaluate')).stdout)).toBe(digitEval);
    expect((await cli('models')).stdout).toMatch(/\* shapes .*shapes \(3: bar, circle, cross\)/);
  });

  it('refuses each bad input in one line naming the file, and leaves the store unchanged byte for byte', async () => {
    const bad = (name: string) => fs.mkdirSync(path.join(work, name), { recursive: true });
    const at = (...p: string[]) => path.join(work, ...p);
    // A folder of images without class sub-folders.
    bad('flat');
    fs.writeFileSync(at('flat', 'a.png'), tinyPng());
    // A class whose files are all unreadable.
    writeShapesFolder(at('deadclass'), 3);
    for (const f of fs.readdirSync(at('deadclass', 'circle'))) fs.writeFileSync(at('deadclass', 'circle', f), 'garbage');
    // Images all too small.
    for (const c of ['a', 'b']) {
      bad(path.join('small', c));
      for (let i = 0; i < 3; i++) fs.writeFileSync(at('small', c, `${i}.png`), tinyPng());
    }
    // One class only.
    writeShapesFolder(at('oneclass'), 3);
    fs.rmSync(at('oneclass', 'circle'), { recursive: true });
    fs.rmSync(at('oneclass', 'cross'), { recursive: true });
    // Corrupt IDX sets, made from MNIST's files.
    const mnist = bundledMnistDir();
    const copyIdx = (name: string) => {
      bad(name);
      for (const f of fs.readdirSync(mnist)) fs.copyFileSync(path.join(mnist, f), at(name, f));
    };
    const file = (name: string, base: string) => {
      const plain = at(name, base);
      return fs.existsSync(plain) ? plain : `${plain}.gz`;
    };
    const write = (f: string, bytes: Buffer) => fs.writeFileSync(f, f.endsWith('.gz') ? gzipSync(bytes) : bytes);
    copyIdx('magic');
    write(file('magic', 't10k-labels-idx1-ubyte'), idx('images', new Uint8Array(10 * 784), 10)); // an images file as labels
    copyIdx('count');
    write(file('count', 't10k-images-idx3-ubyte'), idx('images', new Uint8Array(9 * 784), 10)); // header says 10, holds 9
    copyIdx('mismatch');
    write(file('mismatch', 't10k-labels-idx1-ubyte'), idx('labels', new Uint8Array(9999), 9999)); // 9 999 labels, 10 000 images

    const before = storeHash();
    const cases: [string, RegExp][] = [
      [at('flat'), /flat: no class sub-folders/],
      [at('deadclass'), /deadclass\/circle: class 'circle' has no usable image: 4 files skipped \(3 unreadable, 1 not a .png, .jpg or .jpeg file\)/],
      [at('small'), /small\/a: class 'a' has no usable image: 3 files skipped \(3 too small\)/],
      [at('oneclass'), /oneclass: 1 class sub-folder: a dataset needs 2 to 100/],
      [at('magic'), /magic\/t10k-labels-idx1-ubyte(\.gz)?: not an IDX label file: magic 0x00000803, expected 0x00000801/],
      [at('count'), /count\/t10k-images-idx3-ubyte(\.gz)?: truncated: .* header says 7856 \(10 images of 28×28\)/],
      [at('mismatch'), /mismatch\/t10k-labels-idx1-ubyte(\.gz)?: 9999 labels for 10000 images/],
      [at('missing'), /missing: data folder not found/],
    ];
    for (const [dir, message] of cases) {
      for (const command of [['train', '--epochs', '1'], ['evaluate']]) {
        const r = await cli('--data', dir, ...command);
        expect(r.code, `${dir} ${command[0]}`).toBe(1);
        expect(r.stderr, dir).toMatch(message);
        expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      }
    }
    expect(storeHash()).toBe(before);
  });
});
