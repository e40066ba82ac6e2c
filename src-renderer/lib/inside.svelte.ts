// The Inside view's state: which image is looked at (the shared drawing, live, or a gallery / mistake image picked
// with "Look inside"), the model, and every layer's output for it from one `activations` call, asked like the
// sketchpad's prediction (live.svelte.ts); `updatedAt` and `readAt` are for the latency test.
import { callActivations, type DecodedActivations } from './api';
import { LiveAnswer } from './live.svelte';

/** An image from elsewhere (Gallery, Mistakes): 784 grey levels 0-255 and a caption. */
export interface PickedImage {
  pixels: number[];
  caption: string;
}

class InsideState extends LiveAnswer<DecodedActivations> {
  /** null: the shared drawing. */
  picked: PickedImage | null = $state(null);

  constructor() {
    super((pixels, model) => callActivations({ pixels, ...(model ? { model } : {}) }));
  }

  protected override pinned(): number[] | null {
    return this.picked?.pixels ?? null;
  }

  /** Follow the shared drawing while the view is open, looking at once; returns the detach function. */
  override attach(): () => void {
    const detach = super.attach();
    this.refresh();
    return detach;
  }

  /** Look inside an image from the Gallery or Mistakes (fetched when the Inside view opens). */
  look(image: PickedImage): void {
    this.picked = image;
    this.reset(); // an answer for the previous image is dropped
  }

  /** Back to the drawing. */
  followSketch(): void {
    this.picked = null;
    this.reset();
    this.refresh();
  }
}

export const inside = new InsideState();
