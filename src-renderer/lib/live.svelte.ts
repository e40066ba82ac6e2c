// Live answers about the shared drawing while it is drawn: the Sketchpad's prediction and the Inside view's
// activations. At most one request per LIVE_INTERVAL_MS and one in flight, each reading the newest drawing when it
// starts (sketch/throttle.ts); a stroke's end, an undo or `refresh()` asks at once; clearing the drawing (or
// `reset()`) drops the answers to requests made before it. A subclass may look at another image instead (`pinned`).
import type { Sketch } from '../../src-shared/sketch/strokes';
import { sketchToMnist } from './sketch/browser-raster';
import { currentSketch } from './sketch/current';
import { throttleLatest } from './sketch/throttle';

/** While drawing, at most one live request per this many milliseconds. */
export const LIVE_INTERVAL_MS = 100;

/** The drawing as the model sees it: 784 grey levels 0-255, or null when there is too little ink to read (a dot). */
export function drawingPixels(sketch: Sketch): number[] | null {
  if (sketch.isEmpty) return null;
  const { pixels, empty } = sketchToMnist(sketch.strokes);
  return empty ? null : Array.from(pixels, (v) => Math.round(v * 255));
}

/** Asks the engine about an image (784 grey levels 0-255) with a model (null: the active one). */
export type Ask<T> = (pixels: number[], model: string | null) => Promise<T>;

export class LiveAnswer<T> {
  /** The model asked; null: the active one. */
  model: string | null = $state(null);
  /** The answer for `input`: null before the first, after a clear, with too little ink, or when the request failed. */
  result: T | null = $state.raw(null);
  /** The 784 grey levels last sent (what the model sees); null when there is nothing to look at. */
  input: number[] | null = $state.raw(null);
  error = $state('');
  latencyMs: number | null = $state(null);
  /** When the shown answer's image was read, and when the answer arrived (performance.now()). */
  readAt = $state(0);
  updatedAt = $state(0);
  /** Strokes in the drawing, the one being drawn included (kept while attached). */
  strokes = $state(0);
  private generation = 0;
  private readonly live = throttleLatest(() => this.run(), LIVE_INTERVAL_MS);
  private readonly ask: Ask<T>;
  protected readonly sketch: Sketch;

  constructor(ask: Ask<T>, sketch: Sketch = currentSketch) {
    this.ask = ask;
    this.sketch = sketch;
    this.strokes = sketch.count;
  }

  /** An image looked at instead of the drawing, whose changes are then ignored; none here. */
  protected pinned(): number[] | null {
    return null;
  }

  /** Follow the drawing while a view shows it; returns the detach function (call it when the view closes). */
  attach(): () => void {
    this.strokes = this.sketch.count;
    const off = this.sketch.onChange((reason) => {
      this.strokes = this.sketch.count;
      if (this.pinned()) return;
      if (this.sketch.isEmpty) this.reset();
      else if (reason === 'draw') this.live.request();
      else this.live.flush();
    });
    return () => {
      off();
      this.live.cancel();
    };
  }

  /** Ask again at once (another model, another image) when there is something to look at. */
  refresh(): void {
    if (this.pinned() || !this.sketch.isEmpty) this.live.flush();
  }

  /** Forget the answer; answers to requests already made are dropped. */
  protected reset(): void {
    this.generation++;
    this.live.cancel();
    this.result = null;
    this.input = null;
    this.error = '';
    this.latencyMs = null;
  }

  private async run(): Promise<void> {
    const gen = this.generation;
    const pixels = this.pinned() ?? drawingPixels(this.sketch);
    this.input = pixels;
    if (!pixels) {
      this.result = null;
      return;
    }
    const started = performance.now();
    try {
      const r = await this.ask(pixels, this.model);
      if (gen !== this.generation) return;
      this.result = r;
      this.readAt = started;
      this.error = '';
      this.latencyMs = Math.round(performance.now() - started);
      this.updatedAt = performance.now();
    } catch (e) {
      if (gen !== this.generation) return;
      this.result = null;
      this.error = (e as Error).message;
    }
  }
}
