// The Train view's network editor: the layers being designed (a template to start from: a preset, a saved network or
// none), every edit (add, remove, move, change), each layer's shape, parameters and multiply-adds and the totals
// (src-shared/network/, as the engine computes them), the layer that breaks the network and why, the text form (copy /
// paste), "My networks" (networks.*), and the measured training speed (networks.measure: on request, and once editing
// has stopped for MEASURE_AFTER_MS). The design (on or off, its template, its text form) is kept in localStorage, beside
// the Train form's last settings, so it survives a reload, a reopened tab and a restarted app; an unreadable one is
// ignored.
import { z } from 'zod';
import {
  defaultLayer, formatNetwork, PRESET_LAYERS, problemLine, summariseLayers, trainingLimitProblem, tryParseNetwork,
  type LayerKind, type LayerSpec, type NetworkSummary,
} from '../../src-shared/network/index';
import type { Result, SavedNetwork } from '../../src-shared/protocol';
import { PRESETS } from '../../src-shared/types';
import { api, whenConnected } from './api';

/** Quiet time after the last edit before the speed is measured again. */
export const MEASURE_AFTER_MS = 1500;

/** Where a design starts: a preset, a saved network, or no layers. */
const templateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('preset'), name: z.enum(PRESETS) }),
  z.object({ kind: z.literal('saved'), name: z.string() }),
  z.object({ kind: z.literal('empty') }),
]);
export type Template = z.output<typeof templateSchema>;

/** The design as it is kept across reloads. */
export const DESIGN_STORAGE_KEY = 'digit-lab.network-design';
const designSchema = z.object({ enabled: z.boolean(), template: templateSchema, layers: z.string() });
type Design = z.output<typeof designSchema>;

export class NetworkEditor {
  /** Design a network (train `text`) instead of training the preset's own. */
  enabled = $state(false);
  layers: LayerSpec[] = $state(parseOrEmpty(PRESET_LAYERS.fast));
  template: Template = $state({ kind: 'preset', name: 'fast' });
  summary: NetworkSummary = $derived(summariseLayers(this.layers));
  text: string = $derived(formatNetwork(this.layers));
  /** Why the design cannot be trained (the broken layer and the reason, or too many parameters), or null. The memory
   *  a batch needs is checked by the engine, which knows this machine's memory, when the run starts. */
  problem: string | null = $derived(
    this.summary.problem ? problemLine(this.summary.problem) : trainingLimitProblem(this.summary, 1, Number.POSITIVE_INFINITY),
  );
  saved: SavedNetwork[] = $state([]);
  unreadable: { file: string; error: string }[] = $state([]);
  speed: Result<'networks.measure'> | null = $state(null);
  measuring = $state(false);
  /** A run is training (no measuring then), and the batch size a run would use (what the speed is measured at). */
  busy = $state(false);
  batchSize: number | undefined = $state();
  /** The last failed paste, save or measurement, one line; '' when none. */
  message = $state('');
  private timer: ReturnType<typeof setTimeout> | null = null;
  private measureId = 0;
  private started = false;

  constructor() {
    const design = loadDesign();
    if (design) {
      this.enabled = design.enabled;
      this.template = design.template;
      this.layers = parseOrEmpty(design.layers);
    }
    $effect.root(() => {
      $effect(() => storeDesign({ enabled: this.enabled, template: $state.snapshot(this.template), layers: this.text }));
    });
  }

  /** Load My networks (idempotent). */
  init(): void {
    if (this.started) return;
    this.started = true;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      await whenConnected(api);
      const { networks, errors } = await api.call('networks.list', {});
      this.saved = networks;
      this.unreadable = errors;
    } catch (e) {
      this.message = (e as Error).message;
    }
  }

  useTemplate(template: Template): void {
    this.template = template;
    const text =
      template.kind === 'preset' ? PRESET_LAYERS[template.name]
      : template.kind === 'saved' ? (this.saved.find((n) => n.name === template.name)?.layers ?? '')
      : '';
    this.set(parseOrEmpty(text));
  }

  add(kind: LayerKind, at = this.layers.length): void {
    this.set([...this.layers.slice(0, at), defaultLayer(kind), ...this.layers.slice(at)]);
  }

  remove(index: number): void {
    this.set(this.layers.filter((_, i) => i !== index));
  }

  move(index: number, by: -1 | 1): void {
    const to = index + by;
    if (to < 0 || to >= this.layers.length) return;
    const next = [...this.layers];
    [next[index], next[to]] = [next[to], next[index]];
    this.set(next);
  }

  /** Change fields of one layer (the kind stays). */
  update(index: number, patch: Partial<LayerSpec>): void {
    this.set(this.layers.map((l, i) => (i === index ? ({ ...l, ...patch } as LayerSpec) : l)));
  }

  /** Replace the design with a pasted text form; a bad one leaves it and says why, in one line. */
  paste(text: string): boolean {
    const parsed = tryParseNetwork(text);
    if (parsed.problem) {
      this.message = `cannot paste: ${problemLine(parsed.problem)}`;
      return false;
    }
    this.set(parsed.layers);
    return true;
  }

  async save(name: string, replace = false): Promise<boolean> {
    try {
      const saved = await api.call('networks.save', { name, layers: this.text, replace });
      await this.refresh();
      this.template = { kind: 'saved', name: saved.name };
      this.message = '';
      return true;
    } catch (e) {
      this.message = (e as Error).message;
      return false;
    }
  }

  async removeSaved(name: string): Promise<void> {
    try {
      await api.call('networks.delete', { name });
      await this.refresh();
      if (this.template.kind === 'saved' && this.template.name === name) this.template = { kind: 'empty' };
    } catch (e) {
      this.message = (e as Error).message;
    }
  }

  /** Measure the design's training speed on the engine (a few real batches), unless it is broken. */
  async measure(batchSize = this.batchSize): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.problem || this.busy) return;
    const id = ++this.measureId;
    const layers = this.text;
    this.measuring = true;
    try {
      const r = await api.call('networks.measure', { layers, ...(batchSize ? { batchSize } : {}) });
      if (id === this.measureId) {
        this.speed = r;
        this.message = '';
      }
    } catch (e) {
      if (id === this.measureId) this.message = (e as Error).message;
    } finally {
      if (id === this.measureId) this.measuring = false;
    }
  }

  /** Whether the speed shown is for the design as it is now. */
  get speedCurrent(): boolean {
    return this.speed?.layers === this.text;
  }

  private set(layers: LayerSpec[]): void {
    this.layers = layers;
    this.message = '';
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.enabled ? setTimeout(() => void this.measure(), MEASURE_AFTER_MS) : null;
  }
}

function parseOrEmpty(text: string): LayerSpec[] {
  return tryParseNetwork(text).layers ?? [];
}

/** The design kept by the last page, or null (none, or not one this version reads). */
function loadDesign(): Design | null {
  try {
    const r = designSchema.safeParse(JSON.parse(localStorage.getItem(DESIGN_STORAGE_KEY) ?? 'null'));
    return r.success && !tryParseNetwork(r.data.layers).problem ? r.data : null;
  } catch {
    return null; // unreadable JSON, or no storage
  }
}

function storeDesign(design: Design): void {
  try {
    localStorage.setItem(DESIGN_STORAGE_KEY, JSON.stringify(design));
  } catch {
    // storage full or unavailable: the design lives on until the page goes
  }
}

export const networkEditor = new NetworkEditor();
