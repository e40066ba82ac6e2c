// The Mistakes view's evaluation of a model on the test set, with its progress, and the test images fetched so
// far for the mistake grid. Kept across view switches (an evaluation takes a while on a CPU).
import { SvelteMap } from 'svelte/reactivity';
import type { EvalResult } from '../../src-shared/types';
import { api } from './api';

/** Test images per `testImages` request. */
const FETCH_BATCH = 200;

class Evaluation {
  result: EvalResult | null = $state(null);
  running = $state(false);
  progress = $state({ done: 0, total: 0 });
  error = $state('');
  /** Test images by index (784 grey levels), fetched as the grid shows them. */
  readonly images = new SvelteMap<number, number[]>();
  private inflight = new Set<number>();
  private started = false;

  /** The id this view's evaluation runs under: only its `evalProgress` events move the bar (not a Keras import's). */
  private jobId: string | null = null;
  private runs = 0;

  /** Follow the engine's progress of this view's evaluation (idempotent). */
  init(): void {
    if (this.started) return;
    this.started = true;
    api.on('evalProgress', ({ jobId, done, total }) => {
      if (jobId !== null && jobId === this.jobId) this.progress = { done, total };
    });
  }

  /** Evaluate `model` on the test set; true when it finished (else `error` says why). */
  async evaluate(model: string): Promise<boolean> {
    this.running = true;
    this.error = '';
    this.progress = { done: 0, total: 0 };
    const jobId = `mistakes-${++this.runs}-${Math.random().toString(36).slice(2, 10)}`;
    this.jobId = jobId;
    try {
      const result = await api.call('evaluate', { model, jobId });
      if (result.dataset !== this.result?.dataset) this.images.clear(); // another dataset's test images
      this.result = result;
      return true;
    } catch (e) {
      this.error = (e as Error).message;
      return false;
    } finally {
      this.running = false;
    }
  }

  /** Fetch the test images at `indices` that are not here yet, FETCH_BATCH at a time. */
  async fetchImages(indices: number[]): Promise<void> {
    const missing = indices.filter((i) => !this.images.has(i) && !this.inflight.has(i));
    for (let k = 0; k < missing.length; k += FETCH_BATCH) {
      const chunk = missing.slice(k, k + FETCH_BATCH);
      chunk.forEach((i) => this.inflight.add(i));
      try {
        const { images } = await api.call('testImages', { indices: chunk, model: this.result?.model });
        chunk.forEach((i, j) => this.images.set(i, images[j]));
      } catch (e) {
        this.error = `could not load test images: ${(e as Error).message}`;
      } finally {
        chunk.forEach((i) => this.inflight.delete(i));
      }
    }
  }
}

export const evaluation = new Evaluation();
