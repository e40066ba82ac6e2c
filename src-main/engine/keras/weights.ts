// Put a Keras file's weights into the TF.js model built from its config: layer by layer name, each
// weight by its variable name (kernel, bias, gamma, moving_mean…) as listed in weight_names, else by
// position in weight_names; every shape is checked and every weight of the model must be covered.
import * as tf from '@tensorflow/tfjs';
import type { KerasLayerWeights } from './read-h5.js';

/** "conv2d/kernel:0" → "kernel"; TF.js's "conv2d/kernel" → "kernel". */
const shortName = (name: string) => (name.split('/').at(-1) ?? name).replace(/:\d+$/, '');

export function assignWeights(model: tf.LayersModel, fileLayers: KerasLayerWeights[]): void {
  const byLayer = new Map(fileLayers.map((l) => [l.layer, l.weights]));
  const modelLayers = new Set(model.layers.map((l) => l.name));
  for (const l of fileLayers) {
    if (l.weights.length && !modelLayers.has(l.layer)) throw new Error(`the file has weights for layer '${l.layer}', which model_config does not have`);
  }
  for (const layer of model.layers) {
    const vars = layer.weights;
    if (!vars.length) continue;
    const stored = byLayer.get(layer.name) ?? [];
    if (stored.length !== vars.length) {
      throw new Error(`layer '${layer.name}' has ${vars.length} weights in model_config but ${stored.length} in model_weights`);
    }
    const wanted = vars.map((v) => shortName(v.originalName));
    const given = stored.map((w) => shortName(w.name));
    const byName = new Set(given).size === given.length && wanted.every((n) => given.includes(n));
    const values = wanted.map((n, i) => {
      const w = byName ? stored[given.indexOf(n)] : stored[i];
      if (w.shape.join() !== vars[i].shape.join()) {
        throw new Error(`layer '${layer.name}': weight '${w.name}' is [${w.shape.join(', ')}] in the file, the model needs [${vars[i].shape.join(', ')}]`);
      }
      return tf.tensor(w.values, w.shape, 'float32');
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}
