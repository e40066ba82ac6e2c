// A network's layers as data: what the text form (text.ts) reads and writes, what shape inference (shapes.ts) walks
// and what the engine builds (src-main/engine/network-build.ts). The 28×28×1 input and the softmax output are fixed
// ends and are not layers here. Browser-safe: no Node, no TF.js.
import { z } from 'zod';

export const ACTIVATIONS = ['relu', 'elu', 'tanh', 'sigmoid', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

/** Largest size any one number of a layer may be (filters, units, kernel, pool, stride): past it, a text is a typo. */
export const LAYER_NUMBER_MAX = 4096;
/** Most layers in a network. */
export const MAX_LAYERS = 64;
/** Longest text form accepted. */
export const MAX_NETWORK_TEXT = 2000;

const size = z.number().int().min(1).max(LAYER_NUMBER_MAX);
export const layerSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('conv'), filters: size, kernel: size, stride: size, padding: z.enum(PADDINGS), activation: z.enum(ACTIVATIONS) }),
  z.object({ kind: z.literal('maxpool'), size, stride: size }),
  z.object({ kind: z.literal('avgpool'), size, stride: size }),
  z.object({ kind: z.literal('batchnorm') }),
  z.object({ kind: z.literal('dropout'), rate: z.number().min(0).lt(1) }),
  z.object({ kind: z.literal('flatten') }),
  z.object({ kind: z.literal('dense'), units: size, activation: z.enum(ACTIVATIONS) }),
]);
export type LayerSpec = z.output<typeof layerSpecSchema>;
export type LayerKind = LayerSpec['kind'];
export type LayerOf<K extends LayerKind> = Extract<LayerSpec, { kind: K }>;

/** Every kind of layer, in the order the editor offers them, with the Keras / TF.js class each becomes. */
export const LAYER_KINDS: readonly LayerKind[] = ['conv', 'maxpool', 'avgpool', 'batchnorm', 'dropout', 'flatten', 'dense'];
export const LAYER_CLASS: Record<LayerKind, string> = {
  conv: 'Conv2D', maxpool: 'MaxPooling2D', avgpool: 'AveragePooling2D', batchnorm: 'BatchNormalization', dropout: 'Dropout',
  flatten: 'Flatten', dense: 'Dense',
};

/** A new layer of a kind, as the editor adds it. */
export function defaultLayer(kind: LayerKind): LayerSpec {
  switch (kind) {
    case 'conv': return { kind, filters: 16, kernel: 3, stride: 1, padding: 'same', activation: 'relu' };
    case 'maxpool': return { kind, size: 2, stride: 2 };
    case 'avgpool': return { kind, size: 2, stride: 2 };
    case 'batchnorm': return { kind };
    case 'dropout': return { kind, rate: 0.25 };
    case 'flatten': return { kind };
    case 'dense': return { kind, units: 128, activation: 'relu' };
  }
}
