// Sum over the leading axes of a float32 tensor: the bias gradient of a conv or dense layer
// (dy [batch, h, w, c] summed over batch, h, w → [c]). The stock kernel transposes the whole
// tensor first to make those axes innermost. Layout: x viewed as outer×inner row-major,
// out[j] = Σ_i x[i*inner + j], accumulated in double like the stock kernel. Other axes: stock.
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

/** How many leading axes `axis` names: k for a run 0, 1, …, k − 1 (any order, negative axes counted from the end) that
 *  keeps at least one axis; 0 for anything else. */
export function leadingAxes(rank: number, axis: unknown): number {
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => (typeof a === 'number' && a < 0 ? a + rank : a));
  const axes = [...new Set(list)].sort((p, q) => (p as number) - (q as number));
  return axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i) ? axes.length : 0;
}

export const sum: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  const x = float32Values(backend, inputs.x);
  if (!x) return null;
  const shape = inputs.x!.shape;
  const k = leadingAxes(shape.length, attrs?.axis);
  if (k === 0) return null;
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
