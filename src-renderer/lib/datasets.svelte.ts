// The datasets a run can train on (`datasets.list`: MNIST, Fashion-MNIST when installed, the image folders added),
// one list for the Train view's and the Models view's pickers, and adding a folder (`datasets.add`) with its progress
// and what the import kept and skipped. A folder is a path on the engine's machine: the engine runs locally in both
// the app and browser mode.
import { datasetName, formatCount } from '../../src-shared/domain';
import type { DatasetEntry, EventData, ImportReport, ModelMeta } from '../../src-shared/protocol';
import { api, whenConnected } from './api';

class DatasetsStore {
  list: DatasetEntry[] = $state([]);
  /** The engine's own dataset's folder (what a run uses when none is chosen). */
  current = $state('');
  error = $state('');
  /** Adding a folder: its decoding progress, then what it kept and skipped. */
  adding = $state(false);
  progress: EventData<'evalProgress'> | null = $state(null);
  report: (ImportReport & { name: string }) | null = $state(null);
  addError = $state('');
  private started = false;
  private jobId = '';

  init(): void {
    if (this.started) return;
    this.started = true;
    api.on('evalProgress', (p) => {
      if (p.jobId !== null && p.jobId === this.jobId) this.progress = p;
    });
    api.on('engine', ({ state }) => {
      if (state === 'ready') void this.refresh();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      await whenConnected(api);
      const r = await api.call('datasets.list', {});
      this.list = r.datasets;
      this.current = r.current;
      this.error = '';
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** The entry of a folder (undefined: the engine's own dataset). */
  entry(dir: string | undefined): DatasetEntry | undefined {
    return this.list.find((d) => d.dir === (dir ?? this.current)) ?? this.list.find((d) => d.name === 'MNIST');
  }

  /** The test set a model is scored on: its dataset's name and, when that dataset is listed (found by its test files'
   *  fingerprint; a model without one is MNIST's or names its set), its number of test images, else null. */
  testSetOf(meta: ModelMeta | null | undefined): { name: string; count: number | null } {
    const name = datasetName(meta);
    const info = meta?.trainedOn;
    const entry = info ? this.list.find((d) => d.fingerprint === info.fingerprint) : this.list.find((d) => d.name === name);
    return { name, count: entry?.test ?? null };
  }

  /** The same for people: "10 000 test images of MNIST" ("test images of shapes" while the count is unknown). */
  testImagesOf(meta: ModelMeta | null | undefined): string {
    const { name, count } = this.testSetOf(meta);
    return `${count === null ? '' : `${formatCount(count)} `}test images of ${name}`;
  }

  /** The desktop app's folder picker (`dialog.openFolder`): the chosen folder, or null when cancelled or refused. */
  async chooseFolder(): Promise<string | null> {
    this.addError = '';
    try {
      return (await api.call('dialog.openFolder', {})).path;
    } catch (e) {
      this.addError = (e as Error).message;
      return null;
    }
  }

  /** Read an image folder (or an IDX folder) and add it to the list; resolves to its folder, or null on a refusal. */
  async add(dir: string): Promise<string | null> {
    this.adding = true;
    this.addError = '';
    this.report = null;
    this.progress = null;
    this.jobId = `dataset-${Math.random().toString(36).slice(2, 10)}`;
    try {
      const r = await api.call('datasets.add', { dir, jobId: this.jobId });
      this.report = { ...r.report, name: r.dataset.name };
      await this.refresh();
      return r.dataset.dir;
    } catch (e) {
      this.addError = (e as Error).message;
      return null;
    } finally {
      this.adding = false;
    }
  }
}

export const datasets = new DatasetsStore();
