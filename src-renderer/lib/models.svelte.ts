// The saved models, one list for every view (Models, and the model pickers of Gallery, Sketchpad and Mistakes),
// and every change to them (active, rename, delete, import, export) from the Models view and the Train view's
// "Use this model". Loaded on first use, refreshed when a training run is done, when the engine (re)starts, and
// after each change made here.
import type { EventData, Params, Result } from '../../src-shared/protocol';
import type { ModelInfo } from '../../src-shared/types';
import { datasetName } from '../../src-shared/domain';
import { api, whenConnected } from './api';

/** Numbers each Keras import's progress events. */
let importJobs = 0;

class ModelsStore {
  /** Every model folder, including the ones that cannot be read (they carry `error`). */
  list: ModelInfo[] = $state([]);
  /** The models that can be loaded. */
  usable: ModelInfo[] = $derived(this.list.filter((m) => !m.error));
  /** True once the list has loaded (or failed to). */
  loaded = $state(false);
  /** Why the last refresh failed, or ''. */
  error = $state('');
  /** The test-set evaluation of a Keras import in progress, or null. */
  importProgress: EventData<'evalProgress'> | null = $state(null);
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

  /** Make `name` the active model; resolves to the active model's name. */
  async setActive(name: string): Promise<string> {
    return (await this.change(() => api.call('models.setActive', { name }))).active;
  }

  /** Rename a model; resolves to its new name. */
  async rename(from: string, to: string): Promise<string> {
    return (await this.change(() => api.call('models.rename', { from, to }))).name;
  }

  /** Delete a model's folder; resolves to the deleted name. */
  async remove(name: string): Promise<string> {
    return (await this.change(() => api.call('models.delete', { name }))).deleted;
  }

  /** Import a TF.js model folder; resolves to the saved name. */
  async import(name: string, files: Params<'models.import'>['files']): Promise<string> {
    return (await this.change(() => api.call('models.import', { name, files }))).name;
  }

  /** Import a Keras .h5 file, scored on the test set (`importProgress` meanwhile: only this import's progress, not
   *  another view's evaluation running at the same time). */
  importKeras(params: Omit<Params<'models.importKeras'>, 'jobId'>): Promise<Result<'models.importKeras'>> {
    return this.change(async () => {
      this.importProgress = null;
      const jobId = `import-keras-${++importJobs}`;
      const off = api.on('evalProgress', (p) => {
        if (p.jobId === jobId) this.importProgress = p;
      });
      try {
        return await api.call('models.importKeras', { ...params, jobId });
      } finally {
        off();
      }
    });
  }

  /** A model's TF.js files (model.json and weights), base64. */
  export(name: string): Promise<Result<'models.export'>> {
    return this.change(() => api.call('models.export', { name }));
  }

  /** A model as one Keras .h5 file, base64. */
  exportKeras(name: string): Promise<Result<'models.exportKeras'>> {
    return this.change(() => api.call('models.exportKeras', { name }));
  }

  /** Run a change, then reload the list, whether it worked or not (it may have half-worked, or the list was stale). */
  private async change<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } finally {
      await this.refresh();
    }
  }

  /** The model a picker starts on: the active one, else the first usable one. */
  defaultName(): string | null {
    // Each dataset has an active model: the digits' (MNIST's) first.
    const active = this.usable.filter((m) => m.active);
    return (active.find((m) => datasetName(m.meta) === 'MNIST') ?? active[0] ?? this.usable[0])?.name ?? null;
  }
}

export const models = new ModelsStore();
