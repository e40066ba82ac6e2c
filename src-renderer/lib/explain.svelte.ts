// "Why this answer?": an attribution map (`explain`) for the shared drawing, followed live like the Sketchpad's
// prediction (live.svelte.ts), or for a fixed image (a Gallery / Mistakes / picked Inside image). The class explained
// (null: the predicted one) and the method are chosen here; changing either asks again at once.
import type { Explanation } from '../../src-shared/protocol';
import type { ExplainMethod } from '../../src-shared/types';
import { api } from './api';
import { LiveAnswer } from './live.svelte';

/** What is explained: a class (null: whatever the model predicts) by a method. */
export class ExplainChoice {
  cls: number | null = $state(null);
  method: ExplainMethod = $state('gradient');
}

export class ExplainState extends LiveAnswer<Explanation> {
  /** A fixed image to explain instead of the drawing (784 grey levels 0-255); null: the drawing. */
  image: number[] | null = $state.raw(null);
  readonly choice: ExplainChoice;

  constructor(choice = new ExplainChoice()) {
    super((pixels, model) =>
      api.call('explain', { pixels, method: choice.method, ...(choice.cls === null ? {} : { class: choice.cls }), ...(model ? { model } : {}) }),
    );
    this.choice = choice;
  }

  protected override pinned(): number[] | null {
    return this.image;
  }

  /** Explain this image (null: the drawing again); an answer for the previous one is dropped. */
  show(image: number[] | null): void {
    this.image = image;
    this.reset();
    this.refresh();
  }

  /** Explain another class (null: the predicted one). */
  pick(cls: number | null): void {
    this.choice.cls = cls;
    this.refresh();
  }

  use(method: ExplainMethod): void {
    this.choice.method = method;
    this.refresh();
  }
}

/** A view's map that is shown on request (off by default: it costs a request per change of the drawing). */
class ShownExplain extends ExplainState {
  shown = $state(false);
}
/** The Sketchpad's map (kept across view switches, with whether it is shown). */
export const sketchExplain = new ShownExplain();
/** The Inside view's map: the drawing, or the image picked with "Look inside". */
export const insideExplain = new ShownExplain();
