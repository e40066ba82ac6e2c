// The Inside view's state: which image is looked at (the shared drawing, live, or a gallery / mistake image picked
// with "Look inside"), the model, and every layer's output for it from one `activations` call. Requests are
// throttled like the sketchpad's live prediction (≤ 1 per 100 ms, latest wins); `updatedAt` is when the last
// answer was shown and `readAt` when its image was read (performance.now()), for the latency test.
import { PIXELS } from '../../src-shared/domain';
import { callActivations, type DecodedActivations } from './api';
import { currentSketch } from './sketch/current';
import { sketchToMnist } from './sketch/browser-raster';
import { throttleLatest } from './sketch/throttle';

export const LIVE_INTERVAL_MS = 100;

/** An image from elsewhere (Gallery, Mistakes): 784 grey levels 0-255 and a caption. */
export interface PickedImage {
  pixels: number[];
  caption: string;
}

class InsideState {
  /** null: the shared drawing. */
  picked: PickedImage | null = $state(null);
  model: string | null = $state(null);
  result: DecodedActivations | null = $state.raw(null);
  error = $state('');
  latencyMs: number | null = $state(null);
  updatedAt = $state(0);
  /** When the image shown was read (performance.now()): a result counts for a drawing only if read after it. */
  readAt = $state(0);
  private generation = 0;
  private live = throttleLatest(() => this.fetch(), LIVE_INTERVAL_MS);

  /** Follow the shared drawing while the view is open; returns the detach function (call it when it closes). */
  attach(): () => void {
    const off = currentSketch.onChange((reason) => {
      if (this.picked) return;
      if (currentSketch.isEmpty) return this.clear();
      if (reason === 'draw') this.live.request();
      else this.live.flush();
    });
    this.refresh();
    return () => {
      off();
      this.live.cancel();
    };
  }

  /** Look inside an image from the Gallery or Mistakes (fetched when the Inside view opens). */
  look(image: PickedImage): void {
    this.generation++; // an answer for the previous image is dropped
    this.picked = image;
    this.result = null;
  }

  /** Back to the drawing. */
  followSketch(): void {
    this.generation++;
    this.picked = null;
    this.result = null;
    this.refresh();
  }

  refresh(): void {
    if (this.picked || !currentSketch.isEmpty) this.live.flush();
  }

  private clear(): void {
    this.generation++;
    this.live.cancel();
    this.result = null;
    this.error = '';
    this.latencyMs = null;
  }

  /** The 784 grey levels to look at, or null when there is nothing (yet). */
  private input(): number[] | null {
    if (this.picked) return this.picked.pixels;
    if (currentSketch.isEmpty) return null;
    const { pixels, empty } = sketchToMnist(currentSketch.strokes);
    return empty ? null : Array.from(pixels, (v) => Math.round(v * 255));
  }

  private async fetch(): Promise<void> {
    const gen = this.generation;
    const pixels = this.input();
    if (!pixels || pixels.length !== PIXELS) return;
    const started = performance.now();
    try {
      const r = await callActivations({ pixels, ...(this.model ? { model: this.model } : {}) });
      if (gen !== this.generation) return;
      this.result = r;
      this.readAt = started;
      this.error = '';
      this.latencyMs = Math.round(performance.now() - started);
      this.updatedAt = performance.now();
    } catch (e) {
      if (gen !== this.generation) return;
      this.error = (e as Error).message;
    }
  }
}

export const inside = new InsideState();
