// Conv2DBackpropFilter, NHWC: dW = im2col(x)ᵀ · dy (conv-core.ts), half the batch per thread.
// Layouts: x [batch, inH, inW, inC], dy [batch, outH, outW, outC], dW [fH, fW, inC, outC].
import { convGeometry, supportedConv } from './conv-attrs.js';
import { runConvParallel } from './parallel.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const conv2dBackpropFilter: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  if (!supportedConv(attrs)) return null;
  const x = float32Values(backend, inputs.x);
  const dy = float32Values(backend, inputs.dy);
  const filterShape = attrs!.filterShape as number[];
  if (!x || !dy || inputs.x!.shape.length !== 4 || filterShape?.length !== 4) return null;
  const g = convGeometry(inputs.x!.shape, filterShape, attrs!);
  const dW = new Float32Array(g.fH * g.fW * g.inC * g.outC);
  runConvParallel('filter', g, x, dy, dW);
  return backend.makeTensorInfo([g.fH, g.fW, g.inC, g.outC], 'float32', dW);
};
