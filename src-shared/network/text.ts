// The text form of a network (docs/networks.md): layers separated by commas, e.g.
// `conv16k5-relu,maxpool2,conv32k5-relu,maxpool2,flatten,dense128-relu,dropout0.2`. parseNetwork reads it (a bad
// layer: one line naming it and what is wrong), formatNetwork writes the canonical form (defaults left out), and
// parse(format(layers)) gives the same layers back.
import {
  ACTIVATIONS, LAYER_NUMBER_MAX, MAX_LAYERS, MAX_NETWORK_TEXT, PADDINGS, type Activation, type LayerSpec, type Padding,
} from './spec.js';

/** Where a network breaks: a layer (1-based `index`, its text) or the fixed output, and why. */
export interface NetworkProblem {
  index: number | 'output';
  text: string;
  reason: string;
}

/** The one-line form of a problem: `layer 3 'conv16k0': kernel size below 1`. */
export function problemLine(p: NetworkProblem): string {
  return `${p.index === 'output' ? 'output' : `layer ${p.index}`} '${p.text}': ${p.reason}`;
}

export class NetworkError extends Error {
  constructor(readonly problem: NetworkProblem) {
    super(problemLine(problem));
  }
}

const SYNTAX = 'conv<filters>k<kernel>[s<stride>][-same][-<activation>], maxpool<size>[s<stride>], avgpool<size>[s<stride>], batchnorm, dropout<rate>, flatten, dense<units>[-<activation>]';

/** One layer's text in the canonical form. */
export function formatLayer(l: LayerSpec): string {
  const act = (a: Activation) => (a === 'linear' ? '' : `-${a}`);
  switch (l.kind) {
    case 'conv':
      return `conv${l.filters}k${l.kernel}${l.stride === 1 ? '' : `s${l.stride}`}${l.padding === 'same' ? '-same' : ''}${act(l.activation)}`;
    case 'maxpool':
    case 'avgpool':
      return `${l.kind}${l.size}${l.stride === l.size ? '' : `s${l.stride}`}`;
    case 'batchnorm':
    case 'flatten':
      return l.kind;
    case 'dropout':
      return `dropout${l.rate}`;
    case 'dense':
      return `dense${l.units}${act(l.activation)}`;
  }
}

export function formatNetwork(layers: readonly LayerSpec[]): string {
  return layers.map(formatLayer).join(',');
}

/** Why a layer's numbers are impossible, or null (the check shared by the parser and the editor's layers). */
export function layerNumbersProblem(l: LayerSpec): string | null {
  const sizes: [string, number][] =
    l.kind === 'conv' ? [['filters', l.filters], ['kernel size', l.kernel], ['stride', l.stride]]
    : l.kind === 'maxpool' || l.kind === 'avgpool' ? [['pool size', l.size], ['stride', l.stride]]
    : l.kind === 'dense' ? [['units', l.units]]
    : [];
  for (const [name, v] of sizes) {
    if (!Number.isInteger(v)) return `${name} must be a whole number, got ${v}`;
    if (v < 1) return `${name} below 1 (${v})`;
    if (v > LAYER_NUMBER_MAX) return `${name} above ${LAYER_NUMBER_MAX} (${v})`;
  }
  if (l.kind === 'dropout' && !(l.rate >= 0 && l.rate < 1)) return `dropout rate outside [0, 1) (${l.rate})`;
  return null;
}

/** Why one layer's text is not a layer (parseNetwork adds which layer). */
class LayerProblem extends Error {}

/** A layer's options after its head (`-same`, `-relu`): the padding and activation it allows, nothing else. */
function options(kind: string, given: string[], allowed: { padding: boolean; activation: boolean }): { padding: Padding; activation: Activation } {
  let padding: Padding = 'valid';
  let activation: Activation = 'linear';
  for (const o of given) {
    if (allowed.padding && (PADDINGS as readonly string[]).includes(o)) padding = o as Padding;
    else if (allowed.activation && (ACTIVATIONS as readonly string[]).includes(o)) activation = o as Activation;
    else if (o === 'softmax') throw new LayerProblem('softmax is the fixed output: use another activation here');
    else {
      const want = [allowed.padding && `padding ${PADDINGS.join('|')}`, allowed.activation && `activation ${ACTIVATIONS.join('|')}`].filter(Boolean);
      throw new LayerProblem(`unknown option '-${o}' for ${kind}${want.length ? ` (${want.join(', ')})` : ': it takes none'}`);
    }
  }
  return { padding, activation };
}

