// Runs' curves on one chart: each run's points on a shared x axis (images seen or wall time), one colour a run.
import type { CompareRun } from '../../../src-shared/protocol';
import { Ema } from '../../lib/training.svelte';

/** One colour a run (CSS variables), in the order the runs were picked. */
export const RUN_COLORS = ['chart-1', 'chart-2', 'chart-3', 'chart-4', 'chart-5'] as const;
export type XAxis = 'images' | 'time';
/** MNIST's training set: what a run with trainSize 0 ("all") trains on, less its validation images. */
const MNIST_TRAIN = 60_000;

interface Line {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Lines on the union of their x values; each line null where it has no point (the chart spans the gaps). */
export function overlay(lines: Line[]): { x: number[]; ys: (number | null)[][] } {
  const x = [...new Set(lines.flatMap((l) => Array.from(l.x)))].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  const ys = lines.map((l) => {
    const out = new Array<number | null>(x.length).fill(null);
    for (let i = 0; i < l.x.length; i++) out[at.get(l.x[i])!] = Number.isFinite(l.y[i]) ? l.y[i] : null;
    return out;
  });
  return { x, ys };
}

/** A run's per-batch values (training loss smoothed with `smoothing`, or the learning rate); empty without a curve. */
export function batchLine(run: CompareRun, axis: XAxis, pick: 'loss' | 'learningRate', smoothing = 0): Line {
  const c = run.curve;
  if (!c) return { x: [], y: [] };
  const x = axis === 'images' ? c.images : c.elapsedMs.map((ms) => ms / 1000);
  if (pick === 'learningRate') return { x, y: c.learningRate };
  const ema = new Ema(smoothing);
  return { x, y: c.loss.map((v) => ema.push(v)) };
}

/** A run's per-epoch validation metric, at the end of each epoch. */
export function epochLine(run: CompareRun, axis: XAxis, pick: 'valAccuracy' | 'valLoss'): Line {
  const c = run.config;
  const perEpoch = c ? Math.min(c.trainSize || MNIST_TRAIN, MNIST_TRAIN - c.validationSize) : 0;
  return {
    x: run.epochs.map((e) => (axis === 'images' ? e.epoch * perEpoch : e.elapsedMs / 1000)),
    y: run.epochs.map((e) => e[pick]),
  };
}
