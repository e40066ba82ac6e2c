// PreciseBN on real MNIST after real training steps: each batch-norm layer's moving statistics become exactly the
// moments of its input over the clean training images (checked against one big tf.moments per layer), the validation
// loss falls, a stop half-way puts every statistic back, and fit() recomputes them before the last validation.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_SIDE } from '../../src-shared/domain.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src-shared/types.js';
import { selectBackend } from '../../src-main/engine/backend.js';
import { imagesToFloat, loadMnist, rangeIndices, splitTrainVal, type Split } from '../../src-main/engine/data/mnist.js';
import { lossAndAccuracy, predictProbs } from '../../src-main/engine/evaluate.js';
import { buildModel } from '../../src-main/engine/models.js';
import { preciseBatchNorm, PreciseBnStopped } from '../../src-main/engine/precise-bn.js';
import { fit } from '../../src-main/engine/train.js';

const LAYERS = 'conv8k3-relu,batchnorm,maxpool2,conv16k3s2-same-relu,batchnorm,flatten,dense32-relu,batchnorm';
const CONFIG: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: 64, learningRate: 0.003, augment: 'affine', seed: 3 };
let train: Split;
let val: Split;

const batchNorms = (model: tf.LayersModel) => model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
/** [moving mean, moving variance] of each batch-norm layer, read back. */
const statistics = (model: tf.LayersModel) => batchNorms(model).map((l) => l.getWeights().slice(2).map((w) => Array.from(w.dataSync())));
const valLoss = async (model: tf.LayersModel) => lossAndAccuracy(await predictProbs(model, val.images, val.count), val.labels).loss;

/** A model trained for one epoch of augmented batches, its batch-norm statistics the training's moving averages. */
async function trained(): Promise<tf.LayersModel> {
  const model = buildModel('fast', 'adam', CONFIG.learningRate, { layers: LAYERS, adamBetas: CONFIG.adamBetas });
  await fit(model, train, { ...val, count: 0 }, CONFIG);
  return model;
}

beforeAll(async () => {
  await selectBackend('auto');
  ({ train, val } = splitTrainVal(loadMnist().train, 1000, 2000, 5));
});

describe('PreciseBN', () => {
  it('sets each layer to the moments of its input over the clean training images, and the validation loss falls', async () => {
    const model = await trained();
    const before = statistics(model);
    const lossBefore = await valLoss(model);
    const tensors = tf.memory().numTensors;
    expect(await preciseBatchNorm(model, train, 1, { images: train.count })).toEqual({ layers: 3, images: 2000 });
    expect(tf.memory().numTensors).toBe(tensors);

    // The reference: each layer's input for all 2 000 images in one pass (the layers before it already recomputed).
    const x = tf.tensor4d(imagesToFloat(train.images, rangeIndices(0, train.count)), [train.count, IMAGE_SIDE, IMAGE_SIDE, 1]);
    const after = statistics(model);
    batchNorms(model).forEach((layer, k) => {
      const toInput = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
      const [mean, variance] = tf.tidy(() => {
        const y = toInput.predict(x) as tf.Tensor;
        const { mean, variance } = tf.moments(y, y.shape.slice(0, -1).map((_, i) => i));
        return [Array.from(mean.dataSync()), Array.from(variance.dataSync())];
      });
      after[k][0].forEach((m, c) => expect(m).toBeCloseTo(mean[c], 4));
      after[k][1].forEach((v, c) => expect(Math.abs(v - variance[c])).toBeLessThan(1e-4 * Math.max(1, variance[c])));
      // and they are not what training left: 31 steps at momentum 0.99 moved the averages a quarter of the way
      const moved = Math.max(...after[k][1].map((v, c) => Math.abs(v - before[k][1][c]) / Math.max(v, 1e-3)));
      expect(moved).toBeGreaterThan(0.1);
    });
    x.dispose();
    const lossAfter = await valLoss(model);
    console.log(`validation loss ${lossBefore.toFixed(4)} with the training's moving averages, ${lossAfter.toFixed(4)} after PreciseBN`);
    expect(lossAfter).toBeLessThan(lossBefore);
    model.dispose();
  }, 300_000);

  it('stopped half-way, puts every statistic back as it was', async () => {
    const model = await trained();
    const before = statistics(model);
    const stop = new AbortController();
    let reads = 0;
    const watched = { ...train, get images() { if (++reads === 12) stop.abort(); return train.images; } }; // in the second layer
    await expect(preciseBatchNorm(model, watched, 1, { images: train.count, signal: stop.signal })).rejects.toThrow(PreciseBnStopped);
    expect(reads).toBeGreaterThan(8); // the first layer (8 batches of 250) was recomputed before the stop
    expect(statistics(model)).toEqual(before);
    model.dispose();
  }, 300_000);

  it('runs in fit() after the last epoch, before its validation, and says so', async () => {
    const model = buildModel('fast', 'adam', CONFIG.learningRate, { layers: LAYERS, adamBetas: CONFIG.adamBetas });
    const logs: string[] = [];
    const { history } = await fit(model, train, val, { ...CONFIG, epochs: 2 }, { onLog: (m) => logs.push(m) }, { preciseBatchNorm: true });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^batch norm: the statistics of its 3 layers recomputed on 2000 training images without augmentation \(PreciseBN, [\d.]+ s\)$/);
    expect(history[1].valLoss).toBeCloseTo(await valLoss(model), 6); // the last validation saw the recomputed model
    model.dispose();
  }, 300_000);
});
