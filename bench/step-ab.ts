// Two ways of training `fast` on the wasm path side by side in one process, in alternating rounds (so that other work
// on the machine slows both alike): the quick run's model without dropout against the preset's dropout layers.
//   npx tsx bench/step-ab.ts [rounds] [steps a round]
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend.js';
import { buildModel } from '../src-main/engine/models.js';
import { trainStep } from '../src-main/engine/train.js';
import { DEFAULT_TRAIN_CONFIG } from '../src-shared/types.js';
import { mnistBatch, mnistSplit } from './mnist-batch.js';

const rounds = Number(process.argv[2] ?? 6);
const steps = Number(process.argv[3] ?? 20);
const batch = DEFAULT_TRAIN_CONFIG.batchSize;
await selectBackend('wasm');
const split = mnistSplit('train');
const sides = [
  { name: 'no dropout', model: buildModel('fast', 'adam', 0.003, { dropout: false }), ms: 0 },
  { name: 'dropout', model: buildModel('fast', 'adam', 0.003, { dropout: true }), ms: 0 },
];
const load0 = os.loadavg()[0];
let start = 0;
const run = async (model: tf.LayersModel, n: number) => {
  for (let i = 0; i < n; i++) {
    const [xs, labels] = mnistBatch(split, (start += batch), batch);
    const ys = labels.reshape([batch, 1]);
    const m = trainStep(model, xs, ys);
    const stacked = tf.stack(m);
    await stacked.data();
    tf.dispose([xs, labels, ys, stacked, ...m]);
  }
};
for (const s of sides) await run(s.model, 3); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of r % 2 ? [...sides].reverse() : sides) {
    const t = performance.now();
    await run(s.model, steps);
    s.ms += performance.now() - t;
  }
}
const ips = sides.map((s) => (rounds * steps * batch) / (s.ms / 1000));
console.log(`load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}; ${rounds} rounds × ${steps} steps of ${batch}`);
for (const [i, s] of sides.entries()) console.log(`${s.name}: ${ips[i].toFixed(0)} img/s`);
console.log(`ratio ${sides[0].name} / ${sides[1].name}: ${(ips[0] / ips[1]).toFixed(3)}`);
