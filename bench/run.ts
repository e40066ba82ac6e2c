// `npm run bench`: training and evaluation speed of every preset on the CPU paths, side by side:
// TF.js's stock `cpu` kernels, Digit Lab's JS kernels (`--backend js`), the WebAssembly path (`--backend wasm`), and
// PyTorch (python3-torch) as a peer where it is installed, in rounds alternating with ours (bench/peer.ts). Every
// path trains each preset at its own default batch size, dropout and Adam betas (fast and mlp: 256, no dropout; seed:
// 32, with it). Prints the tables and writes them, with the machine and its load, to docs/benchmarks.md; the
// sections other scripts produce are kept, each marked as not re-measured by this run. Options: --no-pen (skip the
// real-handwriting section, bench/pen.ts), preset names (default: fast, seed, mlp; keras-cnn is slow).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVAL_BATCH } from '../src-main/engine/evaluate.js';
import type { PresetName } from '../src-shared/types.js';
import type { AugmentResult } from './augment.js';
import { comparePeer, torchMissing, type PeerResult } from './peer.js';
import { penSection } from './pen.js';
import type { PathResult, PresetResult } from './train-speed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const presets = args.filter((a) => !a.startsWith('--')) as PresetName[];
if (presets.length === 0) presets.push('fast', 'seed', 'mlp');

