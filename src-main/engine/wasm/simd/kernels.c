// Convolution gradients in WebAssembly SIMD for Digit Lab's wasm path, on tfjs-backend-wasm's own heap.
// Built by build.sh (clang --target=wasm32 -msimd128, the heap imported as a shared memory): the module has
// no memory, data or stack of its own, so it can run on the backend's tensors in place, on any thread.
// Every pointer is a byte offset in that heap; every layout is NHWC as TF.js keeps it.
//
// filter_grad: dW[kh][kw][ci][co] = Σ_{b, oh, ow} x[b][oh·sh + kh][ow·sw + kw][ci] · dy[b][oh][ow][co]
//   ('valid' geometry: the caller passes x already positioned), images b0 … b1 − 1, written (not added) to dw.
//   Vectors over co (8 at a time); a block of up to 5 filter columns × 8 output channels stays in 10
//   registers over one image's whole output, so x and dy are read from L1 once per block.
// input_grad: dx[b][ih][iw][ci] = Σ_{kh, kw, co} dy[b][ih + pt − kh][iw + pl − kw][co] · W[kh][kw][ci][co]
//   (stride 1; only the taps that land inside dy, no padding multiplied), images b0 … b1 − 1, two images
//   at a time so that each filter vector loaded serves both. W is first transposed to wt[kh][kw][co][ci]
//   (transpose_filter) so that vectors run over ci.
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define INLINE static inline __attribute__((always_inline))

#ifdef RELAXED
#define MADD(acc, a, b) wasm_f32x4_relaxed_madd((a), (b), (acc))
#else
#define MADD(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif

// One block of filter_grad for one image: NJ filter columns × NV vectors of 4 output channels.
INLINE void fg_block(const float *x0, const float *d0, float *out, int oh, int ow, int xrow, int xcol, int drow,
                     int co, int jstride, int ci, const int NJ, const int NV) {
  v128_t a[5][2];
  for (int j = 0; j < NJ; j++)
    for (int v = 0; v < NV; v++) a[j][v] = wasm_v128_load(out + j * jstride + 4 * v);
  for (int y = 0; y < oh; y++) {
    const float *xp = x0 + y * xrow;
    const float *dp = d0 + y * drow;
    for (int i = 0; i < ow; i++) {
      v128_t e0 = wasm_v128_load(dp);
      v128_t e1 = NV > 1 ? wasm_v128_load(dp + 4) : e0;
      for (int j = 0; j < NJ; j++) {
        v128_t s = wasm_v128_load32_splat(xp + j * ci);
        a[j][0] = MADD(a[j][0], s, e0);
        if (NV > 1) a[j][1] = MADD(a[j][1], s, e1);
      }
      xp += xcol;
      dp += co;
    }
  }
  for (int j = 0; j < NJ; j++)
    for (int v = 0; v < NV; v++) wasm_v128_store(out + j * jstride + 4 * v, a[j][v]);
}

#define FG_CASE(nj, nv) \
  case (nj) * 2 + (nv) - 1: fg_block(x0, d0, out, oh, ow, xrow, xcol, drow, co, jstride, ci, nj, nv); break;

/** co must be a multiple of 4. */
EXPORT("filter_grad")
void filter_grad(const float *x, const float *dy, float *dw, int b0, int b1, int h, int w, int ci, int oh, int ow,
                 int co, int kh, int kw, int sh, int sw) {
  const int n = kh * kw * ci * co;
  for (int i = 0; i < n; i += 4) wasm_v128_store(dw + i, wasm_f32x4_splat(0.0f));
  const int xrow = sh * w * ci, xcol = sw * ci, drow = ow * co, jstride = ci * co;
  for (int b = b0; b < b1; b++) {
    const float *xb = x + b * h * w * ci;
    const float *db = dy + b * oh * ow * co;
    for (int r = 0; r < kh; r++) {
      for (int c = 0; c < ci; c++) {
        for (int o = 0; o < co; o += 8) {
          const int nv = co - o >= 8 ? 2 : 1;
          for (int j0 = 0; j0 < kw; j0 += 5) {
            const int nj = kw - j0 < 5 ? kw - j0 : 5;
            const float *x0 = xb + (r * w + j0) * ci + c;
            const float *d0 = db + o;
            float *out = dw + ((r * kw + j0) * ci + c) * co + o;
            switch (nj * 2 + nv - 1) {
              FG_CASE(1, 1) FG_CASE(1, 2) FG_CASE(2, 1) FG_CASE(2, 2) FG_CASE(3, 1)
              FG_CASE(3, 2) FG_CASE(4, 1) FG_CASE(4, 2) FG_CASE(5, 1) FG_CASE(5, 2)
            }
          }
        }
      }
    }
  }
}

