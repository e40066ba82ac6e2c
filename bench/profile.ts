// Where does a training step spend its time? Prints per-kernel totals for one
// trainOnBatch of each preset, with stock kernels, (--fast) the fast JS ones or (--wasm) the
// wasm backend (XNNPACK + our gradient kernels).
// Usage: npx tsx bench/profile.ts [--fast | --wasm] [--batch 64] [--steps 1] [--no-dropout] [--layers TEXT] [preset...]
// (--layers: a designed network in the text form, docs/networks.md, instead of the presets)
// (--steps: totals over that many steps; --no-dropout: the presets without their dropout layers, as the quick run trains)
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../src-main/engine/models.js';
import type { PresetName } from '../src-shared/types.js';
import { mnistBatch, mnistSplit } from './mnist-batch.js';

const args = process.argv.slice(2);
const useFast = args.includes('--fast');
const useWasm = args.includes('--wasm');
const batchArg = args.indexOf('--batch');
const batch = batchArg >= 0 ? Number(args[batchArg + 1]) : 64;
const stepsArg = args.indexOf('--steps');
const steps = stepsArg >= 0 ? Number(args[stepsArg + 1]) : 1;
const dropout = !args.includes('--no-dropout');
const layersArg = args.indexOf('--layers');
const layers = layersArg >= 0 ? args[layersArg + 1] : undefined;
const presets = args.filter((a, i) => !a.startsWith('--') && !['--batch', '--steps', '--layers'].includes(args[i - 1])) as PresetName[];

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  if (useWasm) {
    const { startWasm } = await import('../src-main/engine/wasm/index.js');
    console.log('wasm backend:', await startWasm());
  } else if (useFast) {
    const { registerFastKernels } = await import('../src-main/engine/kernels/index.js');
    console.log('fast kernels:', registerFastKernels().join(', '));
  }
  const [xs, ys] = mnistBatch(mnistSplit('train'), 0, batch);
  for (const preset of layers ? ['fast' as const] : presets.length ? presets : (['fast', 'mlp', 'seed', 'keras-cnn'] as PresetName[])) {
    const model = buildModel(preset, 'adam', 0.001, { dropout, layers });
    await model.trainOnBatch(xs, ys); // warm-up: creates optimizer slots
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
    });
    const wall = performance.now() - t0;
    const totals = new Map<string, { ms: number; n: number; shapes: string }>();
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const e = totals.get(k.name) ?? { ms: 0, n: 0, shapes: '' };
      e.ms += ms;
      e.n += 1;
      if (!e.shapes) e.shapes = JSON.stringify(k.inputShapes);
      totals.set(k.name, e);
    }
    const sum = [...totals.values()].reduce((s, e) => s + e.ms, 0);
    console.log(`\n${layers ?? preset}: batch ${batch}, ${steps} step(s) ${wall.toFixed(0)} ms wall, ${sum.toFixed(0)} ms in kernels`);
    for (const [name, e] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
      console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / sum).toFixed(1).padStart(5)}%  x${e.n}  ${e.shapes.slice(0, 60)}`);
    }
    model.dispose();
  }
  if (useWasm) {
    const { splitDecisions } = await import('../src-main/engine/kernels/index.js');
    console.log('\nsplit across the helper thread (timed trials per call shape: single-thread ms, split ms):');
    for (const d of splitDecisions()) console.log(`  ${d.split ? 'split ' : 'single'} ${d.singleMs.toFixed(2).padStart(7)} ${d.splitMs.toFixed(2).padStart(7)}  ${d.shape}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
