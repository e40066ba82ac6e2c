// Conv2DBackpropInput, NHWC: dx = col2im(dy · Wᵀ).
// Layouts: dy [batch, outH, outW, outC] (= an M×outC matrix, M = batch*outH*outW),
// filter [fH, fW, inC, outC] (= a T×outC matrix W, T = fH*fW*inC taps), dx [batch, inH, inW, inC].
// A chunk of output pixels at a time: cols = dy[chunk] · Wᵀ (chunk×T, by GEMM), then each
// row of cols is added back onto the window of x it came from (col2im).
import { convGeometry, convTaps, supportedConv, windowOf, type Window } from './conv-geometry.js';
import { gemm, matrixPackA, matrixPackB } from './gemm.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

const CHUNK = 256; // output pixels per GEMM: cols is CHUNK×T floats

export const conv2dBackpropInput: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  if (!supportedConv(attrs)) return null;
  const dy = float32Values(backend, inputs.dy);
  const filter = float32Values(backend, inputs.filter);
  const inputShape = attrs!.inputShape as number[];
  if (!dy || !filter || inputShape?.length !== 4) return null;
  const g = convGeometry(inputShape, inputs.filter!.shape, attrs!);
  const taps = convTaps(g);
  const t = taps.count;
  const m = g.batch * g.outH * g.outW;
  const dx = new Float32Array(g.batch * g.inH * g.inW * g.inC);
  const cols = new Float32Array(Math.min(CHUNK, m) * t);
  const packW = matrixPackB(filter, 0, g.outC, true);
  const w: Window = { y0: 0, x0: 0, corner: 0, interior: true };
  for (let m0 = 0; m0 < m; m0 += CHUNK) {
    const rows = Math.min(CHUNK, m - m0);
    gemm(rows, t, g.outC, matrixPackA(dy, m0 * g.outC, g.outC, false), packW, cols, 0, t, false);
    for (let r = 0; r < rows; r++) {
      windowOf(g, m0 + r, w);
      const src = r * t;
      if (w.interior) {
        for (let p = 0; p < t; p++) dx[w.corner + taps.offset[p]] += cols[src + p];
      } else {
        for (let p = 0; p < t; p++) {
          const iy = w.y0 + taps.dy[p];
          const ix = w.x0 + taps.dx[p];
          if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) dx[w.corner + taps.offset[p]] += cols[src + p];
        }
      }
    }
  }
  return backend.makeTensorInfo(inputShape, 'float32', dx);
};