/** wt[kh][kw][co][ci] = w[kh][kw][ci][co]. */
EXPORT("transpose_filter")
void transpose_filter(const float *w, float *wt, int taps, int ci, int co) {
  for (int t = 0; t < taps; t++) {
    const float *src = w + t * ci * co;
    float *dst = wt + t * ci * co;
    for (int c = 0; c < ci; c++)
      for (int o = 0; o < co; o++) dst[o * ci + c] = src[c * co + o];
  }
}

// One pixel of input_grad for NB (1 or 2) images at once, NV vectors of 4 input channels from channel c.
INLINE void ig_pixel(const float *dy, const float *wt, float *dx, int img, int ow, int co, int ci,
                     int kw, int ih, int iw, int pt, int pl, int i0, int i1, int j0, int j1, int dxstride, const int NB,
                     const int NV) {
  v128_t a[2][4];
  for (int b = 0; b < NB; b++)
    for (int v = 0; v < NV; v++) a[b][v] = wasm_f32x4_splat(0.0f);
  for (int r = i0; r <= i1; r++) {
    for (int j = j0; j <= j1; j++) {
      const float *d = dy + ((ih + pt - r) * ow + (iw + pl - j)) * co;
      const float *wp = wt + (r * kw + j) * co * ci;
      for (int o = 0; o < co; o++) {
        v128_t s0 = wasm_v128_load32_splat(d + o);
        v128_t s1 = NB > 1 ? wasm_v128_load32_splat(d + img + o) : s0;
        for (int v = 0; v < NV; v++) {
          v128_t f = wasm_v128_load(wp + o * ci + 4 * v);
          a[0][v] = MADD(a[0][v], s0, f);
          if (NB > 1) a[1][v] = MADD(a[1][v], s1, f);
        }
      }
    }
  }
  for (int b = 0; b < NB; b++)
    for (int v = 0; v < NV; v++) wasm_v128_store(dx + b * dxstride + 4 * v, a[b][v]);
}

#define IG_CASE(nb, nv)                                                                                        \
  case (nb) * 4 + (nv) - 1:                                                                                    \
    ig_pixel(d, wt + c, p, ohw_co, ow, co, ci, kw, y, x, pt, pl, i0, i1, j0, j1, hwci, nb, nv); break;

/** Stride 1; ci must be a multiple of 4; wt from transpose_filter. */
EXPORT("input_grad")
void input_grad(const float *dy, const float *wt, float *dx, int b0, int b1, int h, int w, int ci, int oh, int ow,
                int co, int kh, int kw, int pt, int pl) {
  const int ohw_co = oh * ow * co, hwci = h * w * ci;
  for (int b = b0; b < b1; b += 2) {
    const int nb = b + 1 < b1 ? 2 : 1;
    const float *d = dy + b * ohw_co;
    for (int y = 0; y < h; y++) {
      // Taps r with 0 <= y + pt - r < oh.
      int i0 = y + pt - oh + 1, i1 = y + pt;
      if (i0 < 0) i0 = 0;
      if (i1 > kh - 1) i1 = kh - 1;
      for (int x = 0; x < w; x++) {
        int j0 = x + pl - ow + 1, j1 = x + pl;
        if (j0 < 0) j0 = 0;
        if (j1 > kw - 1) j1 = kw - 1;
        float *px = dx + b * hwci + (y * w + x) * ci;
        for (int c = 0; c < ci; c += 16) {
          const int nv = ci - c >= 16 ? 4 : (ci - c) / 4;
          float *p = px + c;
          switch (nb * 4 + nv - 1) {
            IG_CASE(1, 1) IG_CASE(1, 2) IG_CASE(1, 3) IG_CASE(1, 4)
            IG_CASE(2, 1) IG_CASE(2, 2) IG_CASE(2, 3) IG_CASE(2, 4)
          }
        }
      }
    }
  }
}

