// BatchMatMul / _FusedMatMul for the `wasm` backend: the stock kernels use XNNPACK only without
// transposes; with transposeA or transposeB (every dense layer's gradients) they run a scalar C++
// loop. Unbatched float32 products (every dense layer's, forward and backward) run our SIMD GEMM
// (simd/kernels.c: gemm) on the heap, half the rows on the helper thread where that pays: A is read
// as it lies, transposed or not; a transposed B is transposed first (transpose_filter); a bias over
// the columns and a relu (the fused kernel's) are applied in the same pass. Elsewhere the transposed
// operand is transposed first (XNNPACK's transpose) and the stock kernel runs without transposes.
// Batched products (a batch dimension above 1) stay with the stock kernel. XNNPACK's fully-connected kernel packs B
// on every call (in training every step has new weights), so ours wins there; it keeps a reused B packed and is a
// little faster at inference, but one path for every product keeps a model's outputs the same bits whatever ran first.
import * as tf from '@tensorflow/tfjs';
import { runKernel, Scratch, type WasmKernel, type WasmKernelArgs } from './kernel-call.js';
import { SIMD, simdKernels } from './simd.js';

function swapLast(s: Scratch, t: tf.TensorInfo): tf.TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return s.run(tf.Transpose, { x: t }, { perm });
}

function unbatched(t: tf.TensorInfo): boolean {
  return t.shape.slice(0, -2).every((d) => d === 1);
}

/** The product by simd/kernels.c's gemm; null where it does not apply. */
function simdMatMul({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
  const at = attrs as { transposeA?: boolean; transposeB?: boolean; activation?: string };
  const activation = at.activation ?? 'linear';
  if (!SIMD.matMul || !a || !b || preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  if (!unbatched(a) || !unbatched(b)) return null;
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [m, kk] = at.transposeA ? [ca, ra] : [ra, ca];
  const n = at.transposeB ? rb : cb;
  if ((at.transposeB ? cb : rb) !== kk || m < 1 || n < 1 || kk < 1) return null;
  // A bias over the columns only: n values, every other axis 1.
  if (bias && (bias.dtype !== 'float32' || bias.shape.at(-1) !== n || bias.shape.slice(0, -1).some((d) => d !== 1))) return null;
  const k = simdKernels(backend);
  if (!k) return null;
  const lead = Array(Math.max(a.shape.length, b.shape.length) - 2).fill(1);
  const out = backend.makeOutput([...lead, m, n], 'float32');
  const bt = at.transposeB ? backend.makeOutput([kk, n], 'float32') : null;
  try {
    const ap = backend.getMemoryOffset(a.dataId);
    const bp = backend.getMemoryOffset(b.dataId);
    const bq = bt ? backend.getMemoryOffset(bt.dataId) : bp;
    if (bt) k.call('transpose_filter', bp, bq, 1, n, kk); // b [n][kk] → [kk][n]
    const cp = backend.getMemoryOffset(out.dataId);
    const biasp = bias ? backend.getMemoryOffset(bias.dataId) : 0;
    const [sai, sak] = at.transposeA ? [1, m] : [kk, 1];
    const relu = activation === 'relu' ? 1 : 0;
    k.split('gemm', m, 4, (i0, i1) => [ap, bq, cp, biasp, i0, i1, kk, n, sai, sak, relu], 4);
  } finally {
    if (bt) backend.disposeData(bt.dataId);
  }
  return out;
}

function withoutTransposes(name: string): WasmKernel {
  return (args) => {
    const simd = simdMatMul(args);
    if (simd) return simd;
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const at = attrs as { transposeA?: boolean; transposeB?: boolean };
    if ((!at.transposeA && !at.transposeB) || !unbatched(a) || !unbatched(b)) return null;
    const s = new Scratch(backend);
    try {
      const ins = {
        ...(inputs as Record<string, tf.TensorInfo>),
        a: at.transposeA ? swapLast(s, a) : a,
        b: at.transposeB ? swapLast(s, b) : b,
      };
      return runKernel(name, ins, backend, { ...attrs, transposeA: false, transposeB: false });
    } finally {
      s.dispose();
    }
  };
}

export const batchMatMul = withoutTransposes(tf.BatchMatMul);
export const fusedMatMul = withoutTransposes(tf._FusedMatMul);
