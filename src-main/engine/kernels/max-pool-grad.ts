// MaxPoolGrad, NHWC: each dy value goes to the position of its window's maximum in x.
// Layouts: input x [batch, inH, inW, C], dy [batch, outH, outW, C], dx like x.
import { maxPoolArgmax, poolGeometry, type PoolGeometry } from './pool-geometry.js';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values, newOutput } from './types.js';

export const maxPoolGrad: FastKernel = ({ inputs, backend, attrs }: CpuKernelArgs) => {
  if (!float32Values(backend, inputs.input) || !float32Values(backend, inputs.dy)) return null;
  const g = poolGeometry(inputs.input!.shape, attrs);
  if (!g) return null;
  const out = newOutput(backend, inputs.input!.shape);
  const x = float32Values(backend, inputs.input)!; // read after the output exists: the wasm heap may have grown
  const dy = float32Values(backend, inputs.dy)!;
  const dx = out.values.fill(0);
  if (isTiled2x2(g)) maxPoolGrad2x2(x, dy, g, dx);
  else {
    const argmax = maxPoolArgmax(x, g);
    for (let o = 0; o < argmax.length; o++) {
      const at = argmax[o];
      if (at >= 0) dx[at] += dy[o];
    }
  }
  return out.tensor();
};

/** The presets' pool: 2×2 windows at stride 2 with no padding, so the windows tile x without overlap. */
function isTiled2x2(g: PoolGeometry): boolean {
  return g.fH === 2 && g.fW === 2 && g.strideH === 2 && g.strideW === 2 && g.padTop === 0 && g.padLeft === 0 &&
    2 * g.outH <= g.inH && 2 * g.outW <= g.inW;
}

/**
 * The 2×2 case in one pass, with no argmax array: windows do not overlap, so each dy value is written
 * once. The first maximum in row-major window order wins ties, and a window holding nothing greater than
 * -Infinity (or only NaN) passes no gradient — as maxPoolArgmax decides.
 */
function maxPoolGrad2x2(x: Float32Array, dy: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  const C = g.channels;
  const row = g.inW * C;
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const top = (b * g.inH + 2 * oy) * row;
      for (let ox = 0; ox < g.outW; ox++) {
        const p00 = top + 2 * ox * C;
        const p01 = p00 + C;
        const p10 = p00 + row;
        const p11 = p10 + C;
        for (let c = 0; c < C; c++, o++) {
          let best = -Infinity;
          let at = -1;
          if (x[p00 + c] > best) {
            best = x[p00 + c];
            at = p00 + c;
          }
          if (x[p01 + c] > best) {
            best = x[p01 + c];
            at = p01 + c;
          }
          if (x[p10 + c] > best) {
            best = x[p10 + c];
            at = p10 + c;
          }
          if (x[p11 + c] > best) at = p11 + c;
          if (at >= 0) dx[at] = dy[o];
        }
      }
    }
  }
}
