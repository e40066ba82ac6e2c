// Two ways of training `fast` on the wasm path side by side in one process, in alternating rounds (so that other work
// on the machine slows both alike): the quick run's model without dropout against the preset's dropout layers, or
// (--batch N) the quick run's model at its batch against batch N, per image.
//   npx tsx bench/step-ab.ts [rounds] [steps a round] [--batch N]
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend.js';
import { buildModel } from '../src-main/engine/models.js';
import { trainStep } from '../src-main/engine/train.js';
import { DEFAULT_TRAIN_CONFIG } from '../src-shared/types.js';
import { mnistBatch, mnistSplit } from './mnist-batch.js';

const args = process.argv.slice(2);
const batchArg = args.indexOf('--batch');
const otherBatch = batchArg >= 0 ? Number(args[batchArg + 1]) : 0;
const [rounds = 6, steps = 20] = args.filter((a, i) => !a.startsWith('--') && i !== batchArg + 1).map(Number);
const batch = DEFAULT_TRAIN_CONFIG.batchSize;
await selectBackend('wasm');
const split = mnistSplit('train');
const sides = otherBatch
  ? [
    { name: `batch ${batch}`, batch, model: buildModel('fast', 'adam', 0.003, { dropout: false }), ms: 0 },
    { name: `batch ${otherBatch}`, batch: otherBatch, model: buildModel('fast', 'adam', 0.003, { dropout: false }), ms: 0 },
  ]
  : [
    { name: 'no dropout', batch, model: buildModel('fast', 'adam', 0.003, { dropout: false }), ms: 0 },
    { name: 'dropout', batch, model: buildModel('fast', 'adam', 0.003, { dropout: true }), ms: 0 },
  ];
const load0 = os.loadavg()[0];
let start = 0;
const run = async (model: tf.LayersModel, n: number, batch: number) => {
  for (let i = 0; i < n; i++) {
    const [xs, labels] = mnistBatch(split, (start += batch), batch);
    const ys = labels.reshape([batch, 1]);
    const m = trainStep(model, xs, ys);
    const stacked = tf.stack(m);
    await stacked.data();
    tf.dispose([xs, labels, ys, stacked, ...m]);
  }
};
for (const s of sides) await run(s.model, 3, s.batch); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of r % 2 ? [...sides].reverse() : sides) {
    const t = performance.now();
    await run(s.model, Math.round((steps * batch) / s.batch), s.batch); // the same images a side
    s.ms += performance.now() - t;
  }
}
const ips = sides.map((s) => (rounds * Math.round((steps * batch) / s.batch) * s.batch) / (s.ms / 1000));
console.log(`load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}; ${rounds} rounds × ${steps * batch} images a side`);
for (const [i, s] of sides.entries()) console.log(`${s.name}: ${ips[i].toFixed(0)} img/s`);
console.log(`ratio ${sides[0].name} / ${sides[1].name}: ${(ips[0] / ips[1]).toFixed(3)}`);
