// The user's own handwriting: the examples stored with `userSamples.*`, and fine-tuning the active model
// on them as a background job (`finetune` → `batch` events → `finetuneDone`). The new model joins the models list;
// the model it started from is never changed.
import type { FinetuneResult, UserSample } from '../../src-shared/protocol';
import { api, whenConnected } from './api';
import { models } from './models.svelte';

export type TunePhase = 'idle' | 'running' | 'stopping' | 'done' | 'stopped' | 'failed';

class Handwriting {
  samples: UserSample[] = $state([]);
  /** Files in the sample folder that could not be read (kept, never deleted). */
  unreadable = $state(0);
  error = $state('');
  phase: TunePhase = $state('idle');
  jobId: string | null = $state(null);
  step = $state(0);
  steps = $state(0);
  result: FinetuneResult | null = $state(null);
  private started = false;

  init(): void {
    if (this.started) return;
    this.started = true;
    api.on('batch', ({ jobId, progress }) => {
      if (jobId !== this.jobId) return;
      this.step = progress.batch;
      this.steps = progress.batchesPerEpoch;
    });
    api.on('finetuneDone', ({ jobId, result }) => {
      if (jobId !== this.jobId) return;
      this.result = result;
      this.phase = result.stopped ? 'stopped' : 'done';
      void models.refresh();
    });
    api.on('error', ({ jobId, message }) => {
      if (jobId === null || jobId !== this.jobId) return;
      this.error = message;
      this.phase = 'failed';
    });
    void whenConnected(api).then(() => this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      const r = await api.call('userSamples.list', {});
      this.samples = r.samples;
      this.unreadable = r.errors.length;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  async add(label: number, pixels: number[], strokes: { x: number; y: number }[][]): Promise<void> {
    try {
      const s = await api.call('userSamples.add', { label, pixels, strokes, source: 'sketchpad' });
      this.samples = [...this.samples, s];
      this.error = '';
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await api.call('userSamples.remove', { id });
      this.samples = this.samples.filter((s) => s.id !== id);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  async finetune(model: string | null): Promise<void> {
    this.error = '';
    this.result = null;
    this.step = 0;
    try {
      const { jobId } = await api.call('finetune', model ? { model } : {});
      this.jobId = jobId;
      this.phase = 'running';
    } catch (e) {
      this.error = (e as Error).message;
      this.phase = 'failed';
    }
  }

  async stop(): Promise<void> {
    const { stopping } = await api.call('stop', {});
    if (stopping) this.phase = 'stopping';
  }
}

export const handwriting = new Handwriting();
