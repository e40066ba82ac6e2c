// Convolution arithmetic that skips zeros, for sparse operands (NHWC, layouts as in conv-core.ts).
// In a CNN's training step most gradients reaching a conv layer are zero: max pooling passes the
// gradient to one pixel of each window and relu blocks the rest (measured: 12-15% non-zero for
// the convs followed by pooling), and MNIST images themselves are ~80% black. For such operands
// a loop over the non-zero values, each adding one contiguous row segment (axpy), does 4-8×
// fewer multiply-adds than the dense GEMM, which more than pays for its slower inner loop.
import { windowOf, type ConvGeometry, type Window } from './conv-geometry.js';

/** Fraction of non-zero values. */
export function density(values: Float32Array): number {
  let nonZero = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonZero++;
  return values.length === 0 ? 1 : nonZero / values.length;
}

/** The window rows and columns of output pixel w that fall inside the image. */
function clip(g: ConvGeometry, w: Window): { fy0: number; fy1: number; fx0: number; fx1: number } {
  return {
    fy0: Math.max(0, -w.y0),
    fy1: Math.min(g.fH, g.inH - w.y0),
    fx0: Math.max(0, -w.x0),
    fx1: Math.min(g.fW, g.inW - w.x0),
  };
}

/** filter [fH, fW, inC, outC] → [outC, fH, fW, inC]: each output channel's taps contiguous. */
function filterByChannel(g: ConvGeometry, filter: Float32Array): Float32Array {
  const taps = g.fH * g.fW * g.inC;
  const out = new Float32Array(filter.length);
  for (let t = 0; t < taps; t++) {
    for (let n = 0; n < g.outC; n++) out[n * taps + t] = filter[t * g.outC + n];
  }
  return out;
}

/** dW = im2col(x)ᵀ · dy, visiting only the non-zero values of dy. */
export function sparseBackpropFilter(g: ConvGeometry, x: Float32Array, dy: Float32Array, dW: Float32Array): void {
  const taps = g.fH * g.fW * g.inC;
  const rowStride = g.inW * g.inC;
  const acc = new Float64Array(g.outC * taps); // [outC, fH, fW, inC]
  const w: Window = { y0: 0, x0: 0, corner: 0, interior: true };
  const pixels = g.batch * g.outH * g.outW;
  for (let m = 0; m < pixels; m++) {
    const dyRow = m * g.outC;
    let any = false;
    for (let n = 0; n < g.outC; n++) if (dy[dyRow + n] !== 0) any = true;
    if (!any) continue;
    windowOf(g, m, w);
    const { fy0, fy1, fx0, fx1 } = clip(g, w);
    const len = (fx1 - fx0) * g.inC;
    for (let n = 0; n < g.outC; n++) {
      const d = dy[dyRow + n];
      if (d === 0) continue;
      for (let fy = fy0; fy < fy1; fy++) {
        const src = w.corner + fy * rowStride + fx0 * g.inC;
        const dst = n * taps + (fy * g.fW + fx0) * g.inC;
        for (let j = 0; j < len; j++) acc[dst + j] += d * x[src + j];
      }
    }
  }
  for (let t = 0; t < taps; t++) {
    for (let n = 0; n < g.outC; n++) dW[t * g.outC + n] = acc[n * taps + t];
  }
}

/** dx = col2im(dy · Wᵀ), visiting only the non-zero values of dy. Overwrites dx. */
export function sparseBackpropInput(g: ConvGeometry, dy: Float32Array, filter: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  const taps = g.fH * g.fW * g.inC;
  const rowStride = g.inW * g.inC;
  const byChannel = filterByChannel(g, filter);
  const w: Window = { y0: 0, x0: 0, corner: 0, interior: true };
  const pixels = g.batch * g.outH * g.outW;
  for (let m = 0; m < pixels; m++) {
    const dyRow = m * g.outC;
    let any = false;
    for (let n = 0; n < g.outC; n++) if (dy[dyRow + n] !== 0) any = true;
    if (!any) continue;
    windowOf(g, m, w);
    const { fy0, fy1, fx0, fx1 } = clip(g, w);
    const len = (fx1 - fx0) * g.inC;
    for (let n = 0; n < g.outC; n++) {
      const d = dy[dyRow + n];
      if (d === 0) continue;
      for (let fy = fy0; fy < fy1; fy++) {
        const dst = w.corner + fy * rowStride + fx0 * g.inC;
        const src = n * taps + (fy * g.fW + fx0) * g.inC;
        for (let j = 0; j < len; j++) dx[dst + j] += d * byChannel[src + j];
      }
    }
  }
}

/**
 * For each input row (or column) i, the (filter row, output row) pairs whose window covers it:
 * pairs[start[i] .. start[i+1]) as [f, o] with o*stride - pad + f = i.
 */
function coverage(inSize: number, outSize: number, f: number, stride: number, pad: number): { start: Int32Array; pairs: Int32Array } {
  const start = new Int32Array(inSize + 1);
  const list: number[] = [];
  for (let i = 0; i < inSize; i++) {
    start[i] = list.length / 2;
    for (let k = 0; k < f; k++) {
      const t = i + pad - k;
      if (t >= 0 && t % stride === 0 && t / stride < outSize) list.push(k, t / stride);
    }
  }
  start[inSize] = list.length / 2;
  return { start, pairs: Int32Array.from(list) };
}

/**
 * y = im2col(x) · W, visiting only the non-zero values of x: each input value is added, times
 * the filter row of its tap, to the outC outputs of every window that contains it.
 */
export function sparseForward(g: ConvGeometry, x: Float32Array, filter: Float32Array, y: Float32Array): void {
  y.fill(0);
  const C = g.outC;
  const rows = coverage(g.inH, g.outH, g.fH, g.strideH, g.padTop);
  const cols = coverage(g.inW, g.outW, g.fW, g.strideW, g.padLeft);
  for (let b = 0; b < g.batch; b++) {
    for (let iy = 0; iy < g.inH; iy++) {
      const r0 = rows.start[iy];
      const r1 = rows.start[iy + 1];
      for (let ix = 0; ix < g.inW; ix++) {
        const src = ((b * g.inH + iy) * g.inW + ix) * g.inC;
        const c0 = cols.start[ix];
        const c1 = cols.start[ix + 1];
        for (let ci = 0; ci < g.inC; ci++) {
          const v = x[src + ci];
          if (v === 0) continue;
          for (let r = r0; r < r1; r++) {
            const fy = rows.pairs[2 * r];
            const outRow = (b * g.outH + rows.pairs[2 * r + 1]) * g.outW;
            for (let c = c0; c < c1; c++) {
              const dst = (outRow + cols.pairs[2 * c + 1]) * C;
              const wRow = ((fy * g.fW + cols.pairs[2 * c]) * g.inC + ci) * C;
              for (let n = 0; n < C; n++) y[dst + n] += v * filter[wRow + n];
            }
          }
        }
      }
    }
  }
}
