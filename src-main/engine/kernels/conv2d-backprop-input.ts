// Conv2DBackpropInput, NHWC: dx = col2im(dy · Wᵀ) (conv-core.ts), half the batch per thread.
// Layouts: dy [batch, outH, outW, outC], filter [fH, fW, inC, outC], dx [batch, inH, inW, inC].
import { convGeometry, supportedConv } from './conv-attrs.js';
import { runConvParallel } from './parallel.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const conv2dBackpropInput: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  if (!supportedConv(attrs)) return null;
  const dy = float32Values(backend, inputs.dy);
  const filter = float32Values(backend, inputs.filter);
  const inputShape = attrs!.inputShape as number[];
  if (!dy || !filter || inputShape?.length !== 4) return null;
  const g = convGeometry(inputShape, inputs.filter!.shape, attrs!);
  const dx = new Float32Array(g.batch * g.inH * g.inW * g.inC);
  runConvParallel('input', g, dy, filter, dx);
  return backend.makeTensorInfo(inputShape, 'float32', dx);
};
