// A run's per-batch training curve, thinned as it grows so that it never holds more than MAX_CURVE_POINTS batches:
// when it is full, every other point is dropped and from then on only every other batch is kept (stride doubling), so
// the kept batches stay evenly spread over the whole run however long it is.
import { MAX_CURVE_POINTS, type RunCurve } from '../../src-shared/protocol.js';
import { scheduledLearningRate, type BatchProgress, type TrainConfig } from '../../src-shared/types.js';

/** A curve's values are kept to 5 significant digits: what a chart can show, at a third of the JSON. */
export const curveValue = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(5)) : v);

export class CurveRecorder {
  private readonly curve: RunCurve = { images: [], elapsedMs: [], loss: [], accuracy: [], learningRate: [] };
  private stride = 1;
  private seen = 0;

  /** `trainCount`: images an epoch trains on (the last batch of an epoch may be smaller than the batch size). */
  constructor(private readonly config: Pick<TrainConfig, 'batchSize' | 'learningRate' | 'schedule'>, private readonly trainCount: number) {}

  add(p: BatchProgress): void {
    if (this.seen++ % this.stride !== 0) return;
    const step = (p.epoch - 1) * p.batchesPerEpoch + p.batch - 1; // the optimiser step this batch was (0-based)
    const c = this.curve;
    c.images.push((p.epoch - 1) * this.trainCount + Math.min(p.batch * this.config.batchSize, this.trainCount));
    c.elapsedMs.push(Math.round(p.elapsedMs));
    c.loss.push(curveValue(p.loss));
    c.accuracy.push(curveValue(p.accuracy));
    c.learningRate.push(curveValue(scheduledLearningRate(this.config, step / (p.epochs * p.batchesPerEpoch))));
    if (c.images.length >= MAX_CURVE_POINTS) {
      for (const key of Object.keys(c) as (keyof RunCurve)[]) c[key] = c[key].filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** The curve as history.json holds it (NaN losses written as null by JSON). */
  json(): string {
    return JSON.stringify(this.curve);
  }
}
