// The saved models, one list for every view (Models, and the model pickers of Gallery, Sketchpad and Mistakes).
// Loaded on first use, refreshed when a training run is done, when the engine (re)starts, and after each change
// made through the Models view.
import type { ModelInfo } from '../../src-shared/types';
import { api, whenConnected } from './api';

class ModelsStore {
  /** Every model folder, including the ones that cannot be read (they carry `error`). */
  list: ModelInfo[] = $state([]);
  /** The models that can be loaded. */
  usable: ModelInfo[] = $derived(this.list.filter((m) => !m.error));
  /** True once the list has loaded (or failed to). */
  loaded = $state(false);
  /** Why the last refresh failed, or ''. */
  error = $state('');
  private started = false;
  private request = 0;

  /** Subscribe to the events that change the list and load it (idempotent). */
  init(): void {
    if (this.started) return;
    this.started = true;
    api.on('done', () => void this.refresh());
    api.on('engine', ({ state }) => {
      if (state === 'ready') void this.refresh();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const id = ++this.request;
    try {
      await whenConnected(api);
      const { models } = await api.call('models.list', {});
      if (id !== this.request) return; // a newer refresh answers
      this.list = models;
      this.error = '';
    } catch (e) {
      if (id !== this.request) return;
      this.error = (e as Error).message;
    } finally {
      if (id === this.request) this.loaded = true;
    }
  }

  /** The model a picker starts on: the active one, else the first usable one. */
  defaultName(): string | null {
    return (this.usable.find((m) => m.active) ?? this.usable[0])?.name ?? null;
  }
}

export const models = new ModelsStore();
