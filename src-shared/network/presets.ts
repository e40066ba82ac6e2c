// The presets' networks in the text form (docs/networks.md): the engine builds each from this text, layer for layer
// as they were built before the text form existed (the saved models' layer classes and order are unchanged).
import type { PresetName } from '../types.js';

export const PRESET_LAYERS: Record<PresetName, string> = {
  /** The old project's classifier.py: its convolution has no activation (Keras' default, linear). */
  seed: 'conv28k3,maxpool2,flatten,dense128-relu,dropout0.2',
  /** Keras' mnist_cnn.py example. */
  'keras-cnn': 'conv32k3-relu,conv64k3-relu,maxpool2,dropout0.25,flatten,dense128-relu,dropout0.5',
  /** Two 5×5 conv blocks with pooling: ~14× fewer multiply-adds than keras-cnn for similar accuracy. */
  fast: 'conv16k5-relu,maxpool2,conv32k5-relu,maxpool2,flatten,dropout0.25,dense128-relu,dropout0.4',
  mlp: 'flatten,dense256-relu,dropout0.2',
  /** Aimed at the best accuracy from one run within 15 minutes on two CPU cores: two blocks of two 3×3 convolutions (24
   *  then 64 filters) with pooling, a 256-unit dense layer, batch normalisation after each block and after the dense
   *  layer, dropout 0.25 around it (0.4 over-regularises 11 epochs: docs/benchmarks.md, `best-preset`); trained for 11
   *  epochs of batch 256 with augmentation and a one-cycle schedule (PRESET_TRAINING in types.ts), then PreciseBN. */
  best: 'conv24k3-relu,conv24k3-relu,maxpool2,batchnorm,conv64k3-relu,conv64k3-relu,maxpool2,batchnorm,flatten,dropout0.25,dense256-relu,batchnorm,dropout0.25',
};
