// The arithmetic of the three convolution kernels on plain Float32Arrays, NHWC, with no TF.js
// objects: the same functions run on the main thread and in the helper thread (conv-worker.ts),
// each on its share of the batch. Layouts:
//   x  [batch, inH, inW, inC]    filter [fH, fW, inC, outC]    y, dy [batch, outH, outW, outC]
// y = im2col(x) · W;  dW = im2col(x)ᵀ · dy;  dx = col2im(dy · Wᵀ)   (see conv-geometry.ts)
import { convTaps, im2colPackA, im2colPackAT, windowOf, type ConvGeometry, type Window } from './conv-geometry.js';
import { density, sparseBackpropFilter, sparseBackpropInput, sparseForward } from './conv-sparse.js';
import { gemm, matrixPackA, matrixPackB } from './gemm.js';

/** Below this fraction of non-zero values, the zero-skipping loops (conv-sparse.ts) win. */
export const SPARSE_BELOW = 0.3;

export type ConvKind = 'forward' | 'filter' | 'input';

/** y (batch*outH*outW × outC) = im2col(x) · W. */
export function convForward(g: ConvGeometry, x: Float32Array, filter: Float32Array, y: Float32Array): void {
  const m = g.batch * g.outH * g.outW;
  const taps = convTaps(g);
  gemm(m, g.outC, taps.count, im2colPackA(x, g, taps), matrixPackB(filter, 0, g.outC, false), y, 0, g.outC, false);
}

/** dW (taps × outC) = im2col(x)ᵀ · dy: the depth of this product is the batch's output pixels. */
export function convBackpropFilter(g: ConvGeometry, x: Float32Array, dy: Float32Array, dW: Float32Array): void {
  const m = g.batch * g.outH * g.outW;
  const taps = convTaps(g);
  gemm(taps.count, g.outC, m, im2colPackAT(x, g, taps), matrixPackB(dy, 0, g.outC, false), dW, 0, g.outC, false);
}

const CHUNK = 256; // output pixels per GEMM in convBackpropInput: cols is CHUNK×taps floats

/** dx = col2im(dy · Wᵀ), a chunk of output pixels at a time. Overwrites dx. */
export function convBackpropInput(g: ConvGeometry, dy: Float32Array, filter: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  const taps = convTaps(g);
  const t = taps.count;
  const m = g.batch * g.outH * g.outW;
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
}

/**
 * Runs one kind on (a, b) → out, where per kind:
 *   forward: a = x, b = filter, out = y;  filter: a = x, b = dy, out = dW;  input: a = dy, b = filter, out = dx.
 */
export function runConv(kind: ConvKind, g: ConvGeometry, a: Float32Array, b: Float32Array, out: Float32Array): void {
  if (kind === 'forward') {
    // Scatter from the input's non-zero values: pays for few input channels (a first layer on images).
    if (g.inC <= 4 && density(a) < SPARSE_BELOW) sparseForward(g, a, b, out);
    else convForward(g, a, b, out);
  } else if (kind === 'filter') {
    if (density(b) < SPARSE_BELOW) sparseBackpropFilter(g, a, b, out);
    else convBackpropFilter(g, a, b, out);
  } else if (density(a) < SPARSE_BELOW) {
    sparseBackpropInput(g, a, b, out);
  } else {
    convBackpropInput(g, a, b, out);
  }
}

/** Floats per image of a, of b (0 when b is shared by all images) and of out (0: summed over images). */
export function convSizes(kind: ConvKind, g: ConvGeometry): { a: number; b: number; out: number; shared: number } {
  const xImg = g.inH * g.inW * g.inC;
  const yImg = g.outH * g.outW * g.outC;
  const filter = g.fH * g.fW * g.inC * g.outC;
  if (kind === 'forward') return { a: xImg, b: 0, out: yImg, shared: filter };
  if (kind === 'filter') return { a: xImg, b: yImg, out: 0, shared: filter };
  return { a: yImg, b: 0, out: xImg, shared: filter };
}

/** Multiply-adds of one kind, to decide whether splitting it across threads pays. */
export function convMacs(g: ConvGeometry): number {
  return g.batch * g.outH * g.outW * g.outC * g.fH * g.fW * g.inC;
}