// One output pixel of conv_forward for NB (1 or 2) images at once, NV vectors of 4 output channels from o.
INLINE void cf_pixel(const float *x0, const float *w, float *out, int img, int w_ci, int ci, int co, int kh, int kw,
                     int outstride, const int NB, const int NV) {
  v128_t a[2][4];
  for (int b = 0; b < NB; b++)
    for (int v = 0; v < NV; v++) a[b][v] = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < kh; r++) {
    for (int j = 0; j < kw; j++) {
      const float *xp = x0 + (r * w_ci) + j * ci;
      const float *wp = w + (r * kw + j) * ci * co;
      for (int c = 0; c < ci; c++) {
        v128_t s0 = wasm_v128_load32_splat(xp + c);
        v128_t s1 = NB > 1 ? wasm_v128_load32_splat(xp + img + c) : s0;
        for (int v = 0; v < NV; v++) {
          v128_t f = wasm_v128_load(wp + c * co + 4 * v);
          a[0][v] = MADD(a[0][v], s0, f);
          if (NB > 1) a[1][v] = MADD(a[1][v], s1, f);
        }
      }
    }
  }
  for (int b = 0; b < NB; b++)
    for (int v = 0; v < NV; v++) wasm_v128_store(out + b * outstride + 4 * v, a[b][v]);
}

#define CF_CASE(nb, nv) \
  case (nb) * 4 + (nv) - 1: cf_pixel(x0, wf + o, p + o, hwci, w * ci, ci, co, kh, kw, ohwco, nb, nv); break;

// conv_forward: y[b][oy][ox][co] = Σ_{kh, kw, ci} x[b][oy·sh + kh][ox·sw + kw][ci] · W[kh][kw][ci][co] ('valid'
//   geometry), images b0 … b1 − 1, two at a time; vectors over co, W in TF.js's own layout.
/** co must be a multiple of 4. */
EXPORT("conv_forward")
void conv_forward(const float *x, const float *wf, float *y, int b0, int b1, int h, int w, int ci, int oh, int ow,
                  int co, int kh, int kw, int sh, int sw) {
  const int hwci = h * w * ci, ohwco = oh * ow * co;
  for (int b = b0; b < b1; b += 2) {
    const int nb = b + 1 < b1 ? 2 : 1;
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        const float *x0 = x + b * hwci + (oy * sh * w + ox * sw) * ci;
        float *p = y + b * ohwco + (oy * ow + ox) * co;
        for (int o = 0; o < co; o += 16) {
          const int nv = co - o >= 16 ? 4 : (co - o) / 4;
          switch (nb * 4 + nv - 1) {
            CF_CASE(1, 1) CF_CASE(1, 2) CF_CASE(1, 3) CF_CASE(1, 4)
            CF_CASE(2, 1) CF_CASE(2, 2) CF_CASE(2, 3) CF_CASE(2, 4)
          }
        }
      }
    }
  }
}

// bias_add: y[i][k] = a[i][k] + bias[k] for rows i0 … i1 − 1 (a bias over the channels); c a multiple of 4.
EXPORT("bias_add")
void bias_add(const float *a, const float *bias, float *y, int i0, int i1, int c) {
  for (int k = 0; k < c; k += 16) {
    const int nv = c - k >= 16 ? 4 : (c - k) / 4;
    v128_t b0 = wasm_v128_load(bias + k);
    v128_t b1 = nv > 1 ? wasm_v128_load(bias + k + 4) : b0;
    v128_t b2 = nv > 2 ? wasm_v128_load(bias + k + 8) : b0;
    v128_t b3 = nv > 3 ? wasm_v128_load(bias + k + 12) : b0;
    for (int i = i0; i < i1; i++) {
      const float *p = a + i * c + k;
      float *q = y + i * c + k;
      wasm_v128_store(q, wasm_f32x4_add(wasm_v128_load(p), b0));
      if (nv > 1) wasm_v128_store(q + 4, wasm_f32x4_add(wasm_v128_load(p + 4), b1));
      if (nv > 2) wasm_v128_store(q + 8, wasm_f32x4_add(wasm_v128_load(p + 8), b2));
      if (nv > 3) wasm_v128_store(q + 12, wasm_f32x4_add(wasm_v128_load(p + 12), b3));
    }
  }
}

