// The Train view's state: the current (or last) training job, attached to the engine's events. On load it asks
// `status` for the job and its history so far, so a reloaded window picks up a running job where it is.
// Chart series are plain arrays grown in place (cheap per batch); `version` ticks so charts redraw.
import type { BackendInfo, BatchProgress, EpochProgress, TrainConfig, TrainResult } from '../../src-shared/types';
import type { Result, TrainJob } from '../../src-shared/protocol';
import { api, whenConnected } from './api';
import { models } from './models.svelte';

/** Exponential moving average with bias correction (as TensorBoard's smoothing). */
export class Ema {
  private value = 0;
  private weight = 0;
  constructor(private readonly alpha: number) {}
  push(v: number): number {
    if (!Number.isFinite(v)) return this.weight ? this.value / this.weight : NaN;
    this.value = this.alpha * this.value + (1 - this.alpha) * v;
    this.weight = this.alpha * this.weight + (1 - this.alpha);
    return this.value / this.weight;
  }
}

export class Series {
  // batch-level: x in (fractional) epochs
  bx: number[] = [];
  loss: number[] = [];
  lossSmooth: number[] = [];
  acc: number[] = [];
  accSmooth: number[] = [];
  speed: number[] = [];
  speedSmooth: number[] = [];
  // epoch-level
  ex: number[] = [];
  trainLoss: number[] = [];
  valLoss: number[] = [];
  trainAcc: number[] = [];
  valAcc: number[] = [];
  private lossEma = new Ema(0.8);
  private accEma = new Ema(0.8);
  private speedEma = new Ema(0.8);

  addBatch(p: BatchProgress): void {
    this.bx.push(p.epoch - 1 + p.batch / p.batchesPerEpoch);
    this.loss.push(p.loss);
    this.lossSmooth.push(this.lossEma.push(p.loss));
    this.acc.push(p.accuracy);
    this.accSmooth.push(this.accEma.push(p.accuracy));
    this.speed.push(p.imagesPerSec);
    this.speedSmooth.push(this.speedEma.push(p.imagesPerSec));
  }

  addEpoch(p: EpochProgress): void {
    this.ex.push(p.epoch);
    this.trainLoss.push(p.loss);
    this.valLoss.push(p.valLoss);
    this.trainAcc.push(p.accuracy);
    this.valAcc.push(p.valAccuracy);
  }
}

export type Phase = 'loading' | 'idle' | 'running' | 'stopping' | 'done' | 'stopped' | 'failed';

class TrainingSession {
  phase: Phase = $state('loading');
  backend: BackendInfo | null = $state(null);
  dataset: Result<'status'>['dataset'] | null = $state(null);
  activeModel: string | null = $state(null);
  /** The model that was active before the last run replaced it (what the result card compares it with). */
  previousActive: string | null = $state(null);
  /** Each preset's defaults as the engine resolves them on its backend (batch 512 on a GPU); null until `status`. */
  trainDefaults: Result<'status'>['trainDefaults'] | null = $state(null);
  jobId: string | null = $state(null);
  config: TrainConfig | null = $state(null);
  startedAt: number | null = $state(null);
  lastBatch: BatchProgress | null = $state(null);
  lastEpoch: EpochProgress | null = $state(null);
  epochs: EpochProgress[] = $state([]);
  result: TrainResult | null = $state(null);
  error: string | null = $state(null);
  log: string[] = $state([]);
  version = $state(0);
  series = new Series();
  /** True when this view attached to a job that was already running (e.g. after a reload). */
  reattached = $state(false);
  private started = false;

  /** Subscribe to engine events and load the current job (idempotent). */
  init(): void {
    if (this.started) return;
    this.started = true;
    api.on('batch', ({ jobId, progress }) => {
      if (jobId !== this.jobId) return;
      this.series.addBatch(progress);
      this.lastBatch = progress;
      this.version++;
    });
    api.on('epoch', ({ jobId, progress }) => {
      if (jobId !== this.jobId) return;
      this.series.addEpoch(progress);
      this.epochs.push(progress);
      this.lastEpoch = progress;
      this.version++;
    });
    api.on('done', ({ jobId, result }) => {
      if (jobId !== this.jobId) return;
      this.result = result;
      this.phase = result.stopped ? 'stopped' : 'done';
      if (result.model !== null && result.activated !== false && this.activeModel !== result.model) {
        this.previousActive = this.activeModel;
        this.activeModel = result.model;
      }
    });
    api.on('error', ({ jobId, message }) => {
      if (jobId !== null && jobId !== this.jobId) return;
      if (jobId === null) return void this.addLog(message);
      this.error = message;
      this.phase = 'failed';
    });
    api.on('log', ({ message }) => this.addLog(message));
    api.on('engine', ({ state }) => {
      if (state === 'ready') void this.refresh();
      if (state === 'crashed' && (this.phase === 'running' || this.phase === 'stopping')) {
        this.phase = 'failed';
        this.error = 'the engine process stopped during training';
      }
    });
    void whenConnected(api).then(() => this.refresh());
    api.onConnection((s) => {
      if (s === 'open') void this.refresh();
    });
  }

  private addLog(message: string): void {
    this.log = [...this.log.slice(-49), message];
  }

  /** Ask the engine for its state and the job so far; rebuild the charts from the job's history. */
  async refresh(): Promise<void> {
    let status: Result<'status'>;
    try {
      status = await api.call('status', {});
    } catch (err) {
      this.error = (err as Error).message;
      if (this.phase === 'loading') this.phase = 'idle';
      return;
    }
    this.backend = status.backend;
    this.dataset = status.dataset;
    this.trainDefaults = status.trainDefaults;
    this.activeModel = status.activeModel;
    const job = status.job?.kind === 'train' ? status.job : null; // a fine-tune job belongs to the Sketchpad
    if (!job) {
      if (this.phase === 'loading') this.phase = 'idle';
      return;
    }
    const wasAttached = this.jobId === job.id;
    this.load(job);
    if (!wasAttached && (job.state === 'running' || job.state === 'stopping')) this.reattached = true;
  }

  private load(job: TrainJob): void {
    this.jobId = job.id;
    this.config = job.config;
    this.startedAt = Date.parse(job.startedAt);
    this.series = new Series();
    for (const b of job.batches) this.series.addBatch(b);
    for (const e of job.epochs) this.series.addEpoch(e);
    this.epochs = [...job.epochs];
    this.lastBatch = job.batches.at(-1) ?? null;
    this.lastEpoch = job.epochs.at(-1) ?? null;
    this.result = job.result;
    this.error = job.error;
    this.phase = job.state;
    this.version++;
  }

  /** Make the finished run's model the active one (the result card's "Use this model"). */
  async useResult(): Promise<void> {
    const name = this.result?.model;
    if (!name) return;
    const before = this.activeModel;
    this.activeModel = await models.setActive(name); // the models list (and every picker) follows
    if (before !== name) this.previousActive = before;
  }

  async start(config: TrainConfig): Promise<void> {
    this.error = null;
    this.result = null;
    this.reattached = false;
    this.log = [];
    const started = await api.call('train', config);
    this.jobId = started.jobId;
    this.config = started.config; // as the engine resolved it
    this.startedAt = Date.now();
    this.series = new Series();
    this.epochs = [];
    this.lastBatch = null;
    this.lastEpoch = null;
    this.phase = 'running';
    this.version++;
  }

  async stop(): Promise<void> {
    const { stopping } = await api.call('stop', {});
    if (stopping) this.phase = 'stopping';
  }
}

export const training = new TrainingSession();
