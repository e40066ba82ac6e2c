// Model presets: the layers of each network, and the optimizer that trains it.
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName, PresetName } from '../../src-shared/types.js';

export const PRESET_INFO: Record<PresetName, string> = {
  seed: "the old project's classifier.py, layer for layer: conv28 3×3 (no activation)-pool-dense128-dropout (0.6M params; ~98%)",
  'keras-cnn': "Keras' mnist_cnn.py example: conv32-conv64-pool-dense128 (1.2M params; slow on CPU)",
  fast: 'a small LeNet-style CNN sized for CPU training: conv16-pool-conv32-pool-dense128 (≥ 99%)',
  mlp: 'a baseline multilayer perceptron: dense256-dense10 (no convolutions)',
};

const INPUT_SHAPE = [28, 28, 1];

/** The old project's classifier.py, layer for layer: its convolution has no activation (Keras' default, linear). */
function seed(): tf.Sequential {
  return tf.sequential({
    name: 'seed',
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPE, filters: 28, kernelSize: 3 }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** Keras' mnist_cnn.py example network. */
function kerasCnn(): tf.Sequential {
  return tf.sequential({
    name: 'keras_cnn',
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPE, filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** Two 5×5 conv blocks with pooling: ~14× fewer multiply-adds than `keras-cnn` for similar accuracy. */
function fast(): tf.Sequential {
  return tf.sequential({
    name: 'fast',
    layers: [
      tf.layers.conv2d({ inputShape: INPUT_SHAPE, filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.4 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function mlp(): tf.Sequential {
  return tf.sequential({
    name: 'mlp',
    layers: [
      tf.layers.flatten({ inputShape: INPUT_SHAPE }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

const BUILDERS: Record<PresetName, () => tf.Sequential> = { seed, 'keras-cnn': kerasCnn, fast, mlp };

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/** Build a compiled model for a preset. Weights are initialised from TF.js's global RNG. */
export function buildModel(preset: PresetName, optimizer: OptimizerName, learningRate: number): tf.LayersModel {
  const model = BUILDERS[preset]();
  compileModel(model, optimizer, learningRate);
  return model;
}

/** Compile for training (also a loaded model that training starts from). */
export function compileModel(model: tf.LayersModel, optimizer: OptimizerName, learningRate: number): void {
  model.compile({
    optimizer: makeOptimizer(optimizer, learningRate),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
}
