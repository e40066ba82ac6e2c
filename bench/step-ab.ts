// Two ways of training `fast` on the wasm path side by side in one process, in alternating rounds (so that other work
// on the machine slows both alike): the quick run's model without dropout against the preset's dropout layers, or
// (--batch N) the quick run's model at its batch against batch N, per image, or (--kernels) our SIMD kernels
// (wasm/simd.ts) against the XNNPACK way (--preset P --at N: which preset, at which batch; default fast at the quick run's batch).
//   npx tsx bench/step-ab.ts [rounds] [steps a round] [--batch N | --kernels [--helper | --bias-add | --small | --matmul | --batch-norm] [--preset P] [--at N]]
// (--helper / --bias-add / --small: our kernels with their helper thread / their bias add / their small kernels — Sum,
// MaxPool, Relu and its gradient, Adam's update in SIMD, the value-a-row broadcast, Identity without a copy, Softmax in JS — against without them;
// --matmul: the dense layers' products by our GEMM against XNNPACK's; --batch-norm: batch norm through the fused kernels
// against the stock layer's way, on a preset with batch norm: --preset best)
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/engine/backend.js';
import { buildModel } from '../src-main/engine/models.js';
import { trainStep } from '../src-main/engine/train.js';
import { SIMD } from '../src-main/engine/wasm/simd.js';
import { FUSED_BATCH_NORM } from '../src-main/engine/batch-norm.js';
import { DEFAULT_TRAIN_CONFIG, type PresetName } from '../src-shared/types.js';
import { mnistBatch, mnistSplit } from './mnist-batch.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const otherBatch = Number(option('--batch') ?? 0);
const kernels = args.includes('--kernels');
const helper = args.includes('--helper'); // with --kernels: our SIMD kernels with their helper thread against without
const biasAdd = args.includes('--bias-add'); // with --kernels: our SIMD kernels with and without their bias add
const small = args.includes('--small');
const matMul = args.includes('--matmul'); // with --kernels: the dense layers' products by our GEMM against XNNPACK's // with --kernels: with and without our small kernels (SIMD Sum, MaxPool, Relu, relu gradient, Adam; row broadcast; Identity; Softmax)
const batchNorm = args.includes('--batch-norm');
const preset = (option('--preset') ?? 'fast') as PresetName;
const [rounds = 6, steps = 20] = args.filter((a, i) => !a.startsWith('--') && !['--batch', '--preset', '--at'].includes(args[i - 1])).map(Number);
const batch = Number(option('--at') ?? DEFAULT_TRAIN_CONFIG.batchSize);
await selectBackend('wasm');
const split = mnistSplit('train');
interface Side {
  name: string; batch: number; model: tf.LayersModel; ms: number; simd?: boolean; helper?: boolean; biasAdd?: boolean; small?: boolean;
  matMul?: boolean; fusedBatchNorm?: boolean;
}
const sides: Side[] = kernels && batchNorm
  ? [
    { name: `${preset}: fused batch norm`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true },
    { name: `${preset}: TF.js's batch norm`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true, fusedBatchNorm: false },
  ]
  : kernels && matMul
  ? [
    { name: `${preset}: GEMM`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true },
    { name: `${preset}: XNNPACK matmul`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true, matMul: false },
  ]
  : kernels && small
  ? [
    { name: `${preset}: with the small kernels`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true },
    { name: `${preset}: without`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true, small: false },
  ]
  : kernels && biasAdd
  ? [
    { name: `${preset}: SIMD with bias_add`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true },
    { name: `${preset}: SIMD, JS bias add`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true, biasAdd: false },
  ]
  : kernels && helper
  ? [
    { name: `${preset}: SIMD, 2 threads`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true },
    { name: `${preset}: SIMD, 1 thread`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true, helper: false },
  ]
  : kernels
  ? [
    { name: `${preset}: SIMD kernels`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: true },
    { name: `${preset}: XNNPACK`, batch, model: buildModel(preset, 'adam', 0.001, { dropout: preset !== 'fast' }), ms: 0, simd: false },
  ]
  : otherBatch
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
const run = async ({ model, batch, simd, helper, biasAdd, small, matMul, fusedBatchNorm }: Side, n: number) => {
  FUSED_BATCH_NORM.enabled = fusedBatchNorm ?? true;
  Object.assign(SIMD, { enabled: simd ?? true, helper: helper ?? true, biasAdd: biasAdd ?? true, matMul: matMul ?? true });
  const on = small ?? true;
  Object.assign(SIMD, { sum: on, maxPool: on, relu: on, adam: on, rowBroadcast: on, identity: on, softmax: on });
  for (let i = 0; i < n; i++) {
    const [xs, labels] = mnistBatch(split, (start += batch), batch);
    const ys = labels.reshape([batch, 1]);
    const m = trainStep(model, xs, ys);
    const stacked = tf.stack(m);
    await stacked.data();
    tf.dispose([xs, labels, ys, stacked, ...m]);
  }
};
for (const s of sides) await run(s, 3); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of r % 2 ? [...sides].reverse() : sides) {
    const t = performance.now();
    await run(s, Math.round((steps * batch) / s.batch)); // the same images a side
    s.ms += performance.now() - t;
  }
}
const ips = sides.map((s) => (rounds * Math.round((steps * batch) / s.batch) * s.batch) / (s.ms / 1000));
console.log(`load ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}; ${rounds} rounds × ${steps * batch} images a side`);
for (const [i, s] of sides.entries()) console.log(`${s.name}: ${ips[i].toFixed(0)} img/s, ${((1000 * s.batch) / ips[i]).toFixed(1)} ms a step of ${s.batch}`);
console.log(`ratio ${sides[0].name} / ${sides[1].name}: ${(ips[0] / ips[1]).toFixed(3)}`);
