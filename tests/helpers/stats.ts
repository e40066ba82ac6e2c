// Small statistics for tests.

/** Pearson correlation of two equally long arrays (1 = same picture up to brightness and contrast). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Largest absolute difference relative to the largest magnitude of the reference (Infinity on NaN). */
export function relError(reference: ArrayLike<number>, other: ArrayLike<number>): number {
  let scale = 1e-6;
  let diff = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]));
    diff = Math.max(diff, Math.abs(reference[i] - other[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
