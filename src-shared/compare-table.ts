// The runs table of a comparison, built once for every surface (the Compare view, its CSV export, the CLI): one row per
// property, one value per run as text, and whether the runs differ on it.
import { formatDuration, formatPercent } from './domain.js';
import type { CompareRun as Run } from './protocol.js';

/** The table reads no curve: any run will do, whatever its columns' type. */
type CompareRun = Run<unknown>;

export interface CompareRow {
  key: string;
  label: string;
  values: string[];
  differs: boolean;
}

type Config = NonNullable<CompareRun['config']>;
const dash = '—';
const fromConfig = (pick: (c: Config) => string | number | undefined) => (r: CompareRun) => {
  const v = r.config ? pick(r.config) : undefined;
  return v === undefined ? dash : String(v);
};

/** The rows, in display order: the network, every hyperparameter, where and how fast it ran, what it scored. */
const ROWS: { key: string; label: string; value: (r: CompareRun) => string }[] = [
  { key: 'preset', label: 'Preset', value: (r) => r.preset },
  { key: 'network', label: 'Network', value: (r) => r.network },
  { key: 'from', label: 'Started from', value: fromConfig((c) => c.from) },
  { key: 'epochs', label: 'Epochs', value: fromConfig((c) => c.epochs) },
  { key: 'batchSize', label: 'Batch size', value: fromConfig((c) => c.batchSize) },
  { key: 'learningRate', label: 'Learning rate', value: fromConfig((c) => c.learningRate) },
  { key: 'schedule', label: 'Schedule', value: fromConfig((c) => c.schedule ?? 'cosine') },
  { key: 'optimizer', label: 'Optimizer', value: fromConfig((c) => c.optimizer) },
  { key: 'augment', label: 'Augmentation', value: fromConfig((c) => c.augment) },
  { key: 'trainSize', label: 'Training images', value: fromConfig((c) => (c.trainSize === 0 ? 'all' : c.trainSize)) },
  { key: 'validationSize', label: 'Validation images', value: fromConfig((c) => c.validationSize) },
  { key: 'seed', label: 'Seed', value: fromConfig((c) => c.seed) },
  { key: 'penData', label: 'Pen data', value: fromConfig((c) => c.penData && `${c.penData.split(/[\\/]/).pop()} ×${c.penRepeat ?? 1}`) },
  { key: 'backend', label: 'Backend', value: (r) => r.backend || dash },
  { key: 'device', label: 'Device', value: (r) => r.device || dash },
  { key: 'imagesPerSec', label: 'Images/s', value: (r) => (Number.isFinite(r.imagesPerSec) ? String(Math.round(r.imagesPerSec)) : dash) },
  { key: 'duration', label: 'Duration', value: (r) => (r.durationMs ? formatDuration(r.durationMs) : dash) },
  { key: 'params', label: 'Parameters', value: (r) => (r.params ? r.params.toLocaleString('en-US') : dash) },
  { key: 'testAccuracy', label: 'Test accuracy', value: (r) => formatPercent(r.testAccuracy) },
  { key: 'handwriting', label: 'Your handwriting', value: (r) => (r.handwritingAccuracy === null ? dash : formatPercent(r.handwritingAccuracy)) },
  { key: 'createdAt', label: 'Saved', value: (r) => r.createdAt.slice(0, 16).replace('T', ' ') || dash },
];

export function compareTable(runs: readonly CompareRun[]): CompareRow[] {
  return ROWS.map(({ key, label, value }) => {
    const values = runs.map(value);
    return { key, label, values, differs: values.some((v) => v !== values[0]) };
  });
}

/** The table as CSV (RFC 4180 quoting): a header of run names, then one line per row. */
export function compareCsv(runs: readonly CompareRun[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [['', ...runs.map((r) => r.name)], ...compareTable(runs).map((r) => [r.label, ...r.values])];
  return lines.map((l) => l.map(cell).join(',')).join('\n') + '\n';
}
