// Recipe search: validation accuracy along a training run (wasm backend, real MNIST, the engine's own models, schedules
// and Adam), to measure how many images a recipe needs; the test set only with "test": true.
//   npx tsx bench/recipe.ts '{"name":"a","epochs":1.5,"lr":0.01,"schedule":"onecycle","adamBetas":[0.7,0.9]}' '{…}'
// Fields: preset, dropout, epochs (fractions allowed here), batch, lr, schedule, adamBetas, seed (split and order as
// `digit-lab train --seed`), checks (validation checks an epoch), test. Prints one JSON line a recipe.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend.js';
import { batchIndices, imagesToFloat, loadMnist, splitTrainVal } from '../src-main/engine/data/mnist.js';
import { lossAndAccuracy, predictProbs } from '../src-main/engine/evaluate.js';
import { buildModel, type AdamBetas } from '../src-main/engine/models.js';
import { trainStep } from '../src-main/engine/train.js';
import { mulberry32 } from '../src-shared/random.js';
import { scheduledLearningRate, type PresetName, type TrainConfig } from '../src-shared/types.js';
import { IMAGE_SIDE, PIXELS } from '../src-shared/domain.js';

interface Recipe {
  name: string; preset: PresetName; dropout: boolean; epochs: number; batch: number; lr: number; schedule: NonNullable<TrainConfig['schedule']>;
  adamBetas: AdamBetas; seed: number; checks: number; test: boolean;
}
const DEFAULTS: Recipe = {
  name: '', preset: 'fast', dropout: false, epochs: 2, batch: 128, lr: 0.01, schedule: 'onecycle', adamBetas: [0.7, 0.9], seed: 42, checks: 2,
  test: false,
};

const backend = await selectBackend('wasm');
const data = loadMnist();
for (const arg of process.argv.slice(2)) {
  const r: Recipe = { ...DEFAULTS, ...(JSON.parse(arg) as Partial<Recipe>) };
  const { train, val } = splitTrainVal(data.train, 5000, 0, r.seed);
  const model = buildModel(r.preset, 'adam', r.lr, { adamBetas: r.adamBetas, dropout: r.dropout });
  const total = Math.round(r.epochs * train.count);
  const checkEvery = Math.floor(train.count / r.checks);
  const floats = new Float32Array(r.batch * PIXELS);
  const curve: string[] = [];
  let seen = 0;
  let nextCheck = checkEvery;
  let trainMs = 0;
  for (let epoch = 1; seen < total; epoch++) {
    const rng = mulberry32(r.seed * 1009 + epoch); // as train.ts orders an epoch
    for (const all of batchIndices(train.count, r.batch, rng)) {
      if (seen >= total) break;
      const idx = all.subarray(0, Math.min(all.length, total - seen));
      const t = performance.now();
      (model.optimizer as unknown as { learningRate: number }).learningRate = scheduledLearningRate({ learningRate: r.lr, schedule: r.schedule }, seen / total);
      const xs = tf.tensor4d(imagesToFloat(train.images, idx, floats), [idx.length, IMAGE_SIDE, IMAGE_SIDE, 1]);
      const ys = tf.tensor2d(Float32Array.from(idx, (k) => train.labels[k]), [idx.length, 1]);
      const metrics = trainStep(model, xs, ys);
      const stacked = tf.stack(metrics);
      await stacked.data();
      tf.dispose([xs, ys, stacked, ...metrics]);
      trainMs += performance.now() - t;
      seen += idx.length;
      if (seen >= nextCheck || seen >= total) {
        nextCheck += checkEvery;
        const acc = lossAndAccuracy(await predictProbs(model, val.images, val.count), val.labels).accuracy;
        curve.push(`${(seen / train.count).toFixed(2)}:${(acc * 100).toFixed(2)}`);
      }
    }
  }
  const test = r.test ? lossAndAccuracy(await predictProbs(model, data.test.images, data.test.count), data.test.labels).accuracy : NaN;
  console.log(JSON.stringify({ ...r, curve: curve.join(' '), testAccuracy: +(test * 100).toFixed(2), imagesPerSec: Math.round(seen / (trainMs / 1000)), backend: backend.name }));
  model.optimizer.dispose();
  model.dispose();
}