// max_pool_grad_2x2: the gradient of a 2×2 max pool at stride 2 that tiles x exactly (h = 2·oh, w = 2·ow), images
//   b0 … b1 − 1; c a multiple of 4. Each dy value goes to its window's first maximum in row-major order (strictly
//   greater than everything before it, starting from −∞: a window of −∞ or NaN passes nothing), as the stock kernel
//   decides; every other dx value is 0.
EXPORT("max_pool_grad_2x2")
void max_pool_grad_2x2(const float *x, const float *dy, float *dx, int b0, int b1, int oh, int ow, int c) {
  const int row = 2 * ow * c;
  const v128_t ninf = wasm_f32x4_splat(-__builtin_inff());
  for (int b = b0; b < b1; b++) {
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        const int at = ((b * 2 * oh + 2 * oy) * 2 * ow + 2 * ox) * c;
        const float *p = x + at;
        float *q = dx + at;
        const float *d = dy + ((b * oh + oy) * ow + ox) * c;
        for (int k = 0; k < c; k += 4) {
          const v128_t x00 = wasm_v128_load(p + k), x01 = wasm_v128_load(p + c + k);
          const v128_t x10 = wasm_v128_load(p + row + k), x11 = wasm_v128_load(p + row + c + k);
          const v128_t g00 = wasm_f32x4_gt(x00, ninf);
          v128_t best = wasm_v128_bitselect(x00, ninf, g00);
          const v128_t g01 = wasm_f32x4_gt(x01, best);
          best = wasm_v128_bitselect(x01, best, g01);
          const v128_t g10 = wasm_f32x4_gt(x10, best);
          best = wasm_v128_bitselect(x10, best, g10);
          const v128_t g11 = wasm_f32x4_gt(x11, best);
          const v128_t later10 = wasm_v128_or(g10, g11), later01 = wasm_v128_or(g01, later10);
          const v128_t e = wasm_v128_load(d + k);
          wasm_v128_store(q + k, wasm_v128_and(e, wasm_v128_andnot(g00, later01)));
          wasm_v128_store(q + c + k, wasm_v128_and(e, wasm_v128_andnot(g01, later10)));
          wasm_v128_store(q + row + k, wasm_v128_and(e, wasm_v128_andnot(g10, g11)));
          wasm_v128_store(q + row + c + k, wasm_v128_and(e, g11));
        }
      }
    }
  }
}

// One block of sum_rows: NV vectors of 4 channels from k, summed over rows i0 … i1 − 1 in double (two f64x2
// accumulators a vector), added to acc.
INLINE void sr_block(const float *x, double *acc, int i0, int i1, int c, int k, const int NV) {
  v128_t a[8];
  for (int v = 0; v < 2 * NV; v++) a[v] = wasm_v128_load(acc + k + 2 * v);
  for (int i = i0; i < i1; i++) {
    const float *p = x + i * c + k;
    for (int v = 0; v < NV; v++) {
      const v128_t f = wasm_v128_load(p + 4 * v);
      a[2 * v] = wasm_f64x2_add(a[2 * v], wasm_f64x2_promote_low_f32x4(f));
      a[2 * v + 1] = wasm_f64x2_add(a[2 * v + 1], wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(f, f, 2, 3, 2, 3)));
    }
  }
  for (int v = 0; v < 2 * NV; v++) wasm_v128_store(acc + k + 2 * v, a[v]);
}

// sum_rows: acc[k] = Σ_{i0 ≤ i < i1} x[i][k] in double (a bias gradient: dy summed over every axis but the channels),
//   written (not added) to acc; c a multiple of 4.
EXPORT("sum_rows")
void sum_rows(const float *x, double *acc, int i0, int i1, int c) {
  for (int k = 0; k < c; k += 2) wasm_v128_store(acc + k, wasm_f64x2_splat(0.0));
  for (int k = 0; k < c; k += 16) {
    switch (c - k >= 16 ? 4 : (c - k) / 4) {
      case 1: sr_block(x, acc, i0, i1, c, k, 1); break;
      case 2: sr_block(x, acc, i0, i1, c, k, 2); break;
      case 3: sr_block(x, acc, i0, i1, c, k, 3); break;
      case 4: sr_block(x, acc, i0, i1, c, k, 4); break;
    }
  }
}

