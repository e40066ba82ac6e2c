// The Train view's live charts, in one place: per batch (raw, faint, and smoothed), the learning-rate schedule and
// per epoch (train and validation). Built from the session's series, which grow in place.
import type { Series as Line } from '../ui/LineChart.svelte';
import type { Series } from '../../lib/training.svelte';
import { formatPercent } from '../../../src-shared/domain';
import { scheduledLearningRate, type TrainConfig } from '../../../src-shared/types';

export interface ChartSpec {
  title: string;
  testid: string;
  /** x is the epoch number (whole), else the fractional epoch of each batch. */
  perEpoch: boolean;
  /** Own x values (the learning-rate curve); else the series' batch or epoch x. */
  x?: number[];
  yRange?: [number, number];
  wide?: boolean;
  height?: number;
  format: (v: number) => string;
  series: Line[];
}

/** Points on the learning-rate curve. */
const LR_POINTS = 100;

/** The learning rate over the run, from the config, with the function the engine uses each batch. */
export function learningRateCurve(c: TrainConfig | null): { x: number[]; values: number[] } {
  if (!c) return { x: [], values: [] };
  const x = Array.from({ length: LR_POINTS + 1 }, (_, i) => (i / LR_POINTS) * c.epochs);
  return { x, values: x.map((e) => scheduledLearningRate(c, e / c.epochs)) };
}

const pct = (v: number) => formatPercent(v, 1);
const fixed = (d: number) => (v: number) => v.toFixed(d);
const whole = (v: number) => Math.round(v).toLocaleString();

export function trainCharts(s: Series, config: TrainConfig | null, lr: { x: number[]; values: number[] }): ChartSpec[] {
  return [
    { title: 'Loss per batch', testid: 'chart-batch-loss', perEpoch: false, format: fixed(3), series: [
      { label: 'loss', values: s.loss, color: 'chart-1', faint: true }, { label: 'smoothed', values: s.lossSmooth, color: 'chart-1' }] },
    { title: 'Accuracy per batch', testid: 'chart-batch-accuracy', perEpoch: false, format: pct, series: [
      { label: 'accuracy', values: s.acc, color: 'chart-3', faint: true }, { label: 'smoothed', values: s.accSmooth, color: 'chart-3' }] },
    { title: `Learning rate (${config?.schedule ?? 'cosine'})`, testid: 'chart-lr', perEpoch: false, x: lr.x, height: 140,
      yRange: [0, 1.1 * (config?.learningRate ?? 1)], format: (v: number) => (v ? v.toPrecision(2) : '0'), series: [{ label: 'learning rate', values: lr.values, color: 'chart-2' }] },
    { title: 'Loss per epoch', testid: 'chart-epoch-loss', perEpoch: true, format: fixed(3), series: [
      { label: 'train', values: s.trainLoss, color: 'chart-1', points: true }, { label: 'validation', values: s.valLoss, color: 'chart-2', points: true }] },
    { title: 'Accuracy per epoch', testid: 'chart-epoch-accuracy', perEpoch: true, format: pct, series: [
      { label: 'train', values: s.trainAcc, color: 'chart-1', points: true }, { label: 'validation', values: s.valAcc, color: 'chart-2', points: true }] },
    { title: 'Throughput (images/s)', testid: 'chart-speed', perEpoch: false, wide: true, height: 140, format: whole, series: [
      { label: 'images/s', values: s.speed, color: 'chart-2', faint: true }, { label: 'smoothed', values: s.speedSmooth, color: 'chart-2' }] },
  ];
}
