// Per-kernel timing of the fast kernels on the shapes of the presets' training step.
// Usage: npx tsx bench/kernels.ts [batch] [--wasm [--plain]]. Prints CPU ms (less sensitive to a shared machine
// than wall time), wall ms, and multiply-adds per second (of CPU time; of wall time with --wasm, whose
// threads' CPU time adds up). --wasm: the wasm backend's kernels, Conv2DBackpropFilter whole and in batch
// chunks of several sizes (bytes of dy per chunk: wasm/conv2d-backprop-filter.ts CHUNKING), and both gradients
// and the forward convolution by our SIMD kernels (wasm/simd.ts) on two threads and on one.
import * as tf from '@tensorflow/tfjs';
import { registerFastKernels } from '../src-main/engine/kernels/index.js';
import { CHUNKING } from '../src-main/engine/wasm/conv2d-backprop-filter.js';
import { startWasm } from '../src-main/engine/wasm/index.js';
import { SIMD } from '../src-main/engine/wasm/simd.js';

const wasm = process.argv.includes('--wasm');
if (process.argv.includes('--plain')) SIMD.relaxed = false; // our kernels' plain build even where relaxed SIMD runs
const batch = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 128);
const MB = 1 << 20;
const CHUNKS = [Infinity, 8 * MB, 4 * MB, 2 * MB, MB, MB / 2];

interface Conv {
  name: string;
  h: number;
  inC: number;
  outC: number;
  f: number;
}

const CONVS: Conv[] = [
  { name: 'fast conv1', h: 28, inC: 1, outC: 16, f: 5 },
  { name: 'fast conv2', h: 12, inC: 16, outC: 32, f: 5 },
  { name: 'seed conv', h: 28, inC: 1, outC: 28, f: 3 },
  { name: 'keras-cnn conv1', h: 28, inC: 1, outC: 32, f: 3 },
  { name: 'keras-cnn conv2', h: 26, inC: 32, outC: 64, f: 3 },
];

function time(fn: () => tf.Tensor, reps = 3): { cpu: number; wall: number } {
  for (let i = 0; i < 8; i++) fn().dispose(); // warm-up (JIT, in the helper thread too)
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < reps; i++) fn().dispose();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000 / reps, wall: (performance.now() - w0) / reps };
}

async function main(): Promise<void> {
  if (wasm) await startWasm();
  else {
    await tf.setBackend('cpu');
    registerFastKernels();
  }
  const rows: string[] = [];
  for (const c of CONVS) {
    const o = c.h - c.f + 1;
    const x = tf.randomUniform([batch, c.h, c.h, c.inC]);
    const w = tf.randomUniform([c.f, c.f, c.inC, c.outC]);
    const dy = tf.relu(tf.randomUniform([batch, o, o, c.outC], -1, 1));
    const macs = batch * o * o * c.outC * c.f * c.f * c.inC;
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 };
    const run = (name: string, inputs: tf.NamedTensorMap, extra = {}) => () =>
      tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as never) as tf.Tensor;
    const dW = run('Conv2DBackpropFilter', { x, dy }, { filterShape: w.shape });
    const dx = run('Conv2DBackpropInput', { dy, filter: w }, { inputShape: x.shape });
    // name, kernel, chunk bytes (XNNPACK's dW), SIMD mode (wasm: 2 = two threads, 1 = one, 0 = off)
    const kernels: [string, () => tf.Tensor, number?, number?][] = [
      ...(wasm
        ? [['Conv2D/SIMD×2', run('Conv2D', { x, filter: w }), 0, 2], ['Conv2D/SIMD×1', run('Conv2D', { x, filter: w }), 0, 1],
          ['Conv2D/XNNPACK', run('Conv2D', { x, filter: w }), 0, 0]] as [string, () => tf.Tensor, number, number][]
        : [['Conv2D', run('Conv2D', { x, filter: w })] as [string, () => tf.Tensor]]),
      ...(wasm
        ? [
          ['BackpropFilter/SIMD×2', dW, 0, 2], ['BackpropFilter/SIMD×1', dW, 0, 1],
          ...CHUNKS.map((b) => [`BackpropFilter/${b === Infinity ? 'whole' : `${b / MB} MB`}`, dW, b, 0]),
        ] as [string, () => tf.Tensor, number, number][]
        : [['Conv2DBackpropFilter', dW] as [string, () => tf.Tensor]]),
      ...(wasm
        ? [['BackpropInput/SIMD×2', dx, 0, 2], ['BackpropInput/SIMD×1', dx, 0, 1], ['BackpropInput/XNNPACK', dx, 0, 0]] as [string, () => tf.Tensor, number, number][]
        : [['Conv2DBackpropInput', dx] as [string, () => tf.Tensor]]),
    ];
    const saved = { ...CHUNKING };
    const savedSimd = { ...SIMD };
    for (const [name, fn, bytes, simd] of kernels) {
      if (bytes) Object.assign(CHUNKING, { bytes, minBytes: 0 });
      if (simd !== undefined) Object.assign(SIMD, { enabled: simd > 0, helper: simd > 1 });
      const t = time(fn);
      Object.assign(CHUNKING, saved);
      Object.assign(SIMD, savedSimd);
      rows.push(
        `${c.name.padEnd(11)} ${name.padEnd(21)} cpu ${t.cpu.toFixed(1).padStart(7)} ms  wall ${t.wall.toFixed(1).padStart(7)} ms  ${(macs / (wasm ? t.wall : t.cpu) / 1e6).toFixed(2)} GMAC/s`,
      );
    }
    tf.dispose([x, w, dy]);
  }
  console.log(rows.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
