// The dense layers' matrix products of a preset's training step on the wasm backend, per call, side by side in one
// process in alternating rounds: our SIMD GEMM (wasm/batch-mat-mul.ts: simd/kernels.c gemm) on two threads and on one,
// against the stock way (XNNPACK's transpose, then XNNPACK's fully-connected kernel).
// (--reused: the same B every call, as at inference, instead of fresh operands as in training).
//   npx tsx bench/matmul.ts [batch] [rounds] [--preset fast|seed|mlp] [--reused]
// Prints wall ms a call (the median of the rounds) and multiply-adds per second of wall time.
import * as tf from '@tensorflow/tfjs';
import { setAlwaysSplit } from '../src-main/engine/kernels/split-policy.js';
import { startWasm } from '../src-main/engine/wasm/index.js';
import { SIMD } from '../src-main/engine/wasm/simd.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const preset = option('--preset') ?? 'fast';
const reused = args.includes('--reused');
const [batch = 256, rounds = 7] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--preset').map(Number);
/** Each preset's dense layers: [inputs, units]. */
const DENSE: Record<string, [number, number][]> = {
  fast: [[512, 128], [128, 10]],
  seed: [[4732, 128], [128, 10]],
  mlp: [[784, 256], [256, 10]],
};

interface Product {
  name: string;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  fused?: 'linear' | 'relu';
}
const products: Product[] = DENSE[preset].flatMap(([inputs, units], layer): Product[] => [
  { name: `dense${layer + 1} y = x·W`, m: batch, k: inputs, n: units, transposeA: false, transposeB: false, fused: layer === 0 ? 'relu' : 'linear' },
  { name: `dense${layer + 1} dW = xᵀ·dy`, m: inputs, k: batch, n: units, transposeA: true, transposeB: false },
  { name: `dense${layer + 1} dx = dy·Wᵀ`, m: batch, k: units, n: inputs, transposeA: false, transposeB: true },
]);
const MODES = [
  { name: 'gemm×2', matMul: true, helper: true },
  { name: 'gemm×1', matMul: true, helper: false },
  { name: 'stock', matMul: false, helper: true },
];

await startWasm();
setAlwaysSplit(true);
const cases = products.map((p) => {
  const a = tf.randomUniform(p.transposeA ? [1, p.k, p.m] : [1, p.m, p.k], -1, 1);
  const b = tf.randomUniform(p.transposeB ? [1, p.n, p.k] : [1, p.k, p.n], -1, 1);
  const bias = tf.randomUniform([p.n], -1, 1);
  const attrs = { transposeA: p.transposeA, transposeB: p.transposeB };
  // Fresh operands each call, as in training (new weights every step: XNNPACK packs them again), copied untimed.
  const call = () => {
    const [a1, b1] = [tf.add(a, 0), reused ? b : tf.add(b, 0)];
    const t = performance.now();
    const y = p.fused
      ? tf.engine().runKernel('_FusedMatMul', { a: a1, b: b1, bias }, { ...attrs, activation: p.fused } as never) as tf.Tensor
      : tf.engine().runKernel('BatchMatMul', { a: a1, b: b1 }, attrs as never) as tf.Tensor;
    const ms = performance.now() - t;
    tf.dispose([a1, y, ...(reused ? [] : [b1])]);
    return ms;
  };
  return { p, call, ms: MODES.map(() => [] as number[]) };
});
const reps = Math.max(3, Math.round(2e8 / (batch * 512 * 128))); // ~ the same work a timing at any batch
for (let r = -1; r < rounds; r++) {
  for (const c of cases) {
    for (const [i, mode] of (r % 2 ? [...MODES.entries()].reverse() : [...MODES.entries()])) {
      Object.assign(SIMD, { matMul: mode.matMul, helper: mode.helper });
      let ms = 0;
      for (let j = 0; j < reps; j++) ms += c.call();
      if (r >= 0) c.ms[i].push(ms / reps); // round −1: warm-up
    }
  }
}
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
console.log(`${preset} at batch ${batch}: ${rounds} rounds × ${reps} calls, wall ms a call (GMAC/s)`);
console.log(`${''.padEnd(20)} ${MODES.map((m) => m.name.padStart(16)).join('')}`);
const totals = MODES.map(() => 0);
for (const c of cases) {
  const macs = c.p.m * c.p.k * c.p.n;
  const cols = c.ms.map((xs, i) => {
    const ms = median(xs);
    totals[i] += ms;
    return `${ms.toFixed(3)} (${(macs / ms / 1e6).toFixed(1)})`.padStart(16);
  });
  console.log(`${c.p.name.padEnd(20)} ${cols.join('')}`);
}
console.log(`${'all'.padEnd(20)} ${totals.map((t) => t.toFixed(3).padStart(16)).join('')}`);
