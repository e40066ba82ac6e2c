// Shape inference for a network (spec.ts) between the fixed ends, the 28×28×1 input and a softmax Dense of `classes`
// units: each layer's output shape, parameters (every weight TF.js counts, batch norm's moving statistics included,
// as model.countParams() does) and multiply-adds per image (convolutions and dense layers; pooling, batch norm,
// dropout and activations count 0), the totals, and the first layer that breaks the network, with the reason.
import { CLASSES, IMAGE_SIDE, formatShape } from '../domain.js';
import { LAYER_CLASS, type LayerSpec } from './spec.js';
import { formatLayer, layerNumbersProblem, tryParseNetwork, type NetworkProblem } from './text.js';

export const INPUT_SHAPE: readonly number[] = [IMAGE_SIDE, IMAGE_SIDE, 1];

export interface LayerRow {
  /** 1-based position in the text; 'output' for the fixed softmax layer. */
  index: number | 'output';
  text: string;
  className: string;
  /** null from the layer that breaks the network on. */
  shape: number[] | null;
  params: number;
  macs: number;
}

export interface NetworkSummary {
  /** The canonical text form ('' for no layers). */
  text: string;
  /** The layers, then the output. */
  rows: LayerRow[];
  params: number;
  macs: number;
  /** Floats of every layer's output for one image (the input's included): what a batch keeps for backprop. */
  activationFloats: number;
  /** The first layer that breaks the network; null when it is valid. */
  problem: NetworkProblem | null;
}

export interface ShapeOptions {
  /** Units of the softmax output (default CLASSES, 10). */
  classes?: number;
}

/** One layer's output length along one side, or null when it shrinks below 1. */
function side(input: number, window: number, stride: number, padding: 'same' | 'valid'): number | null {
  const out = padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - window) / stride) + 1;
  return out >= 1 && (padding === 'same' || input >= window) ? out : null;
}

/** Output shape, params and multiply-adds of one layer on `input`, or the reason it cannot follow it. */
function layerOn(l: LayerSpec, input: readonly number[]): { shape: number[]; params: number; macs: number } | string {
  const flat = input.length === 1;
  const where = `the output before it is ${formatShape(input)}`;
  switch (l.kind) {
    case 'conv':
    case 'maxpool':
    case 'avgpool': {
      if (flat) return `${LAYER_CLASS[l.kind]} needs a 3-D input (height×width×channels), but ${where}: put it before flatten`;
      const [h, w, c] = input;
      const window = l.kind === 'conv' ? l.kernel : l.size;
      const padding = l.kind === 'conv' ? l.padding : 'valid';
      const oh = side(h, window, l.stride, padding);
      const ow = side(w, window, l.stride, padding);
      if (oh === null || ow === null) return `output size below 1: a ${window}×${window} window on ${formatShape(input)}`;
      if (l.kind !== 'conv') return { shape: [oh, ow, c], params: 0, macs: 0 };
      return { shape: [oh, ow, l.filters], params: l.kernel * l.kernel * c * l.filters + l.filters, macs: oh * ow * l.filters * l.kernel * l.kernel * c };
    }
    case 'batchnorm':
      return { shape: [...input], params: 4 * input[input.length - 1], macs: 0 };
    case 'dropout':
      return { shape: [...input], params: 0, macs: 0 };
    case 'flatten':
      if (flat) return `the output before it is already flat (${formatShape(input)})`;
      return { shape: [input.reduce((a, b) => a * b, 1)], params: 0, macs: 0 };
    case 'dense':
      if (!flat) return `Dense on a 3-D output (${formatShape(input)}) without Flatten: put flatten before it`;
      return { shape: [l.units], params: input[0] * l.units + l.units, macs: input[0] * l.units };
  }
}

/** Every layer's shape, params and multiply-adds, then the softmax output's; stops at the first problem. */
export function summariseLayers(layers: readonly LayerSpec[], options: ShapeOptions = {}): NetworkSummary {
  const classes = options.classes ?? CLASSES;
  const rows: LayerRow[] = [];
  let shape: number[] | null = [...INPUT_SHAPE];
  let activationFloats = INPUT_SHAPE.reduce((a, b) => a * b, 1);
  let problem: NetworkProblem | null = null;
  const output: LayerSpec = { kind: 'dense', units: classes, activation: 'linear' };
  const all: [LayerSpec, number | 'output', string][] = [
    ...layers.map((l, i): [LayerSpec, number, string] => [l, i + 1, formatLayer(l)]),
    [output, 'output', `dense${classes}-softmax`],
  ];
  for (const [l, index, text] of all) {
    const row: LayerRow = { index, text, className: LAYER_CLASS[l.kind], shape: null, params: 0, macs: 0 };
    rows.push(row);
    if (problem || !shape) continue;
    const bad = layerNumbersProblem(l);
    const r: ReturnType<typeof layerOn> = bad ?? layerOn(l, shape);
    if (typeof r === 'string') {
      problem = { index, text, reason: r };
      shape = null;
      continue;
    }
    Object.assign(row, r);
    shape = r.shape;
    activationFloats += r.shape.reduce((a, b) => a * b, 1);
  }
  const sum = (k: 'params' | 'macs') => rows.reduce((a, r) => a + r[k], 0);
  return { text: layers.map(formatLayer).join(','), rows, params: sum('params'), macs: sum('macs'), activationFloats, problem };
}

/** summariseLayers of a text form; a text that does not parse gives its problem and no rows. */
export function summariseNetwork(text: string, options: ShapeOptions = {}): NetworkSummary {
  const parsed = tryParseNetwork(text);
  if (parsed.problem) return { text, rows: [], params: 0, macs: 0, activationFloats: 0, problem: parsed.problem };
  return summariseLayers(parsed.layers, options);
}

/** What a network may cost to train here: parameters, and memory for one batch (TRAINING_BYTES_PER_FLOAT). */
export const NETWORK_LIMITS = { params: 25_000_000 } as const;
/** Bytes a batch keeps per output float while training (the float, its gradient and the kernels' workspace). */
export const TRAINING_BYTES_PER_FLOAT = 12;
/** Bytes per parameter while training with Adam: the weight, its gradient and Adam's two moments. */
export const TRAINING_BYTES_PER_PARAM = 16;

/** Estimated memory to train one batch of this network. */
export function batchMemoryBytes(summary: Pick<NetworkSummary, 'activationFloats' | 'params'>, batchSize: number): number {
  return summary.activationFloats * batchSize * TRAINING_BYTES_PER_FLOAT + summary.params * TRAINING_BYTES_PER_PARAM;
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Why this network cannot be trained here (too many parameters, too much memory for a batch), or null. */
export function trainingLimitProblem(summary: NetworkSummary, batchSize: number, memoryLimitBytes: number): string | null {
  if (summary.params > NETWORK_LIMITS.params) {
    return `network too large: ${summary.params.toLocaleString('en-US')} parameters (limit ${NETWORK_LIMITS.params.toLocaleString('en-US')})`;
  }
  const bytes = batchMemoryBytes(summary, batchSize);
  if (bytes > memoryLimitBytes) {
    return `network too large for a batch of ${batchSize}: about ${gb(bytes)} of memory to train (limit ${gb(memoryLimitBytes)} here): use a smaller batch or a smaller network`;
  }
  return null;
}
