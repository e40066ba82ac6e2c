// BatchMatMul and _FusedMatMul (matmul + bias + relu), by blocked GEMM.
// Layouts: a [...batch, M, K] (or [...batch, K, M] when transposeA), b [...batch, K, N]
// (or [...batch, N, K] when transposeB), out [...batch, M, N]; all row-major. The batch
// dimensions must be equal, or one side has a single matrix that is reused for every batch.
import type * as tf from '@tensorflow/tfjs';
import { applyBiasActivation, biasValues, fusableActivation } from './epilogue.js';
import { gemm, matrixPackA, matrixPackB } from './gemm.js';
import type { CpuBackend, CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

interface Product {
  values: Float32Array;
  shape: number[];
  n: number;
}

function size(shape: number[]): number {
  return shape.reduce((s, d) => s * d, 1);
}

function matMul(
  backend: CpuBackend,
  aInfo: tf.TensorInfo | null | undefined,
  bInfo: tf.TensorInfo | null | undefined,
  transposeA: boolean,
  transposeB: boolean,
): Product | null {
  const a = float32Values(backend, aInfo);
  const b = float32Values(backend, bInfo);
  if (!a || !b || aInfo!.shape.length < 2 || bInfo!.shape.length < 2) return null;
  const aShape = aInfo!.shape;
  const bShape = bInfo!.shape;
  const [aRows, aCols] = aShape.slice(-2);
  const [bRows, bCols] = bShape.slice(-2);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  if ((transposeB ? bCols : bRows) !== k) return null;
  const aOuter = aShape.slice(0, -2);
  const bOuter = bShape.slice(0, -2);
  const aBatch = size(aOuter);
  const bBatch = size(bOuter);
  let outer: number[];
  if (aOuter.length === bOuter.length && aOuter.every((d, i) => d === bOuter[i])) outer = aOuter;
  else if (bBatch === 1 && aOuter.length >= bOuter.length) outer = aOuter;
  else if (aBatch === 1 && bOuter.length >= aOuter.length) outer = bOuter;
  else return null; // general broadcasting: the stock kernel handles it
  const batch = Math.max(aBatch, bBatch);
  const out = new Float32Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    const aOff = aBatch === 1 ? 0 : i * m * k;
    const bOff = bBatch === 1 ? 0 : i * k * n;
    gemm(
      m,
      n,
      k,
      matrixPackA(a, aOff, aCols, transposeA),
      matrixPackB(b, bOff, bCols, transposeB),
      out,
      i * m * n,
      n,
      false,
    );
  }
  return { values: out, shape: [...outer, m, n], n };
}

export const batchMatMul: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  const out = matMul(backend, inputs.a, inputs.b, attrs?.transposeA === true, attrs?.transposeB === true);
  return out && backend.makeTensorInfo(out.shape, 'float32', out.values);
};

export const fusedMatMul: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  const activation = fusableActivation(attrs?.activation);
  const bShape = inputs.b?.shape;
  if (activation === null || !bShape || bShape.length < 2) return null;
  const transposeB = attrs?.transposeB === true;
  const bias = biasValues(backend, inputs.bias, bShape[bShape.length - (transposeB ? 2 : 1)]);
  if (bias === null) return null;
  const out = matMul(backend, inputs.a, inputs.b, attrs?.transposeA === true, transposeB);
  if (!out) return null;
  applyBiasActivation(out.values, out.n, bias, activation);
  return backend.makeTensorInfo(out.shape, 'float32', out.values);
};
