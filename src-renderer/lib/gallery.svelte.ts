// The Gallery view's draw of test images with predictions. Kept across view switches: coming back shows the
// same draw. Asking again for the same model, count and seed reuses it; only the latest request's answer lands.
import type { Result } from '../../src-shared/protocol';
import { api } from './api';

type Samples = Result<'samples'>;

const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

class SampleDraw {
  seed = $state(randomSeed());
  result: Samples | null = $state(null);
  loading = $state(false);
  error = $state('');
  private key = '';
  private request = 0;

  /** Draw `n` test images with `model`'s predictions, from `this.seed`. */
  async load(model: string, n: number): Promise<void> {
    const key = `${model}|${n}|${this.seed}`;
    if (key === this.key && this.result) return;
    const id = ++this.request;
    this.loading = true;
    this.error = '';
    try {
      const r = await api.call('samples', { model, n, seed: this.seed });
      if (id !== this.request) return;
      this.result = r;
      this.key = key;
    } catch (e) {
      if (id !== this.request) return;
      this.error = (e as Error).message;
      this.result = null;
      this.key = '';
    } finally {
      if (id === this.request) this.loading = false;
    }
  }

  shuffle(): void {
    this.seed = randomSeed();
  }
}

export const gallery = new SampleDraw();
