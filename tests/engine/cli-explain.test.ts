// `digit-lab explain` as a user runs it (the compiled bin, a temp DIGIT_LAB_HOME, the shipped default model): a PNG of
// a test digit drawn larger and off-centre → the prediction, the class explained, the method named, and with --out a
// valid 280×280 PNG whose colours are the map's (red for, blue against); --class and --method change the answer;
// bad input fails in one line.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src-main/engine/data/mnist.js';
import { ensureNodeBuild } from '../helpers/build.js';

ensureNodeBuild(); // the CLI runs from dist/: rebuilt when missing or stale, a failed build fails the file

const BIN = path.resolve('bin/digit-lab.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-cli-explain-'));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_MODELS: path.resolve('models'), NO_COLOR: '1', FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Test image `index` drawn black on white, three times larger, off-centre on a 120×100 canvas; returns its label. */
function writeDigit(file: string, index: number): number {
  const { test } = loadMnist();
  const png = new PNG({ width: 120, height: 100 });
  png.data.fill(255);
  for (let y = 0; y < 84; y++) {
    for (let x = 0; x < 84; x++) {
      const v = test.images[index * 784 + Math.floor(y / 3) * 28 + Math.floor(x / 3)];
      const o = ((8 + y) * 120 + 30 + x) * 4;
      png.data[o] = png.data[o + 1] = png.data[o + 2] = 255 - v;
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png));
  return test.labels[index];
}

const digit = path.join(home, 'digit.png');
let label = -1;
beforeAll(() => {
  label = writeDigit(digit, 0);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('digit-lab explain', () => {
  it('prints the prediction and the method, and writes the overlay as a valid PNG', async () => {
    const out = path.join(home, 'map.png');
    const r = await cli('explain', digit, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`prediction: ${label} \\(`));
    expect(r.stdout).toMatch(new RegExp(`explained: ${label} \\(`));
    expect(r.stdout).toMatch(/method: Integrated gradients/);
    expect(r.stdout).toMatch(/\+/); // evidence for, drawn in the terminal
    const png = PNG.sync.read(fs.readFileSync(out));
    expect([png.width, png.height]).toEqual([280, 280]);
    let red = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] > 150 && png.data[i + 2] < 100) red++;
    expect(red).toBeGreaterThan(100 * 10); // at least ten of the 28×28 pixels (10×10 squares each) are clearly red
  });

  it('--json with --class and --method: another class, the occlusion map, 784 values', async () => {
    const other = (label + 1) % 10;
    const r = await cli('explain', digit, '--class', String(other), '--method', 'occlusion', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { model: string; class: number; predicted: number; method: string; map: number[] };
    expect(j).toMatchObject({ model: 'default', class: other, predicted: label, method: 'occlusion' });
    expect(j.map).toHaveLength(784);
    expect(j.map.some((v) => v !== 0)).toBe(true);
  });

  it('refuses bad input in one line', async () => {
    const blank = path.join(home, 'blank.png');
    const png = new PNG({ width: 40, height: 40 });
    png.data.fill(255);
    fs.writeFileSync(blank, PNG.sync.write(png));
    const cases: [string[], RegExp][] = [
      [['explain', digit, '--class', '10'], /--class.*expected an integer from 0 to 9/],
      [['explain', digit, '--method', 'saliency'], /--method.*saliency.*(gradient|occlusion)/],
      [['explain', digit, '--model', 'nope'], /no model named 'nope'/],
      [['explain', blank], /no digit found in blank\.png/],
      [['explain', path.join(home, 'missing.png')], /no such file/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
