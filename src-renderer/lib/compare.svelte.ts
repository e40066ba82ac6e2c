// The Compare view's state, kept across view switches: the picked models (2–5), their runs side by side
// (`compare.runs`) and, for two of them, the test images one gets right and the other wrong (`compare.diff`); the
// chart settings; the test images the galleries show. Models saved without their predictions are scored by the
// engine first: `evalProgress` events with this state's job id drive the progress bar.
import { MAX_COMPARE, mapColumns, type CompareRun, type EventData, type Result } from '../../src-shared/protocol';
import type { XAxis } from '../components/compare/overlay';
import { api, base64Floats } from './api';
import { models } from './models.svelte';

let nextJob = 0;

class CompareState {
  /** The picked models, in the order they were picked (their colours). */
  selected: string[] = $state([]);
  runs: CompareRun[] = $state.raw([]);
  /** The pair the confusion difference and the fixed / broken galleries are about (indices into `runs`). */
  a = $state(0);
  b = $state(1);
  diff: Result<'compare.diff'> | null = $state.raw(null);
  loading = $state(false);
  error = $state('');
  progress: EventData<'evalProgress'> | null = $state(null);
  /** Training-loss smoothing (EMA weight 0–0.99), x axis, and whether equal table rows are hidden. */
  smoothing = $state(0.6);
  axis: XAxis = $state('images');
  hideEqual = $state(false);
  /** Test images fetched for the galleries, by index (784 grey levels 0-255). */
  images: Map<number, number[]> = $state.raw(new Map());
  /** Milliseconds from asking to having the runs (shown in the view; the benchmark reads it). */
  loadMs = $state(0);
  private request = 0;
  private job = '';
  private started = false;

  init(): void {
    models.init();
    if (this.started) return;
    this.started = true;
    api.on('evalProgress', (p) => {
      if (p.jobId === this.job) this.progress = p;
    });
  }

  toggle(name: string): void {
    if (this.selected.includes(name)) this.selected = this.selected.filter((n) => n !== name);
    else if (this.selected.length < MAX_COMPARE) this.selected = [...this.selected, name];
  }

  /** Open the view on these models (the Train view's "Compare with the active model"). */
  show(names: string[]): void {
    this.init();
    this.selected = names.slice(0, MAX_COMPARE);
    location.hash = '#compare';
    void this.load();
  }

  async load(): Promise<void> {
    if (this.selected.length < 2) return;
    const id = ++this.request;
    this.job = `compare-${++nextJob}`;
    this.loading = true;
    this.error = '';
    this.progress = null;
    const t0 = performance.now();
    try {
      // Both at once: the engine scores a model saved without predictions once for the two requests.
      const names = [...this.selected];
      this.diff = null;
      const diff = api.call('compare.diff', { a: names[0], b: names[1] });
      diff.catch(() => {}); // its error is the runs' error, reported below
      const { runs } = await api.call('compare.runs', { models: names, jobId: this.job });
      if (id !== this.request) return;
      this.runs = runs.map((run) => ({ ...run, curve: run.curve && mapColumns(run.curve, base64Floats) }));
      this.a = 0;
      this.b = 1;
      this.loadMs = performance.now() - t0;
      const pair = await diff;
      if (id === this.request) this.diff = pair;
    } catch (e) {
      if (id === this.request) this.error = (e as Error).message;
    } finally {
      if (id === this.request) this.loading = false;
    }
  }

  /** Pick the pair (indices into `runs`) and fetch its fixed / broken images. */
  async pair(a: number, b: number): Promise<void> {
    this.a = a;
    this.b = b;
    const id = ++this.request;
    try {
      await this.loadDiff(id);
    } catch (e) {
      if (id === this.request) this.error = (e as Error).message;
    }
  }

  private async loadDiff(id: number): Promise<void> {
    this.diff = null;
    if (this.a === this.b) return;
    const diff = await api.call('compare.diff', { a: this.runs[this.a].name, b: this.runs[this.b].name });
    if (id !== this.request) return;
    this.diff = diff;
  }

  /** Fetch the test images not fetched yet (at most 1000 a request). */
  async fetchImages(indices: number[]): Promise<void> {
    const missing = indices.filter((i) => !this.images.has(i)).slice(0, 1000);
    if (!missing.length) return;
    const { images } = await api.call('testImages', { indices: missing });
    const next = new Map(this.images);
    missing.forEach((index, k) => next.set(index, images[k]));
    this.images = next;
  }
}

export const compare = new CompareState();
