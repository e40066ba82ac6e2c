// Conv2DBackpropFilter, NHWC: dW = im2col(x)ᵀ · dy, by blocked GEMM.
// Layouts: x [batch, inH, inW, inC], dy [batch, outH, outW, outC] (= an M×outC matrix,
// M = batch*outH*outW), dW [fH, fW, inC, outC] (= a (fH*fW*inC)×outC matrix).
// The GEMM's depth is M, so its A operand is im2col(x) transposed, packed straight from x.
import { convGeometry, convTaps, im2colPackAT, supportedConv } from './conv-geometry.js';
import { gemm, matrixPackB } from './gemm.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

export const conv2dBackpropFilter: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  if (!supportedConv(attrs)) return null;
  const x = float32Values(backend, inputs.x);
  const dy = float32Values(backend, inputs.dy);
  const filterShape = attrs!.filterShape as number[];
  if (!x || !dy || inputs.x!.shape.length !== 4 || filterShape?.length !== 4) return null;
  const g = convGeometry(inputs.x!.shape, filterShape, attrs!);
  const taps = convTaps(g);
  const m = g.batch * g.outH * g.outW;
  const dW = new Float32Array(taps.count * g.outC);
  gemm(taps.count, g.outC, m, im2colPackAT(x, g, taps), matrixPackB(dy, 0, g.outC, false), dW, 0, g.outC, false);
  return backend.makeTensorInfo([g.fH, g.fW, g.inC, g.outC], 'float32', dW);
};
