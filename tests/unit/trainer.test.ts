// The engine process's training job (src-main/engine-process/trainer.ts) with a stand-in engine that reports
// batches as fast as it can: what a re-attaching client gets back from the job (batch history thinned to stay
// under MAX_KEPT_BATCHES, evenly, from the first batch on), that every batch still goes out as an event, and Stop.
import { describe, expect, it } from 'vitest';
import type { BatchProgress, EventName, TrainResult } from '../../src-shared/protocol.js';
import { trainConfigFor } from '../../src-shared/types.js';
import { MAX_KEPT_BATCHES, Trainer } from '../../src-main/engine-process/trainer.js';
import type { Engine, TrainCallbacks } from '../../src-main/engine/api.js';

const batch = (i: number, perEpoch: number): BatchProgress => ({
  epoch: Math.floor(i / perEpoch) + 1, epochs: 3, batch: (i % perEpoch) + 1, batchesPerEpoch: perEpoch,
  loss: 1 / (i + 1), accuracy: i / (i + 1), imagesPerSec: 1000, elapsedMs: i, etaMs: 0,
});

/** An engine whose `train` reports `total` batches (stopping early when aborted), then returns. */
function fakeEngine(total: number, perEpoch = 469): Pick<Engine, 'train' | 'startTraining'> & { done: Promise<void> } {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    done,
    startTraining(request) {
      return { config: { ...trainConfigFor(request), name: 'm' }, run: (callbacks) => this.train(request, callbacks) };
    },
    async train(_config, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
      let n = 0;
      for (; n < total && !callbacks.signal?.aborted; n++) {
        callbacks.onBatch?.(batch(n, perEpoch));
        if (n % 1000 === 999) await new Promise((r) => setImmediate(r)); // let Stop in, as the real loop does
      }
      finish();
      return { model: n ? 'm' : null, testAccuracy: 0.9, stopped: n < total, history: [], durationMs: n };
    },
  };
}

function recorder() {
  const events: { event: EventName; data: unknown }[] = [];
  const trainer = new Trainer((event, data) => events.push({ event, data }));
  const settled = () => new Promise<void>((r) => setTimeout(r, 0));
  return { events, trainer, settled };
}

describe('training job history', () => {
  it('keeps every batch while there are few', async () => {
    const { trainer, events, settled } = recorder();
    const engine = fakeEngine(1000);
    trainer.start(engine, { epochs: 3 });
    await engine.done;
    await settled();
    const job = trainer.snapshot()!;
    expect(job.state).toBe('done');
    expect(job.batches.map((b) => b.elapsedMs)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(events.filter((e) => e.event === 'batch')).toHaveLength(1000);
  });

  it.each([MAX_KEPT_BATCHES, 10_000, 70_000])('thins %i batches evenly to fewer than MAX_KEPT_BATCHES', async (total) => {
    const { trainer, events, settled } = recorder();
    const engine = fakeEngine(total);
    trainer.start(engine, {});
    await engine.done;
    await settled();
    const kept = trainer.snapshot()!.batches.map((b) => b.elapsedMs); // elapsedMs = the batch's number here
    expect(kept.length).toBeLessThan(MAX_KEPT_BATCHES);
    expect(kept.length).toBeGreaterThanOrEqual(MAX_KEPT_BATCHES / 4);
    expect(kept[0]).toBe(0);
    // one stride for the whole run, so the charts keep their shape: every stride-th batch, none missing
    const stride = kept[1] - kept[0];
    expect(stride & (stride - 1)).toBe(0); // a power of two
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => i * stride));
    expect(total - 1 - kept.at(-1)!).toBeLessThan(stride); // reaches the end of the run
    expect(events.filter((e) => e.event === 'batch')).toHaveLength(total); // live clients still see every batch
    expect(events.at(-1)?.event).toBe('done');
  });

  it('starts each job with its own history, refuses a second job while one runs, and stops within a batch', async () => {
    const { trainer, events, settled } = recorder();
    const first = fakeEngine(10_000);
    trainer.start(first, {});
    await first.done;
    await settled();

    const long = fakeEngine(1_000_000);
    const { jobId } = trainer.start(long, { epochs: 2 });
    expect(() => trainer.start(long, {})).toThrow('a training run is already in progress: stop it first');
    await new Promise((r) => setImmediate(r));
    const batchesAtStop = events.filter((e) => e.event === 'batch').length;
    expect(trainer.stop()).toEqual({ stopping: true });
    expect(trainer.snapshot()!.state).toBe('stopping');
    await long.done;
    await settled();
    const job = trainer.snapshot()!;
    expect(job.id).toBe(jobId);
    expect(job.config.epochs).toBe(2);
    expect(job.state).toBe('stopped');
    expect(job.batches[0].elapsedMs).toBe(0);
    expect(job.batches.length).toBeLessThan(MAX_KEPT_BATCHES);
    expect(events.filter((e) => e.event === 'batch').length).toBe(batchesAtStop); // the loop saw the abort at once
    expect(trainer.stop()).toEqual({ stopping: false });
    expect(events.filter((e) => e.event === 'done').map((e) => (e.data as { jobId: string }).jobId).at(-1)).toBe(jobId);
  });

  it('runs a fine-tune as a job of the same machinery: batch events, Stop, and finetuneDone instead of done', async () => {
    const { trainer, events, settled } = recorder();
    const inner = fakeEngine(1_000_000);
    const engine: Pick<Engine, 'finetune'> = {
      async finetune(request, callbacks = {}) {
        const r = await inner.train({}, callbacks);
        const scores = { user: null, mnist: 0.9 };
        return {
          options: { steps: 40, batchSize: 32, learningRate: 3e-4, replay: 0.5, holdout: 0.2, testSize: 10, augment: 'affine' as const, seed: 1 },
          trained: 5, heldOut: 0, steps: 40, before: scores, after: scores, images: 0, stopped: r.stopped, model: r.stopped ? '' : 'b-tuned-1',
          base: request?.model ?? 'b', durationMs: 1,
        };
      },
    };
    const { jobId } = trainer.startFinetune(engine, { model: 'b' });
    expect(trainer.snapshot()).toMatchObject({ id: jobId, kind: 'finetune', state: 'running' });
    expect(() => trainer.start(fakeEngine(1), {})).toThrow(/already in progress/);
    await new Promise((r) => setImmediate(r));
    expect(trainer.stop()).toEqual({ stopping: true });
    await inner.done;
    await settled();
    expect(trainer.snapshot()!.state).toBe('stopped');
    expect(events.some((e) => e.event === 'done')).toBe(false);
    const done = events.find((e) => e.event === 'finetuneDone')!.data as { jobId: string; result: { stopped: boolean; model: string; base: string } };
    expect(done).toMatchObject({ jobId, result: { stopped: true, model: '', base: 'b' } });
    expect(events.filter((e) => e.event === 'batch').length).toBeGreaterThan(0);
  });
});
