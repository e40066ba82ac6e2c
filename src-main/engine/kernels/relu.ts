// Relu and Step (Step is relu's gradient mask: dy * step(y)), element by element on float32
// values of any shape. Same results as the stock kernels (NaN stays NaN), without the stock
// per-element callback.
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const relu: FastKernel = ({ inputs, backend }: CpuKernelArgs) => {
  const x = float32Values(backend, inputs.x);
  if (!x) return null;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : v === v ? 0 : v;
  }
  return backend.makeTensorInfo(inputs.x!.shape, 'float32', y);
};

export const step: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  const x = float32Values(backend, inputs.x);
  if (!x) return null;
  const alpha = typeof attrs?.alpha === 'number' ? attrs.alpha : 0;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? 1 : v === v ? alpha : v;
  }
  return backend.makeTensorInfo(inputs.x!.shape, 'float32', y);
};
