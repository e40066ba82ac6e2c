// Small seeded random helpers, browser-safe. Seeded so that splits, batch order and augmentation
// are reproducible from a run's seed.

export type Rng = () => number;

/** mulberry32: a fast 32-bit seeded generator; returns uniform floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher-Yates shuffle, in place; returns the same array. */
export function shuffleInPlace<A extends unknown[] | Int32Array | Uint32Array>(a: A, rng: Rng): A {
  const v = a as { [i: number]: unknown; length: number };
  for (let i = v.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
  return a;
}
