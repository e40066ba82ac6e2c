// Geometry of a 2-D convolution in NHWC layout, and the im2col packers built from it.
//
// Layouts (all row-major):
//   x      [batch, inH, inW, inC]     image
//   filter [fH, fW, inC, outC]        = a (fH*fW*inC) × outC matrix W
//   y      [batch, outH, outW, outC]  = an (batch*outH*outW) × outC matrix
// The im2col matrix A has one row per output pixel m = (b, oy, ox) and one column per tap
// t = (fy, fx, ci), in the same order as W's rows, so that y = A·W. A is never stored:
// the packers below read the taps of a block of rows straight from x into GEMM panels,
// writing 0 for taps that fall in the padding.
import type { PackA } from './gemm.js';

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fH: number;
  fW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** Per-tap tables: row and column inside the window, and offset in x from the window's corner. */
export interface Taps {
  count: number;
  dy: Int32Array;
  dx: Int32Array;
  offset: Int32Array;
}

export function convTaps(g: ConvGeometry): Taps {
  const count = g.fH * g.fW * g.inC;
  const dy = new Int32Array(count);
  const dx = new Int32Array(count);
  const offset = new Int32Array(count);
  let t = 0;
  for (let fy = 0; fy < g.fH; fy++) {
    for (let fx = 0; fx < g.fW; fx++) {
      for (let ci = 0; ci < g.inC; ci++, t++) {
        dy[t] = fy;
        dx[t] = fx;
        offset[t] = (fy * g.inW + fx) * g.inC + ci;
      }
    }
  }
  return { count, dy, dx, offset };
}

/** Where output pixel m's window starts: its corner row/column in x and the flat offset of the corner. */
export interface Window {
  y0: number;
  x0: number;
  corner: number;
  interior: boolean;
}

export function windowOf(g: ConvGeometry, m: number, w: Window): void {
  const ox = m % g.outW;
  const rest = (m - ox) / g.outW;
  const oy = rest % g.outH;
  const b = (rest - oy) / g.outH;
  w.y0 = oy * g.strideH - g.padTop;
  w.x0 = ox * g.strideW - g.padLeft;
  w.corner = ((b * g.inH + w.y0) * g.inW + w.x0) * g.inC;
  w.interior = w.y0 >= 0 && w.x0 >= 0 && w.y0 + g.fH <= g.inH && w.x0 + g.fW <= g.inW;
}

/** Packs rows (output pixels) × depth (taps) of the im2col matrix A, for y = A·W. */
export function im2colPackA(x: Float32Array, g: ConvGeometry, taps: Taps): PackA {
  const w: Window = { y0: 0, x0: 0, corner: 0, interior: true };
  const { dy, dx, offset } = taps;
  return (dst, i0, rows, p0, pLen) => {
    for (let r4 = 0; r4 < rows; r4 += 4) {
      const base = (r4 >> 2) * pLen * 4;
      for (let r = 0; r < 4; r++) {
        let d = base + r;
        if (r4 + r >= rows) {
          for (let p = 0; p < pLen; p++, d += 4) dst[d] = 0;
          continue;
        }
        windowOf(g, i0 + r4 + r, w);
        const corner = w.corner;
        if (w.interior) {
          for (let p = p0; p < p0 + pLen; p++, d += 4) dst[d] = x[corner + offset[p]];
        } else {
          for (let p = p0; p < p0 + pLen; p++, d += 4) {
            const iy = w.y0 + dy[p];
            const ix = w.x0 + dx[p];
            dst[d] = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW ? x[corner + offset[p]] : 0;
          }
        }
      }
    }
  };
}

/** Packs rows (taps) × depth (output pixels) of Aᵀ, for dW = Aᵀ·dy. */
export function im2colPackAT(x: Float32Array, g: ConvGeometry, taps: Taps): PackA {
  const w: Window = { y0: 0, x0: 0, corner: 0, interior: true };
  const { dy, dx, offset } = taps;
  return (dst, i0, rows, p0, pLen) => {
    const padded = (rows + 3) & ~3;
    const stride = pLen * 4;
    for (let p = 0; p < pLen; p++) {
      windowOf(g, p0 + p, w);
      const corner = w.corner;
      let r = 0;
      if (w.interior) {
        for (; r < rows; r++) dst[(r >> 2) * stride + p * 4 + (r & 3)] = x[corner + offset[i0 + r]];
      } else {
        for (; r < rows; r++) {
          const t = i0 + r;
          const iy = w.y0 + dy[t];
          const ix = w.x0 + dx[t];
          dst[(r >> 2) * stride + p * 4 + (r & 3)] =
            iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW ? x[corner + offset[t]] : 0;
        }
      }
      for (; r < padded; r++) dst[(r >> 2) * stride + p * 4 + (r & 3)] = 0;
    }
  };
}
