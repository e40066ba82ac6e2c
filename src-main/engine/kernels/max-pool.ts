// MaxPool, NHWC: x [batch, inH, inW, C] → y [batch, outH, outW, C], channels innermost.
import { maxPoolArgmax, poolGeometry } from './pool-geometry.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const maxPool: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  const x = float32Values(backend, inputs.x);
  if (!x) return null;
  const g = poolGeometry(inputs.x!.shape, attrs);
  if (!g) return null;
  const y = new Float32Array(g.batch * g.outH * g.outW * g.channels);
  maxPoolArgmax(x, g, y);
  return backend.makeTensorInfo([g.batch, g.outH, g.outW, g.channels], 'float32', y);
};
