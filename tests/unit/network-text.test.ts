// The text form of a network (src-shared/network/): parse ⇄ format round trips, shape inference by hand, and the
// one-line refusals naming the layer and the reason. No TF.js here: tests/engine/network-layers.test.ts compares the
// counts with the models TF.js builds.
import { describe, expect, it } from 'vitest';
import {
  defaultLayer, formatNetwork, LAYER_KINDS, parseNetwork, PRESET_LAYERS, problemLine, summariseNetwork, trainingLimitProblem,
  tryParseNetwork,
} from '../../src-shared/network/index.js';
import { networkTextSchema } from '../../src-shared/network/schema.js';
import { parseParams } from '../../src-shared/protocol.js';
import { PRESETS } from '../../src-shared/types.js';
import { INVALID } from '../helpers/networks.js';

describe('the text form', () => {
  it('round-trips: parse(format(layers)) is the layers, format(parse(text)) the canonical text', () => {
    for (const text of [...Object.values(PRESET_LAYERS), 'conv8k3s2-same-elu,avgpool3s2,batchnorm,flatten,dropout0.05,dense32-tanh,dense16-sigmoid', '']) {
      const layers = parseNetwork(text);
      expect(formatNetwork(layers)).toBe(text);
      expect(parseNetwork(formatNetwork(layers))).toEqual(layers);
    }
    const every = LAYER_KINDS.map(defaultLayer);
    expect(parseNetwork(formatNetwork(every))).toEqual(every);
    // Spaces, upper case and spelled-out defaults are read, and written back canonical.
    expect(formatNetwork(parseNetwork(' Conv16K5S1-valid-RELU , maxpool2s2, flatten,dense10-linear '))).toBe('conv16k5-relu,maxpool2,flatten,dense10');
  });

  it('reads what each layer says', () => {
    expect(parseNetwork('conv32k5s2-same-elu,avgpool3s1,dropout0.3,dense7')).toEqual([
      { kind: 'conv', filters: 32, kernel: 5, stride: 2, padding: 'same', activation: 'elu' },
      { kind: 'avgpool', size: 3, stride: 1 },
      { kind: 'dropout', rate: 0.3 },
      { kind: 'dense', units: 7, activation: 'linear' },
    ]);
  });

  it('every preset is a valid network; the seed conv has no activation', () => {
    for (const p of PRESETS) expect(summariseNetwork(PRESET_LAYERS[p]).problem, p).toBeNull();
    expect(parseNetwork(PRESET_LAYERS.seed)[0]).toMatchObject({ kind: 'conv', filters: 28, kernel: 3, activation: 'linear' });
  });
});

describe('shape inference', () => {
  it("the fast preset's shapes, parameters and multiply-adds, by hand", () => {
    const s = summariseNetwork(PRESET_LAYERS.fast);
    expect(s.rows.map((r) => r.shape)).toEqual([[24, 24, 16], [12, 12, 16], [8, 8, 32], [4, 4, 32], [512], [512], [128], [128], [10]]);
    expect(s.rows.map((r) => r.params)).toEqual([5 * 5 * 16 + 16, 0, 5 * 5 * 16 * 32 + 32, 0, 0, 0, 512 * 128 + 128, 0, 128 * 10 + 10]);
    expect(s.macs).toBe(24 * 24 * 16 * 25 + 8 * 8 * 32 * 25 * 16 + 512 * 128 + 128 * 10); // 1 116 416
    expect(s.params).toBe(416 + 12_832 + 65_664 + 1290);
  });

  it('same padding with stride 2, average pooling and batch norm, by hand', () => {
    const s = summariseNetwork('conv8k3s2-same-elu,avgpool2,batchnorm,flatten,dense32-tanh');
    expect(s.rows.map((r) => r.shape)).toEqual([[14, 14, 8], [7, 7, 8], [7, 7, 8], [392], [32], [10]]);
    expect(s.macs).toBe(14 * 14 * 8 * 9 + 392 * 32 + 32 * 10); // 26 976
    expect(s.params).toBe(80 + 0 + 4 * 8 + 0 + 392 * 32 + 32 + 330);
  });

  it('the output follows the class count', () => {
    expect(summariseNetwork('flatten', { classes: 26 }).rows.at(-1)).toMatchObject({ text: 'dense26-softmax', shape: [26], params: 784 * 26 + 26 });
  });
});

describe('impossible networks: one line naming the layer and the reason', () => {
  it.each(INVALID)('%s', (text, line) => {
    const s = summariseNetwork(text);
    expect(s.problem).not.toBeNull();
    const message = problemLine(s.problem!);
    expect(message).toMatch(line);
    expect(message.split('\n')).toHaveLength(1);
    // The protocol's schema refuses it with the same line.
    const r = networkTextSchema.safeParse(text);
    expect(r.success).toBe(false);
    expect(() => parseParams('train', { layers: text })).toThrow(`invalid params for train: layers: ${message}`);
  });

  it('a broken layer leaves later layers without shapes, the ones before it with theirs', () => {
    const s = summariseNetwork('conv16k5-relu,dense128-relu,dropout0.1');
    expect(s.rows.map((r) => r.shape)).toEqual([[24, 24, 16], null, null, null]);
    expect(s.problem?.index).toBe(2);
  });

  it('text that does not parse gives no rows; tryParseNetwork does not throw', () => {
    expect(tryParseNetwork('conv16k5,bogus').problem).toEqual({ index: 2, text: 'bogus', reason: expect.stringMatching(/^unknown layer/) });
  });

  it('too many parameters, or too much memory for a batch, are refused with the figure and the limit', () => {
    expect(trainingLimitProblem(summariseNetwork('conv4096k3-same,conv4096k3-same,flatten'), 32, 2 ** 34)).toMatch(
      /^network too large: 183,152,650 parameters \(limit 25,000,000\)$/,
    );
    expect(trainingLimitProblem(summariseNetwork('conv512k3-same,conv512k3-same,flatten,dense16'), 4096, 2 ** 33)).toMatch(
      /^network too large for a batch of 4096: about \d+\.\d GiB of memory to train \(limit 8\.0 GiB here\)/,
    );
    expect(trainingLimitProblem(summariseNetwork(PRESET_LAYERS['keras-cnn']), 256, 2 ** 33)).toBeNull();
  });
});