function result<T>(cmd: string, args: readonly string[], env: Record<string, string> = {}): T {
  const out = execFileSync(cmd, args, {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20, env: { ...process.env, ...env },
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${path.basename(args.find((a) => /\.(ts|py)$/.test(a)) ?? cmd)} printed no result`);
  return JSON.parse(line.slice(7)) as T;
}

const node = (script: string, args: string[], env: Record<string, string> = {}) =>
  [process.execPath, [...process.execArgv, path.join(here, script), ...args], env] as const;

const started = new Date();
const load0 = os.loadavg();
const rows: { side: PresetResult; two: PathResult; one: PathResult }[] = [];
const noTorch = torchMissing();
if (noTorch) console.error(noTorch);
const peers = new Map<PresetName, PeerResult>();
for (const preset of presets) {
  console.error(`measuring ${preset}: stock, JS kernels and wasm side by side…`);
  const side = result<PresetResult>(...node('train-speed.ts', [preset]));
  console.error(`measuring ${preset}: wasm alone, 2 threads and 1, alternating…`);
  const alone = (threads: string) => result<PathResult>(...node('train-speed.ts', [preset, '--path', 'wasm'], { DIGIT_LAB_THREADS: threads }));
  const runs = [alone('2'), alone('1'), alone('2'), alone('1')];
  const mean = (rs: PathResult[]): PathResult => ({
    ...rs[0],
    imagesPerSec: rs.length / rs.reduce((s, r) => s + 1 / r.imagesPerSec, 0),
    evalSeconds: rs.reduce((s, r) => s + r.evalSeconds, 0) / rs.length,
    peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB)),
  });
  rows.push({ side, two: mean([runs[0], runs[2]]), one: mean([runs[1], runs[3]]) });
  if (!noTorch) {
    console.error(`measuring ${preset}: ours and PyTorch in alternating rounds…`);
    peers.set(preset, await comparePeer(preset));
  }
}
console.error('measuring the peaks and augmentation…');
const wasmPeak = result<{ threads: number; gemmMacsPerSec: number }>(...node('peak-wasm.ts', []));
const simdPeak = result<{ threads: number; oneThreadMacsPerSec: number; allThreadsMacsPerSec: number }>(...node('peak-simd.ts', []));
const augment = result<AugmentResult>(...node('augment.ts', []));
const load1 = os.loadavg();

const f0 = (v: number) => v.toFixed(0);
const f1 = (v: number) => v.toFixed(1);
const speedTable = [
  '| preset | batch | stock img/s | JS kernels img/s | wasm img/s | wasm / JS | wasm, 1 thread | wasm, 2 threads (alone) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(({ side: r, two, one }) =>
    `| ${r.preset} | ${r.batch} | ${f1(r.stockImagesPerSec)} | ${f0(r.jsImagesPerSec)} | **${f0(r.wasmImagesPerSec)}** | ` +
      `${(r.wasmImagesPerSec / r.jsImagesPerSec).toFixed(1)}× | ${f0(one.imagesPerSec)} | ${f0(two.imagesPerSec)} |`),
].join('\n');
const peerRows = presets.map((p) => peers.get(p)).filter((p): p is PeerResult => !!p);
const peerTable = peerRows.length
  ? [
      '| preset | batch | dropout | threads | Digit Lab (wasm) img/s | PyTorch img/s | PyTorch / ours | evaluation: ours | PyTorch |',
      '|---|---:|---|---:|---:|---:|---:|---:|---:|',
      ...peerRows.map((p) =>
        `| ${p.preset} | ${p.batch} | ${p.dropout ? 'yes' : 'no'} | ${p.threads} | **${f0(p.oursImagesPerSec)}** | ${f0(p.torchImagesPerSec)} | ` +
          `${(p.torchImagesPerSec / p.oursImagesPerSec).toFixed(2)}× | ${p.oursEvalSeconds.toFixed(2)} s | ${p.torchEvalSeconds.toFixed(2)} s |`),
    ].join('\n')
  : `(${noTorch})`;
const evalTable = [
  '| preset | JS kernels | wasm | wasm peak RSS (train + eval) |',
  '|---|---:|---:|---:|',
  ...rows.map(({ side: r, two }) =>
    `| ${r.preset} | ${r.jsEvalSeconds.toFixed(2)} s${r.jsEvalImages < 10_000 ? ' (est.)' : ''} | ` +
      `**${r.wasmEvalSeconds.toFixed(2)} s** | ${f0(two.peakRssMiB)} MiB |`),
].join('\n');
const kernelTables = rows
  .map(({ side: r }) => {
    const top = r.wasmKernels.slice(0, 8);
    const rest = r.wasmKernels.slice(8).reduce((s, k) => s + k.share, 0);
    return [
      `**${r.preset}**, one training step at batch ${r.batch}: ${f0(r.wasmStepMs)} ms wall.`,
      '',
      '| kernel | ms | share | calls |',
      '|---|---:|---:|---:|',
      ...top.map((k) => `| ${k.name} | ${f1(k.ms)} | ${(100 * k.share).toFixed(0)}% | ${k.calls} |`),
      `| all others | | ${(100 * rest).toFixed(0)}% | |`,
    ].join('\n');
  })
  .join('\n\n');
const fast = rows.find((r) => r.side.preset === 'fast')?.side;
const torchGemm = peerRows[0]?.torchGemmMacsPerSec;
const g = (v: number) => `${(v / 1e9).toFixed(1)} G`;
const pct = (v: number, of: number) => `${((100 * v) / of).toFixed(0)}%`;
const limit = fast
  ? [
      `- \`fast\` costs ${(fast.forwardMacs / 1e6).toFixed(2)} M multiply-adds per image forward and ` +
        `${(fast.trainMacs / 1e6).toFixed(2)} M per training image (forward + weight and input gradients).`,
      `- wasm trains at ${g(fast.wasmImagesPerSec * fast.trainMacs)}MAC/s (batch ${fast.batch}) and evaluates at ` +
        `${g((10_000 * fast.forwardMacs) / fast.wasmEvalSeconds)}MAC/s.`,
      `- Measured peak of 128-bit WebAssembly SIMD here (\`bench/peak-simd.ts\`: independent f32x4 multiply + add pairs, ` +
        `no memory traffic): ${g(simdPeak.oneThreadMacsPerSec)}MAC/s on one core, ${g(simdPeak.allThreadsMacsPerSec)}MAC/s on ` +
        `${simdPeak.threads}. Training runs at ${pct(fast.wasmImagesPerSec * fast.trainMacs, simdPeak.allThreadsMacsPerSec)} ` +
        `of it (at that peak: ${f0(simdPeak.allThreadsMacsPerSec / fast.trainMacs)} img/s), evaluation at ` +
        `${pct((10_000 * fast.forwardMacs) / fast.wasmEvalSeconds, simdPeak.allThreadsMacsPerSec)}.`,
      `- Measured best large GEMM of the wasm path (XNNPACK, 1024³, ${wasmPeak.threads} threads): ${g(wasmPeak.gemmMacsPerSec)}MAC/s ` +
        `(${pct(wasmPeak.gemmMacsPerSec, simdPeak.allThreadsMacsPerSec)} of the SIMD peak): training runs at ` +
        `${pct(fast.wasmImagesPerSec * fast.trainMacs, wasmPeak.gemmMacsPerSec)} of what XNNPACK reaches on an ideal shape.`,
      torchGemm
        ? `- PyTorch's \`torch.mm\` (1024³ float32, ${peerRows[0].threads} threads, on the BLAS Debian's PyTorch ${peerRows[0].torch} is built with: ` +
          `BLAS_INFO=${peerRows[0].blas}): ${g(torchGemm)}MAC/s in this run. That is what this PyTorch build does with one large GEMM ` +
          'here, not a peak of the cores: native 256-bit FMA code could go further, but no native peak is measured here, so none is claimed.'
        : '- No native peak is measured here (PyTorch absent), so none is claimed.',
    ].join('\n')
  : '';
const augmentText =
  `\`bench/augment.ts\`, ${augment.images} MNIST test images, median of 20 rounds: \`affine\` ${augment.affineMsPerImage.toFixed(4)} ms ` +
  `per image, \`pen\` ${augment.penMsPerImage.toFixed(4)} ms per image (a \`fast\` batch of 256 with \`--augment pen\`: ` +
  `${(augment.penMsPerImage * 256).toFixed(1)} ms of CPU beside its training step).`;
const pen = args.includes('--no-pen') ? '' : await penSection();
const cpus = os.cpus();
const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.arch()}`;
const date = started.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const loads = (l: number[]) => l.map((v) => v.toFixed(1)).join(', ');
const torchNote = peerRows.length
  ? `PyTorch ${peerRows[0].torch} (Debian python3-torch: convolutions on oneDNN, dense layers on its BLAS, BLAS_INFO=${peerRows[0].blas}), ${peerRows[0].threads} threads`
  : 'PyTorch (absent in this run)';

console.log(`\n${machine}\n\n${speedTable}\n\n${peerTable}\n\n${evalTable}\n\n${limit}\n\n${augmentText}\n\n${kernelTables}\n`);

const doc = `# Benchmarks

Training and evaluation speed on the CPU paths, measured side by side by \`npm run bench\`
(\`bench/run.ts\`); this file is rewritten with the latest result. The sections after the real-handwriting one are
produced by other scripts; each says when it was measured, and this run keeps them unchanged (marked so).

- **stock**: TF.js 4.22's \`cpu\` backend with its own kernels.
- **JS kernels**: \`--backend js\`: the \`cpu\` backend with Digit Lab's kernels (\`src-main/engine/kernels/\`,
  helper thread on the second core).
- **wasm**: \`--backend wasm\`, what \`auto\` picks without tfjs-node: tfjs-backend-wasm (XNNPACK, 128-bit SIMD)
  on every core, with Digit Lab's kernels for what it lacks (\`src-main/engine/wasm/\`).
- **PyTorch**: the same networks in ${torchNote} (\`bench/torch_peer.py\`), as a peer, in rounds alternating with
  the wasm path's (\`bench/peer.ts\`).

Every column trains each preset as \`digit-lab train --preset P\` does by default: its batch size, dropout and Adam
betas (\`fast\`, \`mlp\`: batch 256, no dropout, β 0.7 / 0.9; \`seed\`: batch 32, dropout, β 0.9 / 0.999), on the
same MNIST training images in the same order.

Machine: ${machine}. Run: ${date}. Load average at the start: ${loads(load0)}; at the end: ${loads(load1)}
(the machine is shared: other work slows every column; the columns of each table are measured in alternating
rounds, so their ratios hold under load better than the absolute figures).

## Training (images/s, Adam)

${speedTable}

- stock: ${rows.map((r) => `${r.side.preset} ${r.side.stockImages / r.side.batch} batch${r.side.stockImages / r.side.batch > 1 ? 'es' : ''} of ${r.side.batch}`).join(', ')} (the same first batches as the other columns, fewer: it is slow), after a warm-up of 8 images.
- JS kernels / wasm: ${rows.map((r) => `${r.side.preset} ${r.side.images}`).join(', ')} images each, in 4 alternating rounds, one process.
- wasm, 1 / 2 threads (alone): the wasm path in its own process (\`DIGIT_LAB_THREADS=1\` for one thread), two
  processes of each, alternating; their peak RSS is the evaluation table's.

## Against PyTorch, side by side (\`bench/peer.ts\`)

Two processes started together, Digit Lab's wasm path (\`bench/train-speed.ts --serve\`) and PyTorch
(\`bench/torch_peer.py serve\`), with the same network, batch, dropout, Adam betas, threads and images; they take turns
(6 rounds, who goes first alternating, after 2 warm-up batches each), so only one works at a time. Evaluation: the
10 000 test images in batches of ${EVAL_BATCH}, twice each, alternating.

${peerTable}

## Evaluating the 10 000 test images (batches of ${EVAL_BATCH}, as the engine does)

${evalTable}

## Against measured limits of these cores

${limit}

## Augmentation cost

${augmentText}

## Where a wasm training step spends its time (\`tf.profile\`)

${kernelTables}

## What the wasm path does

\`src-main/engine/wasm/load.ts\` loads tfjs-backend-wasm's threaded SIMD build in Node (its own loader runs one
thread in Node), \`index.ts\` adds or replaces these kernels, each checked against the stock CPU kernels
(\`tests/engine/wasm-kernels.test.ts\`):
- Conv2DBackpropFilter (missing): dW as a convolution of x transposed to [c, h, w, batch] with dy transposed to
  [oh, ow, batch, co], run by XNNPACK's Conv2D, in batch chunks whose filter stays in cache.
- Conv2DBackpropInput (stock: scalar loop), stride 1: a full convolution with the rotated filter in XNNPACK.
- BatchMatMul / _FusedMatMul with transposes (stock: scalar loop): transpose first, then XNNPACK.
- MaxPoolGrad, Sum over leading axes (bias gradients), broadcasting Add / Sub / Multiply / RealDiv (bias adds,
  Adam's scalars) (stock: scalar loops over 4-D indices): the JS kernels' loops on the wasm heap (\`js-on-heap.ts\`).
- ClipByValue: keeps NaN as on the CPU backend (the loss's clip must not hide a diverged model).
- Adam (\`src-main/engine/adam.ts\`, both CPU paths): one loop a weight instead of TF.js's 13 kernels a weight
  (116 kernel calls a \`fast\` step); the 2×2 max pools' gradient in one pass (\`kernels/max-pool-grad.ts\`).

## What the JS kernels do (\`--backend js\`)

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
// Keep every section other scripts own (between markers), in their order, each with a line saying this run did not
// measure it (replaced on each run).
const previous = existsSync(target) ? readFileSync(target, 'utf8') : '';
const CARRIED = /^_Carried over unchanged by `npm run bench` .*_\n\n/m;
const note = `_Carried over unchanged by \`npm run bench\` of ${date}: not re-measured by it (its own date and command are in the text)._\n\n`;
const kept = [...previous.matchAll(/<!-- ([\w-]+):start -->\n([\s\S]*?)<!-- \1:end -->/g)].map(([, name, body]) => {
  const text = body.replace(CARRIED, '');
  const heading = /^## .*\n\n?/.exec(text)?.[0] ?? '';
  return `<!-- ${name}:start -->\n${heading}${note}${text.slice(heading.length)}<!-- ${name}:end -->`;
});
const body = [doc.trimEnd(), pen.trimEnd(), ...kept].filter(Boolean).join('\n\n');
writeFileSync(`${target}.tmp`, `${body}\n`);
renameSync(`${target}.tmp`, target);
console.error(`wrote ${path.relative(process.cwd(), target)}`);
