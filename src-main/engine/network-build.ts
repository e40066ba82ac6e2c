// The one place a network becomes TF.js layers: a text form (or its parsed layers) between the 28×28×1 input and a
// softmax Dense of `classes` units. Presets and designed networks are built here alike, so a saved model's layers
// (Conv2D, MaxPooling2D, AveragePooling2D, BatchNormalization, Dropout, Flatten, Dense) are what the text says.
import * as tf from '@tensorflow/tfjs';
import { CLASSES } from '../../src-shared/domain.js';
import { INPUT_SHAPE, NetworkError, parseNetwork, summariseLayers, type LayerSpec } from '../../src-shared/network/index.js';
import { BatchNormalization } from './batch-norm.js';
import { DeviceDropout } from './webgpu/dropout.js';

export interface NetworkOptions {
  /** Units of the softmax output (default CLASSES, 10). */
  classes?: number;
  /** Keep the dropout layers (default true); false leaves them out. */
  dropout?: boolean;
  /** The model's name (TF.js: letters, digits, _). */
  name?: string;
}

function layer(l: LayerSpec, first: boolean): tf.layers.Layer {
  const input = first ? { inputShape: [...INPUT_SHAPE] } : {};
  switch (l.kind) {
    case 'conv':
      return tf.layers.conv2d({ ...input, filters: l.filters, kernelSize: l.kernel, strides: l.stride, padding: l.padding, activation: l.activation });
    case 'maxpool':
      return tf.layers.maxPooling2d({ ...input, poolSize: l.size, strides: l.stride });
    case 'avgpool':
      return tf.layers.averagePooling2d({ ...input, poolSize: l.size, strides: l.stride });
    case 'batchnorm':
      // tf.layers.batchNormalization (saved as `BatchNormalization`), trained through fused kernels where there are.
      return new BatchNormalization(input);
    case 'dropout':
      // tf.layers.dropout (saved as `Dropout`), its mask made on the GPU when training there.
      return new DeviceDropout({ ...input, rate: l.rate });
    case 'flatten':
      return tf.layers.flatten(input);
    case 'dense':
      return tf.layers.dense({ ...input, units: l.units, activation: l.activation });
  }
}

/** The layers a network is built with: its own, less the dropout layers when `dropout` is false. */
export function builtLayers(network: string | readonly LayerSpec[], options: Pick<NetworkOptions, 'dropout'> = {}): LayerSpec[] {
  const parsed = typeof network === 'string' ? parseNetwork(network) : network;
  return options.dropout === false ? parsed.filter((l) => l.kind !== 'dropout') : [...parsed];
}

/** An uncompiled model of this network; throws a NetworkError (one line naming the layer) for an impossible one. */
export function buildNetwork(network: string | readonly LayerSpec[], options: NetworkOptions = {}): tf.Sequential {
  const classes = options.classes ?? CLASSES;
  const layers = builtLayers(network, options);
  const { problem } = summariseLayers(layers, { classes });
  if (problem) throw new NetworkError(problem);
  const all = [...layers.map((l, i) => layer(l, i === 0)), tf.layers.dense({ units: classes, activation: 'softmax' })];
  return tf.sequential({ name: options.name ?? 'network', layers: all });
}
