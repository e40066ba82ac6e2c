// Tables for a pen-digit report (engine/pen-eval.ts): used by `digit-lab evaluate --pen` and `npm run bench`.
import type { PenReport } from '../engine/pen-eval.js';
import { formatPercent as percent } from '../../src-shared/domain.js';
import { sideBySide, table } from './render.js';

export const CLASS_HEADER = ['digit', 'images', 'correct', 'accuracy'];
export const WRITER_HEADER = ['writer', 'images', 'correct', 'accuracy'];

export function classRows(r: PenReport): (string | number)[][] {
  return r.confusion.map((row, k) => [String(k), row.reduce((a, b) => a + b, 0), row[k], percent(r.perClassAccuracy[k], 1)]);
}

export function writerRows(r: PenReport): (string | number)[][] {
  return r.perWriter.map((w) => [String(w.writer), w.count, w.correct, percent(w.correct / w.count, 1)]);
}

/** The most frequent mistakes, e.g. "9→3 ×9, 7→2 ×4". */
export function topConfusions(r: PenReport, n = 6): string {
  const pairs: { from: number; to: number; count: number }[] = [];
  r.confusion.forEach((row, from) => row.forEach((count, to) => from !== to && count && pairs.push({ from, to, count })));
  pairs.sort((a, b) => b.count - a.count);
  return pairs.slice(0, n).map((p) => `${p.from}→${p.to} ×${p.count}`).join(', ') || 'none';
}

/** Headline, per-class and per-writer tables side by side, and the commonest mistakes. */
export function penText(r: PenReport, title: string): string {
  return [
    `${title}: ${percent(r.accuracy)}  (${r.correct}/${r.count} correct, writers ${r.writers.join(' ')})`,
    '',
    ...sideBySide([table(CLASS_HEADER, classRows(r)).split('\n'), table(WRITER_HEADER, writerRows(r)).split('\n')], '     '),
    '',
    `commonest mistakes (actual→predicted): ${topConfusions(r)}`,
  ].join('\n');
}
