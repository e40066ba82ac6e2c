// BatchMatMul / _FusedMatMul for the `wasm` backend: the stock kernels use XNNPACK only without
// transposes; with transposeA or transposeB (every dense layer's gradients) they run a scalar C++
// loop. Here the transposed operand is transposed first (XNNPACK's transpose) and the stock kernel
// runs without transposes. Batched products (a batch dimension above 1) stay with the stock kernel.
import * as tf from '@tensorflow/tfjs';
import { runKernel, Scratch, type WasmKernel } from './kernel-call.js';

function swapLast(s: Scratch, t: tf.TensorInfo): tf.TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return s.run(tf.Transpose, { x: t }, { perm });
}

function unbatched(t: tf.TensorInfo): boolean {
  return t.shape.slice(0, -2).every((d) => d === 1);
}

function withoutTransposes(name: string): WasmKernel {
  return ({ inputs, backend, attrs }) => {
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