/** One layer's text → its spec; throws a LayerProblem when it is not one. */
function parseLayer(token: string): LayerSpec {
  const [head, ...rest] = token.split('-');
  const none = { padding: false, activation: false };
  const n = (text: string | undefined, fallback: number) => (text === undefined ? fallback : Number(text));
  let spec: LayerSpec;
  let m: RegExpExecArray | null;
  if ((m = /^conv(\d+)k(\d+)(?:s(\d+))?$/.exec(head))) {
    const o = options('conv', rest, { padding: true, activation: true });
    spec = { kind: 'conv', filters: Number(m[1]), kernel: Number(m[2]), stride: n(m[3], 1), ...o };
  } else if ((m = /^(maxpool|avgpool)(\d+)(?:s(\d+))?$/.exec(head))) {
    options(m[1], rest, none);
    spec = { kind: m[1] as 'maxpool' | 'avgpool', size: Number(m[2]), stride: n(m[3], Number(m[2])) };
  } else if (head === 'batchnorm' || head === 'flatten') {
    options(head, rest, none);
    spec = { kind: head };
  } else if ((m = /^dropout(\d*\.?\d+)$/.exec(head))) {
    options('dropout', rest, none);
    spec = { kind: 'dropout', rate: Number(m[1]) };
  } else if ((m = /^dense(\d+)$/.exec(head))) {
    spec = { kind: 'dense', units: Number(m[1]), activation: options('dense', rest, { padding: false, activation: true }).activation };
  } else {
    const known = /^(conv|maxpool|avgpool|dropout|dense)/.exec(head);
    throw new LayerProblem(
      known ? `not a ${known[1]} layer (${SYNTAX.split(', ').find((s) => s.startsWith(known[1]))})` : `unknown layer (one of: ${SYNTAX})`,
    );
  }
  const problem = layerNumbersProblem(spec);
  if (problem) throw new LayerProblem(problem);
  return spec;
}

/** The layers of a network's text form. Throws a NetworkError (one line naming the layer) when it is not one. */
export function parseNetwork(text: string): LayerSpec[] {
  if (typeof text !== 'string') throw new NetworkError({ index: 1, text: String(text), reason: 'the network must be text' });
  if (text.length > MAX_NETWORK_TEXT) throw new NetworkError({ index: 1, text: text.slice(0, 20) + '…', reason: `the text is longer than ${MAX_NETWORK_TEXT} characters` });
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return [];
  const tokens = trimmed.split(',').map((t) => t.trim());
  if (tokens.length > MAX_LAYERS) throw new NetworkError({ index: MAX_LAYERS + 1, text: tokens[MAX_LAYERS], reason: `more than ${MAX_LAYERS} layers` });
  return tokens.map((token, i) => {
    if (token === '') throw new NetworkError({ index: i + 1, text: '', reason: 'empty layer (two commas in a row, or a trailing comma)' });
    try {
      return parseLayer(token.replace(/\s+/g, ''));
    } catch (err) {
      if (!(err instanceof LayerProblem)) throw err;
      throw new NetworkError({ index: i + 1, text: token.slice(0, 40), reason: err.message });
    }
  });
}

/** parseNetwork without throwing. */
export function tryParseNetwork(text: string): { layers: LayerSpec[]; problem: null } | { layers: null; problem: NetworkProblem } {
  try {
    return { layers: parseNetwork(text), problem: null };
  } catch (err) {
    if (err instanceof NetworkError) return { layers: null, problem: err.problem };
    throw err;
  }
}
