// A Digit Lab model → a Keras full-model HDF5 file laid out as tf.keras 2.x's model.save('model.h5')
// writes it, so `keras.models.load_model` reads it in Python: root attributes model_config (the Keras
// JSON TF.js's toJSON produces), keras_version and backend; model_weights/<layer>/<layer>/<var>:0
// datasets with `layer_names` / `weight_names` attributes. The input scale goes in one extra attribute, the class
// names (a JSON array, label order; not for the digits) in another.
import type * as tf from '@tensorflow/tfjs';
import { DIGIT_NAMES } from '../../../src-shared/domain.js';
import { withH5File, writeFloat32 } from './h5.js';
import { INPUT_SCALE_ATTR } from './read-h5.js';

/** Keras's backend name for channels-last float32 weights (what TF.js uses); Keras converts only 'theano'. */
const BACKEND = 'tensorflow';

/** The root attribute holding the class names, a JSON array in label order. */
export const CLASS_NAMES_ATTR = 'digit_lab_class_names';

export async function writeKerasFile(model: tf.LayersModel, inputScale = 1, classes?: readonly string[]): Promise<Uint8Array> {
  const topology = model.toJSON(null, false) as { class_name: string; config: unknown; keras_version?: string };
  const kerasVersion = topology.keras_version ?? 'tfjs-layers';
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const weights = await Promise.all(
    layers.map(async (l) => ({ layer: l, values: await Promise.all(l.getWeights().map(async (t) => (await t.data()) as Float32Array)) })),
  );
  const { bytes } = await withH5File(null, (file) => {
    file.create_attribute('keras_version', kerasVersion);
    file.create_attribute('backend', BACKEND);
    file.create_attribute('model_config', JSON.stringify({ class_name: topology.class_name, config: topology.config }));
    file.create_attribute(INPUT_SCALE_ATTR, inputScale, null, '<f');
    if (classes && classes.join() !== DIGIT_NAMES.join()) file.create_attribute(CLASS_NAMES_ATTR, JSON.stringify(classes)); // digits: as before
    const group = file.create_group('model_weights');
    group.create_attribute('keras_version', kerasVersion);
    group.create_attribute('backend', BACKEND);
    group.create_attribute('layer_names', layers.map((l) => l.name));
    for (const { layer, values } of weights) {
      const g = group.create_group(layer.name);
      const names = layer.weights.map((v) => `${layer.name}/${v.originalName.split('/').at(-1)}:0`);
      g.create_attribute('weight_names', names.length ? names : new Float64Array(0));
      names.forEach((name, i) => writeFloat32(g, name, values[i], layer.weights[i].shape as number[]));
    }
  });
  return bytes;
}
