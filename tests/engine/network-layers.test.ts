// Networks from their text form against what TF.js builds: the presets built from text are the layers the hand-written
// builders made (configs equal); `digit-lab layers` prints parameter counts equal to model.countParams() for every
// preset and five designed networks, multiply-adds equal to a hand computation for two, and refuses impossible text
// in one line; `train --layers` / `--preset <saved network>` train the designed layers (model.json, meta.json).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSES } from '../../src-shared/domain.js';
import { PRESET_LAYERS, summariseNetwork } from '../../src-shared/network/index.js';
import { PRESETS } from '../../src-shared/types.js';
import { buildModel } from '../../src-main/engine/models.js';
import { buildNetwork } from '../../src-main/engine/network-build.js';
import { DeviceDropout } from '../../src-main/engine/webgpu/dropout.js';
import { ensureNodeBuild } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { DESIGNED, INVALID } from '../helpers/networks.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-layers-'));
const cli = (...args: string[]) => runCli(home, ...args);

beforeAll(async () => {
  ensureNodeBuild(); // a missing or stale dist/ is rebuilt: the CLI runs this checkout's code
  await tf.setBackend('cpu');
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** The presets as models.ts built them before the text form, layer for layer. */
const INPUT = { inputShape: [28, 28, 1] };
const dropout = (rate: number) => new DeviceDropout({ rate });
const HAND_BUILT: Record<Exclude<(typeof PRESETS)[number], 'best'>, () => tf.layers.Layer[]> = {
  seed: () => [
    tf.layers.conv2d({ ...INPUT, filters: 28, kernelSize: 3 }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(),
    tf.layers.dense({ units: 128, activation: 'relu' }), dropout(0.2), tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  ],
  'keras-cnn': () => [
    tf.layers.conv2d({ ...INPUT, filters: 32, kernelSize: 3, activation: 'relu' }), tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }), dropout(0.25), tf.layers.flatten(), tf.layers.dense({ units: 128, activation: 'relu' }), dropout(0.5),
    tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  ],
  fast: () => [
    tf.layers.conv2d({ ...INPUT, filters: 16, kernelSize: 5, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(), dropout(0.25),
    tf.layers.dense({ units: 128, activation: 'relu' }), dropout(0.4), tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  ],
  mlp: () => [
    tf.layers.flatten(INPUT), tf.layers.dense({ units: 256, activation: 'relu' }), dropout(0.2), tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  ],
};

/** A model's layer configs without their generated names. */
function configs(model: tf.LayersModel): unknown[] {
  return model.layers.map((l) => {
    const { name: _name, ...config } = l.getConfig();
    return { className: l.getClassName(), config };
  });
}

describe('networks built from the text form', () => {
  it.each(Object.keys(HAND_BUILT) as (keyof typeof HAND_BUILT)[])('preset %s: the same layers as the hand-written builder', (preset) => {
    const built = buildModel(preset, 'adam', 0.001);
    const hand = tf.sequential({ layers: HAND_BUILT[preset]() });
    try {
      expect(configs(built)).toEqual(configs(hand));
      expect(built.countParams()).toBe(hand.countParams());
    } finally {
      built.dispose();
      hand.dispose();
    }
  });

  it.each([...PRESETS.map((p) => PRESET_LAYERS[p]), ...DESIGNED])('%s: shapes and parameters as TF.js builds it', (text) => {
    const model = buildNetwork(text);
    try {
      const s = summariseNetwork(text);
      expect(s.problem).toBeNull();
      expect(model.countParams()).toBe(s.params);
      expect(model.layers.map((l) => (l.outputShape as number[]).slice(1))).toEqual(s.rows.map((r) => r.shape));
      expect(model.layers.map((l) => l.getClassName())).toEqual(s.rows.map((r) => r.className));
    } finally {
      model.dispose();
    }
  });

  it('dropout: false leaves the dropout layers out; another class count changes only the output', () => {
    const model = buildNetwork(PRESET_LAYERS.fast, { dropout: false, classes: 26 });
    try {
      expect(model.layers.map((l) => l.getClassName())).not.toContain('Dropout');
      expect(model.outputs[0].shape).toEqual([null, 26]);
    } finally {
      model.dispose();
    }
  });
});

const printed = (stdout: string, label: string) => Number(new RegExp(`${label}: ([\\d,]+)`).exec(stdout)?.[1].replace(/,/g, ''));

describe('digit-lab layers', () => {
  it.each([...PRESETS, ...DESIGNED])('%s: the parameter count TF.js gives', async (network) => {
    const r = await cli('layers', network);
    expect(r.code, r.stderr).toBe(0);
    const model = buildNetwork((PRESETS as readonly string[]).includes(network) ? PRESET_LAYERS[network as (typeof PRESETS)[number]] : network);
    expect(printed(r.stdout, 'total params')).toBe(model.countParams());
    model.dispose();
    expect(r.stdout).toMatch(/layer\s+type\s+output shape\s+params\s+multiply-adds/);
    expect(r.stdout).toMatch(/out dense10-softmax\s+Dense\s+10\s/);
  });

  it('multiply-adds per image equal a hand computation for two networks', async () => {
    const fast = await cli('layers', 'fast');
    // conv 24×24 outputs × 16 filters × 5×5×1, conv 8×8 × 32 × 5×5×16, dense 512→128, output 128→10
    expect(printed(fast.stdout, 'multiply-adds per image')).toBe(24 * 24 * 16 * 25 + 8 * 8 * 32 * 25 * 16 + 512 * 128 + 128 * 10);
    expect(fast.stdout).toMatch(/3 conv32k5-relu\s+Conv2D\s+8×8×32\s+12,832\s+819,200/);
    const strided = await cli('layers', DESIGNED[0]);
    // same padding, stride 2: 14×14 outputs × 8 filters × 3×3×1; dense 7·7·8 = 392 → 32; output 32 → 10
    expect(printed(strided.stdout, 'multiply-adds per image')).toBe(14 * 14 * 8 * 9 + 392 * 32 + 32 * 10);
  });

  it.each(INVALID)('refuses %s in one line', async (text, line) => {
    const r = await cli('layers', text);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim().replace(/^digit-lab: /, '')).toMatch(line);
  });
});

describe('train with a designed network', () => {
  const versionDir = (name: string) => path.join(home, 'models', name, fs.readFileSync(path.join(home, 'models', name, 'current'), 'utf8').trim());
  const layerClasses = (name: string) =>
    (JSON.parse(fs.readFileSync(path.join(versionDir(name), 'model.json'), 'utf8')).modelTopology.config.layers as { class_name: string }[])
      .map((l) => l.class_name);

  it('train --layers trains the designed layers; meta.json records them', async () => {
    const text = 'conv8k3s2-same-elu,avgpool2,batchnorm,flatten,dropout0.1,dense32-tanh';
    const r = await cli('train', '--layers', text, '--epochs', '1', '--train-size', '1000', '--validation-size', '200', '--name', 'designed');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`network ${text}`);
    expect(layerClasses('designed')).toEqual(['Conv2D', 'AveragePooling2D', 'BatchNormalization', 'Flatten', 'Dropout', 'Dense', 'Dense']);
    const meta = JSON.parse(fs.readFileSync(path.join(versionDir('designed'), 'meta.json'), 'utf8'));
    expect(meta.layers).toBe(text);
    expect(meta.config.layers).toBe(text);
    expect(meta.config.dropout).toBe(true); // a designed network trains as written
    expect(meta.params).toBe(summariseNetwork(text).params);
  });

  it('networks save, then train --preset NAME trains the saved network', async () => {
    const save = await cli('networks', 'save', 'tiny-net', 'maxpool2,flatten,dense16-relu');
    expect(save.code, save.stderr).toBe(0);
    expect((await cli('networks', 'list')).stdout).toMatch(/tiny-net\s+3,?\d{3}\s/);
    const r = await cli('train', '--preset', 'tiny-net', '--epochs', '1', '--train-size', '600', '--validation-size', '100', '--name', 'from-saved');
    expect(r.code, r.stderr).toBe(0);
    expect(layerClasses('from-saved')).toEqual(['MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
  });

  it('a network too large for this machine is refused before training, with the figure and the limit', async () => {
    const params = await cli('train', '--layers', 'conv4096k3-same,conv4096k3-same,flatten', '--epochs', '1');
    expect(params.code).not.toBe(0);
    expect(params.stderr.trim()).toBe('digit-lab: network too large: 183,152,650 parameters (limit 25,000,000)');
    const memory = await cli('train', '--layers', 'conv512k3-same,conv512k3-same,flatten,dense16', '--batch-size', '4096', '--epochs', '1');
    expect(memory.code).not.toBe(0);
    expect(memory.stderr.trim()).toMatch(/^digit-lab: network too large for a batch of 4096: about [\d.]+ GiB of memory to train \(limit [\d.]+ GiB here\)/);
    const bad = await cli('train', '--layers', 'conv16k5-relu,dense128-relu', '--epochs', '1');
    expect(bad.stderr.trim()).toMatch(/^digit-lab: --layers: layer 2 'dense128-relu': Dense on a 3-D output/);
    expect(fs.existsSync(path.join(home, 'models', 'designed-too-large'))).toBe(false);
  });
});