// Batch normalisation over the last axis (x viewed as rows of c channels, c a multiple of 4): the batch's statistics
// in two passes (sum_rows for the mean, sq_dev_rows for the variance), the normalisation and its gradient one pass
// each (affine_rows), the gradient's two sums one pass (bn_grad_rows). Rows outermost, so that each pass streams
// through memory once; the sums in double, in acc (L1-resident for any c here), written (not added) to acc.

INLINE void add_f32x4_to_f64(double *acc, v128_t x) {
  wasm_v128_store(acc, wasm_f64x2_add(wasm_v128_load(acc), wasm_f64x2_promote_low_f32x4(x)));
  wasm_v128_store(acc + 2, wasm_f64x2_add(wasm_v128_load(acc + 2), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3))));
}

INLINE void add_product_to_f64(double *acc, v128_t x, v128_t y) {
  const v128_t xlo = wasm_f64x2_promote_low_f32x4(x), xhi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3));
  const v128_t ylo = wasm_f64x2_promote_low_f32x4(y), yhi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(y, y, 2, 3, 2, 3));
  wasm_v128_store(acc, wasm_f64x2_add(wasm_v128_load(acc), wasm_f64x2_mul(xlo, ylo)));
  wasm_v128_store(acc + 2, wasm_f64x2_add(wasm_v128_load(acc + 2), wasm_f64x2_mul(xhi, yhi)));
}

// sq_dev_rows: acc[k] = Σ_{i0 ≤ i < i1} (x[i][k] − mean[k])² (the variance's numerator).
EXPORT("sq_dev_rows")
void sq_dev_rows(const float *x, const float *mean, double *acc, int i0, int i1, int c) {
  for (int k = 0; k < c; k += 2) wasm_v128_store(acc + k, wasm_f64x2_splat(0.0));
  for (int i = i0; i < i1; i++) {
    const float *p = x + i * c;
    for (int k = 0; k < c; k += 4) {
      const v128_t d = wasm_f32x4_sub(wasm_v128_load(p + k), wasm_v128_load(mean + k));
      add_product_to_f64(acc + k, d, d);
    }
  }
}

// bn_grad_rows: acc[k] = Σ_{i0 ≤ i < i1} dy[i][k] and acc[c + k] = Σ dy[i][k] · (x[i][k] − mean[k]) (beta's gradient,
//   and gamma's times the standard deviation).
EXPORT("bn_grad_rows")
void bn_grad_rows(const float *dy, const float *x, const float *mean, double *acc, int i0, int i1, int c) {
  for (int k = 0; k < 2 * c; k += 2) wasm_v128_store(acc + k, wasm_f64x2_splat(0.0));
  for (int i = i0; i < i1; i++) {
    const float *p = x + i * c, *q = dy + i * c;
    for (int k = 0; k < c; k += 4) {
      const v128_t g = wasm_v128_load(q + k);
      add_f32x4_to_f64(acc + k, g);
      add_product_to_f64(acc + c + k, g, wasm_f32x4_sub(wasm_v128_load(p + k), wasm_v128_load(mean + k)));
    }
  }
}

// affine_rows: y[i][k] = a[k] · u[i][k] + b[k] · v[i][k] + d[k] for rows i0 … i1 − 1: batch norm's output (u = v = x,
//   b = 0) and its input gradient (u = dy, v = x).
EXPORT("affine_rows")
void affine_rows(const float *u, const float *a, const float *v, const float *b, const float *d, float *y, int i0, int i1,
                 int c) {
  for (int i = i0; i < i1; i++) {
    const int o = i * c;
    for (int k = 0; k < c; k += 4) {
      const v128_t r = MADD(wasm_v128_load(d + k), wasm_v128_load(a + k), wasm_v128_load(u + o + k));
      wasm_v128_store(y + o + k, MADD(r, wasm_v128_load(b + k), wasm_v128_load(v + o + k)));
    }
  }
}

