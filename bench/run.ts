// `npm run bench`: training and evaluation speed of every preset, stock TF.js CPU kernels vs
// Digit Lab's fast kernels. Each preset runs in its own process (its own peak RSS). Prints a
// table and writes it, with the machine it ran on, to docs/benchmarks.md.
// Options: --full-epoch (train a real 55 000-image epoch instead of extrapolating), --no-pen (skip the
// real-handwriting section, bench/pen.ts), preset names.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PresetName } from '../src-shared/types.js';
import { penSection } from './pen.js';
import type { PresetResult } from './train-speed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const fullEpoch = args.includes('--full-epoch');
const presets = (args.filter((a) => !a.startsWith('--')) as PresetName[]).concat();
if (presets.length === 0) presets.push('fast', 'mlp', 'seed', 'keras-cnn');

function runPreset(preset: PresetName): PresetResult {
  console.error(`measuring ${preset}…`);
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, path.join(here, 'train-speed.ts'), preset, ...(fullEpoch ? ['--full-epoch'] : [])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`bench for ${preset} printed no result`);
  return JSON.parse(line.slice(7)) as PresetResult;
}

const results = presets.map(runPreset);
const pen = args.includes('--no-pen') ? '' : await penSection();
const header =
  '| preset | stock img/s | fast img/s (same batches) | speed-up | fast, 1 thread | fast, 2 threads | epoch 55k | eval 10k | peak RSS |';
const rows = results.map(
  (r) =>
    `| ${r.preset} | ${r.stockImagesPerSec.toFixed(1)} | ${r.fastSameImagesPerSec.toFixed(1)} | ` +
    `${(r.fastSameImagesPerSec / r.stockImagesPerSec).toFixed(1)}× | ${r.oneThreadImagesPerSec.toFixed(0)} | ` +
    `${r.helper ? r.fastImagesPerSec.toFixed(0) : 'n/a'} | ` +
    `${r.epochSeconds.toFixed(0)} s${r.epochMeasured ? '' : ' (est.)'} | ${r.evalSeconds.toFixed(2)} s | ` +
    `${r.peakRssMiB.toFixed(0)} MiB |`,
);
const table = [header, '|---|---:|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
const cpus = os.cpus();
const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.arch()}`;
const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const notes = results
  .map(
    (r) =>
      `- ${r.preset}: stock vs fast compared on the same ${r.stockImages} images in batches of ${r.compareBatch} ` +
      `(after warm-up batches); fast throughput over ${r.fastImages} images (2 threads) and ` +
      `${r.oneThreadImages} images (1 thread) in batches of ${r.trainBatch}` +
      (r.epochMeasured ? '; epoch time measured' : `; epoch time extrapolated from those ${r.fastImages} images`) +
      `; the helper thread paid (≥ 15% faster) for ${r.splitKept} of the ${r.splitShapes} convolution shapes timed.`,
  )
  .join('\n');

console.log(`\n${machine}\n\n${table}\n`);

const doc = `# Benchmarks

