// Recipe search: images a training recipe needs to reach a validation accuracy (wasm backend, real MNIST).
//   npx tsx bench/recipe.ts '{"name":"a","lr":0.003,"epochs":1,"schedule":"onecycle"}' '{…}'
// Each JSON line: net (fast|fast-nodrop|…), epochs, batch, lr, schedule, warmup, beta1, beta2, seed, checks
// (validation checks a epoch). Prints one JSON line per recipe: val accuracy at each check, images per second.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend.js';
import { batchIndices, imagesToFloat, loadMnist, splitTrainVal } from '../src-main/engine/data/mnist.js';
import { lossAndAccuracy, predictProbs } from '../src-main/engine/evaluate.js';
import { FusedAdam } from '../src-main/engine/adam.js';
import { trainStep } from '../src-main/engine/train.js';
import { mulberry32 } from '../src-shared/random.js';

interface Recipe {
  name?: string; net?: string; epochs?: number; batch?: number; batch2?: number; lr?: number; schedule?: string;
  warmup?: number; beta1?: number; beta2?: number; seed?: number; checks?: number; test?: boolean; final?: number;
}

const S = [28, 28, 1];
function net(kind: string): tf.Sequential {
  const L = tf.layers;
  const drop = !kind.includes('nodrop');
  const layers: tf.layers.Layer[] = [];
  if (kind.startsWith('fast')) {
    layers.push(L.conv2d({ inputShape: S, filters: 16, kernelSize: 5, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 32, kernelSize: 5, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }), L.flatten());
    if (drop) layers.push(L.dropout({ rate: 0.25 }));
    layers.push(L.dense({ units: 128, activation: 'relu' }));
    if (drop) layers.push(L.dropout({ rate: 0.4 }));
  } else if (kind.startsWith('small')) { // 8 / 16 filters
    layers.push(L.conv2d({ inputShape: S, filters: 8, kernelSize: 5, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }), L.flatten());
    if (drop) layers.push(L.dropout({ rate: 0.25 }));
    layers.push(L.dense({ units: 128, activation: 'relu' }));
  } else if (kind.startsWith('tuomaso')) { // conv24 5x5 pool, conv32 3x3 pool, dense 256
    layers.push(L.conv2d({ inputShape: S, filters: 24, kernelSize: 5, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }), L.flatten(),
      L.dense({ units: 256, activation: 'relu' }));
  }
  layers.push(L.dense({ units: 10, activation: 'softmax' }));
  return tf.sequential({ layers });
}

function lrAt(r: Required<Recipe>, p: number): number {
  const cos = (q: number) => 0.5 * (1 + Math.cos(Math.PI * Math.min(1, q)));
  if (r.schedule === 'constant') return r.lr;
  if (r.schedule === 'cosine') return r.lr * (0.05 + 0.95 * cos(p));
  // onecycle: linear warm-up over `warmup`, then cosine to `final`·lr
  if (p < r.warmup) return r.lr * (0.1 + 0.9 * (p / r.warmup));
  return r.lr * (r.final + (1 - r.final) * cos((p - r.warmup) / (1 - r.warmup)));
}

const backend = await selectBackend('wasm');
const data = loadMnist();
const defaults: Required<Recipe> = {
  name: '', net: 'fast', epochs: 1, batch: 128, batch2: 0, lr: 0.003, schedule: 'cosine', warmup: 0.2,
  beta1: 0.9, beta2: 0.999, seed: 42, checks: 4, test: false, final: 0.02,
};
for (const arg of process.argv.slice(2)) {
  const r: Required<Recipe> = { ...defaults, ...(JSON.parse(arg) as Recipe) };
  const { train, val } = splitTrainVal(data.train, 5000, 0, r.seed);
  const model = net(r.net);
  const opt = new FusedAdam(r.lr);
  (opt as unknown as { beta1: number; beta2: number }).beta1 = r.beta1;
  (opt as unknown as { beta1: number; beta2: number }).beta2 = r.beta2;
  model.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const total = r.epochs * train.count;
  const checkEvery = Math.floor(train.count / r.checks);
  let seen = 0, nextCheck = checkEvery, trainMs = 0;
  const curve: string[] = [];
  const floats = new Float32Array(Math.max(r.batch, r.batch2) * 784);
  for (let e = 1; e <= Math.ceil(r.epochs) && seen < total; e++) {
    const rng = mulberry32(r.seed * 1009 + e);
    const bs = r.batch2 && e > 1 ? r.batch2 : r.batch; // batch ramp: second epoch onward (or see below)
    const order = [...batchIndices(train.count, 1, rng)].map((a) => a[0]);
    for (let i = 0; i < train.count && seen < total; ) {
      const b = r.batch2 && seen >= total / 2 ? r.batch2 : bs;
      const idx = Int32Array.from(order.slice(i, Math.min(train.count, i + b)).map((k) => train.count && k));
      i += b;
      const t = performance.now();
      const opt2 = model.optimizer as unknown as { learningRate: number };
      opt2.learningRate = lrAt(r, seen / total);
      const x = imagesToFloat(train.images, idx, floats.subarray(0, idx.length * 784));
      const y = Float32Array.from(idx, (k) => train.labels[k]);
      const xs = tf.tensor4d(x, [idx.length, 28, 28, 1]);
      const ys = tf.tensor2d(y, [idx.length, 1]);
      const m = trainStep(model, xs, ys);
      await tf.stack(m).data();
      tf.dispose([xs, ys, ...m]);
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
  console.log(JSON.stringify({ ...r, curve: curve.join(' '), test: +(test * 100).toFixed(2), ips: Math.round(seen / (trainMs / 1000)), backend: backend.name }));
  opt.dispose();
  model.dispose();
}
