// What the Inside view enlarges: one channel of a [h, w, channels] array with its layer's colour scale.
export interface Focus {
  title: string;
  data: Float32Array;
  shape: number[];
  channel: number;
  min: number;
  max: number;
}

/** Can the view draw a layer of this shape: feature maps [h, w, c] as tiles, vectors [n] as bars. */
export const drawable = (shape: number[]): boolean => shape.length === 3 || shape.length === 1;

/** [kh, kw, inC, filters] conv kernel → [kh, kw, filters] (averaged over the input channels), one tile per filter. */
export function kernelTiles(shape: number[], data: Float32Array): { shape: number[]; data: Float32Array; min: number; max: number } {
  const [kh, kw, inC, f] = shape;
  const out = new Float32Array(kh * kw * f);
  for (let p = 0; p < kh * kw; p++) {
    for (let k = 0; k < f; k++) {
      let sum = 0;
      for (let c = 0; c < inC; c++) sum += data[(p * inC + c) * f + k];
      out[p * f + k] = sum / inC;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of out) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { shape: [kh, kw, f], data: out, min, max };
}
