// Accuracy on real pen-drawn digits (data/pendigits.ts, rendered by data/pen-render.ts): overall, per
// class (with the confusion matrix) and per writer, on any subset of the writers.
import type { PenDigit } from './data/pendigits.js';
import { CLASSES as NUM_CLASSES, PIXELS } from '../../src-shared/domain.js';
import { summarize, type Summary } from './evaluate.js';

const CHUNK = 1000;

export interface PenReport extends Summary {
  /** The writers included, ascending. */
  writers: number[];
  perWriter: { writer: number; count: number; correct: number }[];
}

/** Class probabilities (n × 10) for n rendered digits, through any batch predictor (e.g. `engine.predict`). */
export async function penProbs(
  images: Float32Array,
  predict: (inputs: Float32Array[]) => Promise<number[][]>,
): Promise<Float32Array> {
  const n = images.length / PIXELS;
  const probs = new Float32Array(n * NUM_CLASSES);
  for (let start = 0; start < n; start += CHUNK) {
    const inputs: Float32Array[] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) inputs.push(images.subarray(i * PIXELS, (i + 1) * PIXELS));
    (await predict(inputs)).forEach((p, j) => probs.set(p, (start + j) * NUM_CLASSES));
  }
  return probs;
}

/** Accuracy of `probs` on the digits of `writers` (default: every writer in the file). */
export function penReport(digits: readonly PenDigit[], probs: Float32Array, writers?: readonly number[]): PenReport {
  const keep = writers ? new Set(writers) : null;
  const chosen = digits.flatMap((d, i) => (!keep || keep.has(d.writer) ? [i] : []));
  if (chosen.length === 0) throw new Error(`no digits by writer${writers!.length === 1 ? '' : 's'} ${writers!.join(', ')}`);
  const labels = Uint8Array.from(chosen, (i) => digits[i].label);
  const subset = new Float32Array(chosen.length * NUM_CLASSES);
  chosen.forEach((i, j) => subset.set(probs.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), j * NUM_CLASSES));
  const summary = summarize(subset, labels);
  const wrong = new Set(summary.mistakes.map((m) => m.index));
  const byWriter = new Map<number, { writer: number; count: number; correct: number }>();
  chosen.forEach((i, j) => {
    const w = digits[i].writer;
    const row = byWriter.get(w) ?? { writer: w, count: 0, correct: 0 };
    row.count++;
    if (!wrong.has(j)) row.correct++;
    byWriter.set(w, row);
  });
  const perWriter = [...byWriter.values()].sort((a, b) => a.writer - b.writer);
  return { ...summary, writers: perWriter.map((r) => r.writer), perWriter };
}

