// Sum over the leading axes of a float32 tensor: the bias gradient of a conv or dense layer
// (dy [batch, h, w, c] summed over batch, h, w → [c]). The stock kernel transposes the whole
// tensor first to make those axes innermost. Layout: x viewed as outer×inner row-major,
// out[j] = Σ_i x[i*inner + j], accumulated in double like the stock kernel. Other axes: stock.
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const sum: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  const x = float32Values(backend, inputs.x);
  if (!x) return null;
  const shape = inputs.x!.shape;
  const rank = shape.length;
  const raw = attrs?.axis;
  const list = (Array.isArray(raw) ? raw : [raw]).map((a) => (typeof a === 'number' && a < 0 ? a + rank : a));
  const axes = [...new Set(list)].sort((p, q) => (p as number) - (q as number));
  // Only a leading run 0, 1, …, k-1 that leaves at least one axis.
  if (axes.length === 0 || axes.length >= rank || !axes.every((a, i) => a === i)) return null;
  const k = axes.length;
  const inner = shape.slice(k).reduce((s, d) => s * d, 1);
  const outer = inner === 0 ? 0 : x.length / inner;
  const acc = new Float64Array(inner);
  for (let i = 0; i < outer; i++) {
    const row = i * inner;
    for (let j = 0; j < inner; j++) acc[j] += x[row + j];
  }
  const outShape = attrs?.keepDims === true ? shape.map((d, i) => (i < k ? 1 : d)) : shape.slice(k);
  return backend.makeTensorInfo(outShape, 'float32', Float32Array.from(acc));
};
