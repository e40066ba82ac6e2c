// The domain's numbers and the small helpers every layer needs (engine, CLI, renderer): browser-safe, no imports.

/** MNIST images are IMAGE_SIDE × IMAGE_SIDE grey levels, row-major, white ink on black. */
export const IMAGE_SIDE = 28;
/** Values in one image (28 × 28 = 784). */
export const PIXELS = IMAGE_SIDE * IMAGE_SIDE;
/** Digit classes 0-9. */
export const CLASSES = 10;
/** A dataset has from MIN_CLASSES to MAX_CLASSES classes (an image folder: one sub-folder each). */
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 100;

/** The digits' class names: '0' … '9'. */
export const DIGIT_NAMES: readonly string[] = Array.from({ length: CLASSES }, (_, k) => String(k));

/** The name of the dataset a model was trained on, from its meta.json (absent: MNIST). */
export const datasetName = (meta: { trainedOn?: { name: string }; dataset?: string } | null | undefined): string =>
  meta?.trainedOn?.name ?? meta?.dataset ?? 'MNIST';

/** A count for people, thousands apart by a no-break space: 10000 → "10 000". */
export const formatCount = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');

/** A class for people: its name when known, else its number. */
export const className = (classes: readonly string[] | undefined, k: number): string => classes?.[k] ?? String(k);

/** Index of the largest of `n` values starting at `offset` (the predicted class of one row of probabilities). */
export function argmax(values: ArrayLike<number>, offset = 0, n = CLASSES): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

/** A duration for people: "12s", "3m 07s", "1h 05m"; "—" when unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : m ? `${m}m ${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** A fraction as a percentage: 0.9912 → "99.12%". */
export const formatPercent = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;

/** A layer's output shape for people: 28×28×32, 128. */
export function formatShape(shape: readonly (number | null)[]): string {
  return shape.map((d) => d ?? '?').join('×') || 'scalar';
}
