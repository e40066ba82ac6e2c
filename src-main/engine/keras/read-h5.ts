// Read a Keras full-model HDF5 file (`model.save('model.h5')`, Keras 2.x / tf.keras): the root
// attributes (model_config, keras_version, backend) and every layer's weights from model_weights, in
// the order of the layer's `weight_names` attribute (kernel before bias — not alphabetical).
import { attrString, attrStrings, H5Dataset, H5Group, isHdf5, withH5File } from './h5.js';

export interface KerasWeight {
  /** As in weight_names, e.g. "conv2d/kernel:0". */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface KerasLayerWeights {
  layer: string;
  weights: KerasWeight[];
}

export interface KerasFile {
  /** The parsed model_config JSON. */
  modelConfig: unknown;
  kerasVersion: string | null;
  backend: string | null;
  /** The input scale a Digit Lab export records (root attribute `digit_lab_input_scale`); null when absent. */
  inputScale: number | null;
  /** model_weights' layer_names, in order, each with its weights (weightless layers have none). */
  layers: KerasLayerWeights[];
}

/** Root attribute a Digit Lab export adds: the value a white pixel is fed as (1 or 255). */
export const INPUT_SCALE_ATTR = 'digit_lab_input_scale';

export async function readKerasFile(bytes: Uint8Array): Promise<KerasFile> {
  if (!isHdf5(bytes)) {
    const zip = bytes[0] === 0x50 && bytes[1] === 0x4b; // "PK": Keras 3's .keras format is a zip
    throw new Error(
      zip
        ? "a .keras (zip) file, not HDF5: save the model with model.save('model.h5') to import it"
        : "not an HDF5 file (a Keras model saved with model.save('model.h5') is one)",
    );
  }
  const { result } = await withH5File(bytes, (file) => {
    const modelConfig = attrString(file.attrs, 'model_config');
    if (modelConfig === null) {
      throw new Error(
        file.attrs.layer_names
          ? "the file holds weights only (no model_config): save the whole model with model.save('model.h5')"
          : 'the HDF5 file has no model_config attribute: not a Keras model file',
      );
    }
    let config: unknown;
    try {
      config = JSON.parse(modelConfig);
    } catch {
      throw new Error('model_config is not valid JSON');
    }
    const weightsGroup = child(file, 'model_weights', H5Group, 'the file has no model_weights group');
    const scale = file.attrs[INPUT_SCALE_ATTR]?.value;
    return {
      modelConfig: config,
      kerasVersion: attrString(file.attrs, 'keras_version') ?? attrString(weightsGroup.attrs, 'keras_version'),
      backend: attrString(file.attrs, 'backend') ?? attrString(weightsGroup.attrs, 'backend'),
      inputScale: typeof scale === 'number' ? scale : null,
      layers: readLayers(weightsGroup),
    };
  });
  return result;
}

function readLayers(group: H5Group): KerasLayerWeights[] {
  const names = attrStrings(group.attrs, 'layer_names');
  if (!names) throw new Error('model_weights has no layer_names attribute');
  return names.map((layer) => {
    const g = child(group, layer, H5Group, `model_weights has no group for layer '${layer}'`);
    const weights = (attrStrings(g.attrs, 'weight_names') ?? []).map((name) => {
      const d = child(g, name, H5Dataset, `layer '${layer}' lists weight '${name}' but the file has no such dataset`);
      const v = d.value;
      if (!(v instanceof Float32Array || v instanceof Float64Array)) {
        throw new Error(`weight '${name}' of layer '${layer}' has dtype ${JSON.stringify(d.dtype)}; only float32 and float64 are read`);
      }
      return { name, shape: d.shape ?? [], values: v instanceof Float32Array ? v : Float32Array.from(v) };
    });
    return { layer, weights };
  });
}

function child<T>(group: H5Group, name: string, type: abstract new (...args: never[]) => T, missing: string): T {
  const entity = group.keys().includes(name.split('/')[0]) ? group.get(name) : null;
  if (!(entity instanceof type)) throw new Error(missing);
  return entity;
}
