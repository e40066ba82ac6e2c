// Training as a background job: `train` returns at once with a job id, progress goes out as events, and the
// job keeps its batches and epochs so a client that (re-)attaches later (a reloaded window) can redraw everything.
// One job at a time (a training run or a fine-tune); Stop aborts it within one batch and the model trained so far is
// saved by the engine (a stopped fine-tune saves nothing).
import { randomUUID } from 'node:crypto';
import type { BatchProgress, Emit, ParsedParams, TrainConfig, TrainJob } from '../../src-shared/protocol.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src-shared/types.js';
import type { Engine, TrainCallbacks, TrainingRun } from '../engine/api.js';
import { FINETUNE_DEFAULTS } from '../engine/finetune.js';


/** Batch points kept for re-attach; beyond this every other one is dropped (charts stay the same shape). */
export const MAX_KEPT_BATCHES = 4000;

export class Trainer {
  private job: TrainJob | null = null;
  private abort: AbortController | null = null;
  private keepEvery = 1;
  private seen = 0;

  constructor(private readonly emit: Emit) {}

  get running(): boolean {
    return this.job?.state === 'running' || this.job?.state === 'stopping';
  }

  /** The current or last job, as `status` reports it. */
  snapshot(): TrainJob | null {
    return this.job;
  }

  /** A training run as the engine resolves it (its name reserved); a request the engine refuses fails here, at once. */
  start(engine: Pick<Engine, 'startTraining'>, params: Partial<TrainConfig>): { jobId: string; config: TrainConfig } {
    this.checkIdle();
    return this.begin(engine.startTraining(params));
  }

  /** The same for a request that may name a dataset folder: the folder is read first (once per engine). */
  async startOn(engine: Pick<Engine, 'startTrainingOn'>, params: Partial<TrainConfig>): Promise<{ jobId: string; config: TrainConfig }> {
    this.checkIdle();
    const run = await engine.startTrainingOn(params);
    this.checkIdle(); // another request may have started a job while the folder was read
    // The run's first batch waits for the next turn of the event loop, so the answer with the job id goes out first.
    return this.begin(run, () => new Promise((resolve) => setImmediate(resolve)));
  }

  private begin(run: TrainingRun, before?: () => Promise<void>): { jobId: string; config: TrainConfig } {
    const work = before ? async (callbacks: TrainCallbacks) => (await before(), run.run(callbacks)) : (callbacks: TrainCallbacks) => run.run(callbacks);
    const { jobId } = this.run('train', run.config, work, (job, result) => {
      job.result = result;
      job.state = result.stopped ? 'stopped' : 'done';
      this.emit('done', { jobId: job.id, result });
    });
    return { jobId, config: run.config };
  }

  /** Fine-tune as a job of the same kind: batches stream as `batch` events, the end as `finetuneDone`. */
  startFinetune(engine: Pick<Engine, 'finetune'>, params: ParsedParams<'finetune'>): { jobId: string } {
    const o = FINETUNE_DEFAULTS;
    const config: TrainConfig = { // what the job's chart shows: the loop finetune.ts runs
      ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: o.batchSize, learningRate: o.learningRate, augment: o.augment,
      seed: params.seed ?? o.seed, schedule: 'constant', validationSize: 0,
    };
    const request = { ...params, activate: true };
    return this.run('finetune', config, (callbacks) => engine.finetune(request, callbacks), (job, { options: _options, ...result }) => {
      job.state = result.stopped ? 'stopped' : 'done';
      this.emit('finetuneDone', { jobId: job.id, result });
    });
  }

  /** The job machinery both kinds share: one at a time, kept batches and epochs, Stop, failure as `error`. */
  private run<R>(
    kind: TrainJob['kind'], config: TrainConfig, work: (callbacks: TrainCallbacks) => Promise<R>,
    finish: (job: TrainJob, result: R) => void,
  ): { jobId: string } {
    this.checkIdle();
    const job: TrainJob = {
      id: randomUUID(), kind, state: 'running', config, startedAt: new Date().toISOString(),
      batches: [], epochs: [], result: null, error: null,
    };
    const abort = new AbortController();
    this.job = job;
    this.abort = abort;
    this.keepEvery = 1;
    this.seen = 0;

    work({
      signal: abort.signal,
      onBatch: (p) => {
        this.keep(job, p);
        this.emit('batch', { jobId: job.id, progress: p });
      },
      onEpoch: (p) => {
        job.epochs.push(p);
        this.emit('epoch', { jobId: job.id, progress: p });
      },
      onLog: (message) => this.emit('log', { level: 'info', message }),
    })
      .then((result) => finish(job, result))
      .catch((err: unknown) => {
        job.state = 'failed';
        job.error = err instanceof Error ? err.message : String(err);
        this.emit('error', { jobId: job.id, message: job.error });
      })
      .finally(() => {
        if (this.abort === abort) this.abort = null;
      });
    return { jobId: job.id };
  }

  private checkIdle(): void {
    if (this.running) throw new Error('a training run is already in progress: stop it first');
  }

  stop(): { stopping: boolean } {
    if (!this.job || !this.abort || this.job.state !== 'running') return { stopping: false };
    this.job.state = 'stopping';
    this.abort.abort();
    return { stopping: true };
  }

  private keep(job: TrainJob, p: BatchProgress): void {
    this.seen++;
    if ((this.seen - 1) % this.keepEvery !== 0) return;
    job.batches.push(p);
    if (job.batches.length >= MAX_KEPT_BATCHES) {
      job.batches = job.batches.filter((_, i) => i % 2 === 0);
      this.keepEvery *= 2;
    }
  }
}
