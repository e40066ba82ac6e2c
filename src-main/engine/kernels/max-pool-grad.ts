// MaxPoolGrad, NHWC: each dy value goes to the position of its window's maximum in x.
// Layouts: input x [batch, inH, inW, C], dy [batch, outH, outW, C], dx like x.
import { maxPoolArgmax, poolGeometry } from './pool-geometry.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const maxPoolGrad: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  const x = float32Values(backend, inputs.input);
  const dy = float32Values(backend, inputs.dy);
  if (!x || !dy) return null;
  const g = poolGeometry(inputs.input!.shape, attrs);
  if (!g) return null;
  const argmax = maxPoolArgmax(x, g);
  const dx = new Float32Array(x.length);
  for (let o = 0; o < argmax.length; o++) {
    const at = argmax[o];
    if (at >= 0) dx[at] += dy[o];
  }
  return backend.makeTensorInfo(inputs.input!.shape, 'float32', dx);
};
