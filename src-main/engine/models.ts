// Model presets: the layers of each network, and the optimizer that trains it.
import * as tf from '@tensorflow/tfjs';
import { FusedAdam } from './adam.js';
import { CLASSES, IMAGE_SIDE } from '../../src-shared/domain.js';
import type { OptimizerName, PresetName } from '../../src-shared/types.js';
import { DeviceDropout } from './webgpu/dropout.js';

const INPUT_SHAPE = [IMAGE_SIDE, IMAGE_SIDE, 1];

/** tf.layers.dropout (saved as `Dropout`), its mask made on the GPU when training there. */
const dropout = (rate: number) => new DeviceDropout({ rate });

/** Whether a builder adds its dropout layers; how many classes its output layer has. */
type Builder = (dropout: boolean, classes: number) => tf.Sequential;

/** Dropout layers at these rates, or none. */
const dropouts = (on: boolean, rate: number) => (on ? [dropout(rate)] : []);

/** The old project's classifier.py, layer for layer: its convolution has no activation (Keras' default, linear). */
const seed: Builder = (withDropout, classes) => {
  return tf.sequential({
    name: 'seed',
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPE, filters: 28, kernelSize: 3 }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      ...dropouts(withDropout, 0.2),
      tf.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
};

/** Keras' mnist_cnn.py example network. */
const kerasCnn: Builder = (withDropout, classes) => {
  return tf.sequential({
    name: 'keras_cnn',
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPE, filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      ...dropouts(withDropout, 0.25),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      ...dropouts(withDropout, 0.5),
      tf.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
};

/** Two 5×5 conv blocks with pooling: ~14× fewer multiply-adds than `keras-cnn` for similar accuracy. */
const fast: Builder = (withDropout, classes) => {
  return tf.sequential({
    name: 'fast',
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPE, filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      ...dropouts(withDropout, 0.25),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      ...dropouts(withDropout, 0.4),
      tf.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
};

const mlp: Builder = (withDropout, classes) => {
  return tf.sequential({
    name: 'mlp',
    layers: [
      tf.layers.flatten({ inputShape: INPUT_SHAPE }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      ...dropouts(withDropout, 0.2),
      tf.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
};

const BUILDERS: Record<PresetName, Builder> = { seed, 'keras-cnn': kerasCnn, fast, mlp };

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

/** How a preset is built and trained beyond its optimizer and rate: Adam's βs; its dropout layers (default: kept). */
export interface BuildOptions {
  adamBetas?: AdamBetas;
  dropout?: boolean;
  /** Classes of the output layer (default CLASSES, the digits). */
  classes?: number;
}

/** Build a compiled model for a preset. Weights are initialised from TF.js's global RNG. */
export function buildModel(preset: PresetName, optimizer: OptimizerName, learningRate: number, options: BuildOptions = {}): tf.LayersModel {
  return compileModel(BUILDERS[preset](options.dropout ?? true, options.classes ?? CLASSES), optimizer, learningRate, options.adamBetas);
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