// max_pool_2x2: a 2×2 max pool at stride 2 that tiles x exactly (h = 2·oh, w = 2·ow), images b0 … b1 − 1; c a
//   multiple of 4. Each output is the window's first maximum in row-major order (strictly greater than everything
//   before it, starting from −∞: NaN never wins, a window of NaN or −∞ gives −∞), as the stock kernel decides.
EXPORT("max_pool_2x2")
void max_pool_2x2(const float *x, float *y, int b0, int b1, int oh, int ow, int c) {
  const int row = 2 * ow * c;
  const v128_t ninf = wasm_f32x4_splat(-__builtin_inff());
  for (int b = b0; b < b1; b++) {
    for (int oy = 0; oy < oh; oy++) {
      const float *p = x + (b * 2 * oh + 2 * oy) * row;
      float *q = y + (b * oh + oy) * ow * c;
      for (int ox = 0; ox < ow; ox++, p += 2 * c, q += c) {
        for (int k = 0; k < c; k += 4) {
          const v128_t x00 = wasm_v128_load(p + k), x01 = wasm_v128_load(p + c + k);
          const v128_t x10 = wasm_v128_load(p + row + k), x11 = wasm_v128_load(p + row + c + k);
          v128_t best = wasm_v128_bitselect(x00, ninf, wasm_f32x4_gt(x00, ninf));
          best = wasm_v128_bitselect(x01, best, wasm_f32x4_gt(x01, best));
          best = wasm_v128_bitselect(x10, best, wasm_f32x4_gt(x10, best));
          best = wasm_v128_bitselect(x11, best, wasm_f32x4_gt(x11, best));
          wasm_v128_store(q + k, best);
        }
      }
    }
  }
}

// relu: y[i] = x[i] > 0 ? x[i] : 0 for i0 ≤ i < i1, NaN kept (as the stock kernels: max(0, x); −0 gives +0).
EXPORT("relu")
void relu(const float *x, float *y, int i0, int i1) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    wasm_v128_store(y + i, wasm_v128_andnot(v, wasm_f32x4_le(v, zero)));
  }
  for (; i < i1; i++) y[i] = x[i] <= 0.0f ? 0.0f : x[i];
}

// relu_grad: dx[i] = dy[i] · step(x[i]) for i0 ≤ i < i1, step(x) = 1 where x > 0, NaN where x is NaN, else 0 — the
//   stock gradient (dy · cast(step(x))) in one pass, the same products.
EXPORT("relu_grad")
void relu_grad(const float *dy, const float *x, float *dx, int i0, int i1) {
  const v128_t zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    // 1 where x > 0, 0 where x ≤ 0, x itself (NaN) where unordered.
    const v128_t s = wasm_v128_bitselect(one, wasm_v128_and(v, wasm_f32x4_ne(v, v)), wasm_f32x4_gt(v, zero));
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), s));
  }
  for (; i < i1; i++) {
    const float v = x[i];
    dx[i] = dy[i] * (v > 0.0f ? 1.0f : v != v ? v : 0.0f);
  }
}

// adam_update: one Adam step of a weight, as engine/adam.ts's loop computes it (in double, each value rounded to float32
//   as it is stored; m and v unrounded in the weight's update): mv = [m…, v…] updated in place, the new weight
//   written to w_out (w itself is not written: other tensors may share its memory).
//   m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g·g, w ← w − lr·(m / bias1) / (√(v / bias2) + ε).
EXPORT("adam_update")
void adam_update(const float *w, const float *g, float *mv, float *w_out, int n, double lr, double beta1, double beta2,
                 double eps, double bias1, double bias2) {
#pragma clang fp contract(off)
  const double c1 = 1 - beta1, c2 = 1 - beta2;
  const v128_t b1 = wasm_f64x2_splat(beta1), b2 = wasm_f64x2_splat(beta2), k1 = wasm_f64x2_splat(c1);
  const v128_t k2 = wasm_f64x2_splat(c2), l = wasm_f64x2_splat(lr), e = wasm_f64x2_splat(eps);
  const v128_t d1 = wasm_f64x2_splat(bias1), d2 = wasm_f64x2_splat(bias2);
  float *m = mv, *v = mv + n;
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    const v128_t gi = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(g + i));
    const v128_t mi = wasm_f64x2_add(wasm_f64x2_mul(b1, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(m + i))),
                                     wasm_f64x2_mul(k1, gi));
    const v128_t vi = wasm_f64x2_add(wasm_f64x2_mul(b2, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(v + i))),
                                     wasm_f64x2_mul(wasm_f64x2_mul(k2, gi), gi));
    wasm_v128_store64_lane(m + i, wasm_f32x4_demote_f64x2_zero(mi), 0);
    wasm_v128_store64_lane(v + i, wasm_f32x4_demote_f64x2_zero(vi), 0);
    const v128_t step = wasm_f64x2_div(wasm_f64x2_mul(l, wasm_f64x2_div(mi, d1)),
                                       wasm_f64x2_add(wasm_f64x2_sqrt(wasm_f64x2_div(vi, d2)), e));
    const v128_t wi = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(w + i));
    wasm_v128_store64_lane(w_out + i, wasm_f32x4_demote_f64x2_zero(wasm_f64x2_sub(wi, step)), 0);
  }
  for (; i < n; i++) {
    const double gi = g[i];
    const double mi = beta1 * m[i] + c1 * gi;
    const double vi = beta2 * v[i] + c2 * gi * gi;
    m[i] = (float)mi;
    v[i] = (float)vi;
    w_out[i] = (float)(w[i] - (lr * (mi / bias1)) / (__builtin_sqrt(vi / bias2) + eps));
  }
}