Training and evaluation speed on the pure-JS \`cpu\` backend of TF.js 4.22: stock kernels vs
Digit Lab's fast kernels (\`src-main/engine/kernels/\`). Produced by \`npm run bench\`
(\`npm run bench -- --full-epoch\` trains a real epoch per preset instead of extrapolating);
this file is rewritten with the latest result.

Machine: ${machine}. Run: ${date}.
Load average when it started: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} (other work on the
machine slows both columns alike; the speed-up is measured on the same batches in the same process;
with the second core busy, the 2-thread column cannot beat the 1-thread one).

${table}

- stock img/s / fast img/s (same batches): training throughput (\`model.trainOnBatch\`, Adam) with the
  stock kernels and with the fast kernels on the same batches; speed-up is their ratio.
- fast, 1 thread / 2 threads: training images/s with the fast kernels at the app's default batch size
  (64), without and with the helper thread that computes half of each large convolution (as the app
  runs it: only for the shapes where timing showed that splitting pays). Measured in alternating rounds. Epoch 55k
  is 55 000 images at the 2-thread rate (3 epochs, the app's default run, take three times that).
- eval 10k: \`model.predict\` on the 10 000 test images in batches of 1000, fast kernels.
- peak RSS: \`process.resourceUsage().maxRSS\` of the process that measured the preset.

${notes}

## Time to 99% (measured 2026-11-25 with the CLI, not part of \`npm run bench\`)

Whole \`digit-lab train\` commands on the full training set (55 000 images after the validation split),
wall time from start to saved model (loading MNIST, 3 epochs, validation, test evaluation, save),
\`fast\` preset, Adam with cosine decay, no augmentation; test accuracy on the 10 000 test images:

| command | load avg | wall time | test accuracy |
|---|---:|---:|---:|
| \`digit-lab train\` defaults: \`--epochs 3 --batch-size 128 --lr 0.003\` | 1.2 | 4 min 09 s | **99.12%** |
| \`--epochs 3 --batch-size 64 --lr 0.002\` | 1.4 | 4 min 20 s | 98.97% |
| \`--epochs 3 --batch-size 64 --lr 0.002\` | 2.8 | 6 min 15 s | 99.15% |
| \`--epochs 2 --batch-size 64 --lr 0.002\` | 1.4 | 2 min 47 s | 98.94% |

Weight initialisation is not seeded (the seed covers the split, shuffling and augmentation), so runs
of one command differ by about ±0.1 point. Earlier, with evaluations every half epoch: lr 0.002
decayed over 3 epochs at batch 64 reached 99.04% after 2 epochs; lr 0.001 decayed over 2 epochs
ended at 98.4%.

## What the fast kernels do

\`registerFastKernels()\` (\`src-main/engine/kernels/index.ts\`) replaces these stock \`cpu\` kernels,
keeping each stock kernel as the fallback for cases it does not cover (NCHW, dilation, strides > 2,
explicit padding, other dtypes and activations): Conv2D, FusedConv2D, Conv2DBackpropFilter,
Conv2DBackpropInput, MaxPool, MaxPoolGrad, BatchMatMul, _FusedMatMul, Add, Sub, Multiply, RealDiv,
Sum, Relu, Step. Profiled before (\`npx tsx bench/profile.ts [--fast] fast seed mlp\`): with the stock
kernels Conv2DBackpropFilter alone took 93% of a \`fast\` training step (7.6 s of 8.1 s at batch 32);
after, the three convolution kernels together take 60-70% of a step and every other kernel under ~12%.

- Convolutions (NHWC, stride 1-2, 'same'/'valid'): im2col + a register-blocked GEMM (4×4
  micro-kernel on packed panels, \`gemm.ts\`); im2col is never stored, its panels are packed straight
  from the image. y = im2col(x)·W, dW = im2col(x)ᵀ·dy, dx = col2im(dy·Wᵀ) (\`conv-core.ts\`).
- Zeros skipped (\`conv-sparse.ts\`): gradients reaching a conv followed by relu + max pooling are
  85-88% zeros (measured in training), MNIST images ~80%; below 30% non-zero the kernels loop over the
  non-zero values instead of running the GEMM.
- Second core (\`parallel.ts\`, \`conv-worker.ts\`): a worker thread computes half the batch of each
  large convolution from a SharedArrayBuffer while the main thread computes the other half and then
  blocks in Atomics.wait. It pays only when the second core is free, so for each convolution shape
  the first calls time one thread against two (\`split-policy.ts\`) and splitting is kept only where
  it saves at least 15%, re-checked every 400 calls; DIGIT_LAB_THREADS=1 turns the helper off.
- Pooling, element-wise ops and bias sums: NHWC loops without the stock per-element index
  arithmetic (the stock broadcasting Add converts every index to coordinates and back).

Conv2DBackpropFilter alone, batch 128, NHWC, stride 1, 'valid', dense dy, one thread (CPU time on
this machine, same day): 28×28×1→8 5×5: 19 ms; 12×12×8→16 5×5: 20 ms; 28×28×1→32 3×3: 35 ms;
26×26×32→64 3×3: 760 ms. Earlier measurements of the stock kernel on the same shapes: 3008, 5789,
4960 and 258 657 ms; of a plain loop in cache-friendly order: 55, 57, 69 and 2984 ms.
`;
const target = path.join(here, '..', 'docs', 'benchmarks.md');
// Keep the section that `npm run bench:latency` owns (between its markers).
const previous = existsSync(target) ? readFileSync(target, 'utf8') : '';
const latency = /<!-- latency:start -->[\s\S]*<!-- latency:end -->/.exec(previous)?.[0];
const body = pen ? `${doc.trimEnd()}\n\n${pen}` : doc;
writeFileSync(`${target}.tmp`, latency ? `${body.trimEnd()}\n\n${latency}\n` : body);
renameSync(`${target}.tmp`, target);
console.error(`wrote ${path.relative(process.cwd(), target)}`);
