// Conv2D and _FusedConv2D (conv + bias + relu), NHWC: y = im2col(x) · W, by blocked GEMM.
// Layouts: x [batch, inH, inW, inC], filter [fH, fW, inC, outC], y [batch, outH, outW, outC];
// see conv-geometry.ts for how the im2col rows are read from x.
import { convGeometry, supportedConv } from './conv-attrs.js';
import { applyBiasActivation, biasValues, fusableActivation } from './epilogue.js';
import { runConvParallel } from './parallel.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

function conv2dForward(
  x: Float32Array,
  xShape: number[],
  filter: Float32Array,
  filterShape: number[],
  attrs: Record<string, unknown>,
): { values: Float32Array; shape: number[] } {
  const g = convGeometry(xShape, filterShape, attrs);
  const y = new Float32Array(g.batch * g.outH * g.outW * g.outC);
  runConvParallel('forward', g, x, filter, y);
  return { values: y, shape: [g.batch, g.outH, g.outW, g.outC] };
}

export const conv2d: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  if (!supportedConv(attrs)) return null;
  const x = float32Values(backend, inputs.x);
  const filter = float32Values(backend, inputs.filter);
  if (!x || !filter || inputs.x!.shape.length !== 4) return null;
  const out = conv2dForward(x, inputs.x!.shape, filter, inputs.filter!.shape, attrs!);
  return backend.makeTensorInfo(out.shape, 'float32', out.values);
};

export const fusedConv2d: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  if (!supportedConv(attrs)) return null;
  const activation = fusableActivation(attrs!.activation);
  if (activation === null) return null;
  const x = float32Values(backend, inputs.x);
  const filter = float32Values(backend, inputs.filter);
  if (!x || !filter || inputs.x!.shape.length !== 4) return null;
  const outC = inputs.filter!.shape[3];
  const bias = biasValues(backend, inputs.bias, outC);
  if (bias === null) return null;
  const out = conv2dForward(x, inputs.x!.shape, filter, inputs.filter!.shape, attrs!);
  applyBiasActivation(out.values, outC, bias, activation);
  return backend.makeTensorInfo(out.shape, 'float32', out.values);
};
