// Blocked matrix multiply for Float32Array data: C[m×n] (+)= A[m×k] · B[k×n].
//
// Data layout: C is row-major with leading dimension ldc (C[i][j] = c[cOff + i*ldc + j]).
// A and B are never read directly: callers hand in *packers* that copy a block of A or B
// into panels, so the same engine serves plain matrices (optionally transposed) and
// convolutions (an im2col view of an NHWC image, built on the fly, never materialised).
//   packed A block: panels of 4 rows;    dst[panel*kLen*4 + p*4 + r] = A[i0 + panel*4 + r][p0 + p]
//   packed B block: panels of 4 columns; dst[panel*kLen*4 + p*4 + c] = B[p0 + p][panel*4 + c]
// Rows/columns past the edge are written as zeros, so the 4×4 micro-kernel never branches.
// The micro-kernel keeps 16 accumulators in registers: per step of p it loads 4 values of
// A and 4 of B for 16 multiply-adds (a plain triple loop does 2 loads per multiply-add).

/** Copies rows [i0, i0+rows) × depth [p0, p0+pLen) of A into 4-row panels (see above). */
export type PackA = (dst: Float32Array, i0: number, rows: number, p0: number, pLen: number) => void;
/** Copies depth [p0, p0+pLen) × all n columns of B into 4-column panels (see above). */
export type PackB = (dst: Float32Array, n: number, p0: number, pLen: number) => void;

const KC = 256; // depth of one block: a 4×KC panel of A and of B stay in L1
const MC = 64; // rows of A packed at once: 64×256 floats = 64 KiB

const scratchA = new Float32Array(MC * KC);
let scratchB = new Float32Array(64 * KC);

function panels(x: number): number {
  return (x + 3) >> 2;
}

/**
 * C = A·B (accumulate=false) or C += A·B (accumulate=true), where A is m×k and B is k×n,
 * both supplied through packers.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  packA: PackA,
  packB: PackB,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (!accumulate) {
    for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
  }
  if (k === 0) return;
  const nPanels = panels(n);
  if (scratchB.length < nPanels * 4 * KC) scratchB = new Float32Array(nPanels * 4 * KC);
  const bp = scratchB;
  const ap = scratchA;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const pLen = Math.min(KC, k - p0);
    packB(bp, n, p0, pLen);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const rows = Math.min(MC, m - i0);
      packA(ap, i0, rows, p0, pLen);
      const aPanels = panels(rows);
      for (let jp = 0; jp < nPanels; jp++) {
        const j = jp * 4;
        const cols = Math.min(4, n - j);
        const bOff = jp * pLen * 4;
        for (let ip = 0; ip < aPanels; ip++) {
          const i = i0 + ip * 4;
          microKernel(ap, ip * pLen * 4, bp, bOff, pLen, c, cOff + i * ldc + j, ldc, Math.min(4, m - i), cols);
        }
      }
    }
  }
}

/** Adds the 4×4 product of one A panel and one B panel to C (rows×cols of it inside C). */
function microKernel(
  ap: Float32Array,
  aOff: number,
  bp: Float32Array,
  bOff: number,
  pLen: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = aOff + pLen * 4;
  for (let a = aOff, b = bOff; a < end; a += 4, b += 4) {
    const a0 = ap[a], a1 = ap[a + 1], a2 = ap[a + 2], a3 = ap[a + 3];
    const b0 = bp[b], b1 = bp[b + 1], b2 = bp[b + 2], b3 = bp[b + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4) {
    let o = cOff;
    c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; o += ldc;
    c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; o += ldc;
    c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; o += ldc;
    c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
    return;
  }
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) c[cOff + r * ldc + q] += acc[r * 4 + q];
  }
}

/** Packer for a plain row-major matrix A (m×k, or k×m read transposed when trans). */
export function matrixPackA(a: Float32Array, aOff: number, lda: number, trans: boolean): PackA {
  return (dst, i0, rows, p0, pLen) => {
    for (let ip = 0; ip < rows; ip += 4) {
      const base = (ip >> 2) * pLen * 4;
      const rr = Math.min(4, rows - ip);
      for (let r = 0; r < 4; r++) {
        if (r >= rr) {
          for (let p = 0; p < pLen; p++) dst[base + p * 4 + r] = 0;
          continue;
        }
        const i = i0 + ip + r;
        if (trans) {
          for (let p = 0; p < pLen; p++) dst[base + p * 4 + r] = a[aOff + (p0 + p) * lda + i];
        } else {
          const row = aOff + i * lda + p0;
          for (let p = 0; p < pLen; p++) dst[base + p * 4 + r] = a[row + p];
        }
      }
    }
  };
}

/** Packer for a plain row-major matrix B (k×n, or n×k read transposed when trans). */
export function matrixPackB(b: Float32Array, bOff: number, ldb: number, trans: boolean): PackB {
  return (dst, n, p0, pLen) => {
    for (let j0 = 0; j0 < n; j0 += 4) {
      const base = (j0 >> 2) * pLen * 4;
      const cc = Math.min(4, n - j0);
      for (let q = 0; q < 4; q++) {
        if (q >= cc) {
          for (let p = 0; p < pLen; p++) dst[base + p * 4 + q] = 0;
          continue;
        }
        const j = j0 + q;
        if (trans) {
          const row = bOff + j * ldb + p0;
          for (let p = 0; p < pLen; p++) dst[base + p * 4 + q] = b[row + p];
        } else {
          for (let p = 0; p < pLen; p++) dst[base + p * 4 + q] = b[bOff + (p0 + p) * ldb + j];
        }
      }
    }
  };
}