// One block of gemm: MR (1 … 4) rows × NV (1 or 2) vectors of 4 columns, over the whole inner dimension.
INLINE void gm_block(const float *a, const float *b, const float *bias, float *c, int kk, int n, int sai, int sak,
                     int relu, const int MR, const int NV) {
  v128_t acc[4][2];
  for (int v = 0; v < NV; v++) {
    const v128_t init = bias ? wasm_v128_load(bias + 4 * v) : wasm_f32x4_splat(0.0f);
    for (int r = 0; r < MR; r++) acc[r][v] = init;
  }
  for (int p = 0; p < kk; p++) {
    const float *bp = b + p * n;
    const v128_t f0 = wasm_v128_load(bp);
    const v128_t f1 = NV > 1 ? wasm_v128_load(bp + 4) : f0;
    const float *ap = a + p * sak;
    for (int r = 0; r < MR; r++) {
      const v128_t s = wasm_v128_load32_splat(ap + r * sai);
      acc[r][0] = MADD(acc[r][0], s, f0);
      if (NV > 1) acc[r][1] = MADD(acc[r][1], s, f1);
    }
  }
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) {
      const v128_t y = acc[r][v];
      wasm_v128_store(c + r * n + 4 * v, relu ? wasm_v128_andnot(y, wasm_f32x4_le(y, zero)) : y);
    }
}

#define GM_CASE(mr, nv) \
  case (mr) * 2 + (nv) - 1: gm_block(ai, b + j, bj, c + i * n + j, kk, n, sai, sak, relu, mr, nv); break;

// gemm: c[i][j] = Σ_p A(i, p) · b[p][j] (+ bias[j]; relu: max(0, ·), NaN kept) for rows i0 … i1 − 1, with
//   A(i, p) = a[i·sai + p·sak] (a as it is, or transposed: sai = 1, sak = m), b [kk][n] and c [m][n] row-major.
//   Blocks of 4 rows × 8 columns in registers over the whole inner dimension; rows in groups of GM_GROUP, each
//   group's part of A kept in cache over every 8 columns' panel of b; columns past the last multiple of 4 one at a
//   time. bias is 0 for none.
#define GM_GROUP 32
EXPORT("gemm")
void gemm(const float *a, const float *b, float *c, const float *bias, int i0, int i1, int kk, int n, int sai, int sak,
          int relu) {
  const int n4 = n & ~3;
  for (int g = i0; g < i1; g += GM_GROUP) {
    const int g1 = i1 - g > GM_GROUP ? g + GM_GROUP : i1;
    for (int j = 0; j < n4; j += 8) {
      const int nv = n4 - j >= 8 ? 2 : 1;
      const float *bj = bias ? bias + j : 0;
      for (int i = g; i < g1; i += 4) {
        const int mr = g1 - i >= 4 ? 4 : g1 - i;
        const float *ai = a + i * sai;
        switch (mr * 2 + nv - 1) {
          GM_CASE(1, 1) GM_CASE(1, 2) GM_CASE(2, 1) GM_CASE(2, 2)
          GM_CASE(3, 1) GM_CASE(3, 2) GM_CASE(4, 1) GM_CASE(4, 2)
        }
      }
    }
  }
  for (int j = n4; j < n; j++) {
    for (int i = i0; i < i1; i++) {
      float s = bias ? bias[j] : 0.0f;
      const float *ai = a + i * sai;
      for (int p = 0; p < kk; p++) s += ai[p * sak] * b[p * n + j];
      c[i * n + j] = relu ? (s <= 0.0f ? 0.0f : s) : s;
    }
  }
}
