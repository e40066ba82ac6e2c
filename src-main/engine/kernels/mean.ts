// Mean over the leading axes of a float32 tensor: batch normalisation's batch statistics (x [batch, h, w, c] averaged
// over batch, h, w → [c]). Our leading-axes Sum (sum.ts: no transpose, accumulated in double), divided by the count.
// Other axes: stock.
import { sum } from './sum.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const mean: FastKernel = (args: CpuKernelArgs) => {
  const out = sum(args);
  if (!out) return null;
  const values = float32Values(args.backend, out);
  if (!values) throw new Error('Mean: the sum it divides is not float32');
  const count = args.inputs.x!.shape.reduce((s, d) => s * d, 1) / Math.max(1, values.length);
  for (let j = 0; j < values.length; j++) values[j] /= count;
  return out;
};
