// Model presets: each one's network (its text form in src-shared/network/presets.ts, built by network-build.ts), and
// the optimizer that trains it.
import * as tf from '@tensorflow/tfjs';
import { FusedAdam } from './adam.js';
import { PRESET_LAYERS } from '../../src-shared/network/presets.js';
import type { OptimizerName, PresetName } from '../../src-shared/types.js';
import { buildNetwork } from './network-build.js';

/** The TF.js model name of each preset's network (written in the text form: PRESET_LAYERS). */
const MODEL_NAMES: Record<PresetName, string> = { seed: 'seed', 'keras-cnn': 'keras_cnn', fast: 'fast', mlp: 'mlp', best: 'best' };

/** Adam's β₁ and β₂. */
export type AdamBetas = readonly [number, number];

export function makeOptimizer(name: OptimizerName, learningRate: number, adamBetas?: AdamBetas): tf.Optimizer {
  switch (name) {
    case 'adam':
      return new FusedAdam(learningRate, ...(adamBetas ?? []));
    case 'sgd':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/** How a network is built and trained beyond its optimizer and rate: Adam's βs; its dropout layers (default: kept);
 *  `layers`: a designed network's text form instead of the preset's; the output's class count (default 10). */
export interface BuildOptions {
  adamBetas?: AdamBetas;
  dropout?: boolean;
  layers?: string;
  /** Classes of the output layer (default CLASSES, the digits). */
  classes?: number;
}

/** Build a compiled model for a preset (or `options.layers`). Weights are initialised from TF.js's global RNG. */
export function buildModel(preset: PresetName, optimizer: OptimizerName, learningRate: number, options: BuildOptions = {}): tf.LayersModel {
  const network = options.layers ?? PRESET_LAYERS[preset];
  const model = buildNetwork(network, { classes: options.classes, dropout: options.dropout ?? true, name: options.layers ? 'network' : MODEL_NAMES[preset] });
  return compileModel(model, optimizer, learningRate, options.adamBetas);
}

/** Compile a model (built or loaded) for training on integer labels. */
export function compileModel<M extends tf.LayersModel>(model: M, optimizer: OptimizerName, learningRate: number, adamBetas?: AdamBetas): M {
  model.compile({
    optimizer: makeOptimizer(optimizer, learningRate, adamBetas),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
