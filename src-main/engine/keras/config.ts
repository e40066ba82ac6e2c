// Keras model_config JSON → a topology TF.js's own Keras deserializer (tf.models.modelFromJSON) builds.
// It already reads Keras 2.x configs; this normalises the older and newer spellings and refuses layers
// Digit Lab does not run (custom, recurrent, Lambda…) with one line naming them.

/** Layer classes Digit Lab imports (feed-forward image networks TF.js builds from Keras configs). */
const SUPPORTED = new Set([
  'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalMaxPooling2D', 'GlobalAveragePooling2D', 'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'Flatten', 'Reshape',
  'Permute', 'Dense', 'Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'BatchNormalization', 'LayerNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU',
  'Softmax', 'Rescaling', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate',
]);
/** Keras's alternative class names → the name TF.js registers. */
const ALIASES: Record<string, string> = {
  Convolution2D: 'Conv2D', MaxPool2D: 'MaxPooling2D', AvgPool2D: 'AveragePooling2D', GlobalMaxPool2D: 'GlobalMaxPooling2D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D', Deconvolution2D: 'Conv2DTranspose',
};
/** Keys Keras 3 adds beside class_name/config that TF.js does not know. */
const KERAS3_KEYS = ['module', 'registered_name', 'build_config', 'compile_config'];

type Json = Record<string, unknown>;
export interface LayerSummary {
  name: string;
  className: string;
}

export interface NormalisedConfig {
  /** For tf.models.modelFromJSON({ modelTopology }). */
  topology: Json;
  layers: LayerSummary[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function normaliseModelConfig(modelConfig: unknown): NormalisedConfig {
  if (!isObject(modelConfig) || typeof modelConfig.class_name !== 'string') {
    throw new Error('model_config is not a Keras model configuration (no class_name)');
  }
  let className = modelConfig.class_name;
  if (className === 'Functional') className = 'Model';
  if (className !== 'Sequential' && className !== 'Model') {
    throw new Error(`model_config is a '${className}': only Sequential and functional Keras models are imported`);
  }
  // Keras ≤ 2.1 wrote a Sequential config as a bare list of layers.
  const config: Json = Array.isArray(modelConfig.config)
    ? { name: 'sequential', layers: modelConfig.config }
    : isObject(modelConfig.config) ? { ...modelConfig.config } : {};
  if (!Array.isArray(config.layers)) throw new Error('model_config has no layer list');
  const layers = (config.layers as unknown[]).map((entry, i) => normaliseLayer(entry, i, className === 'Sequential'));
  const summary = layers.map((l) => ({ name: String((l.config as Json).name ?? ''), className: String(l.class_name) }));
  const unsupported = summary.filter((l) => !SUPPORTED.has(l.className));
  if (unsupported.length) {
    throw new Error(
      `unsupported layer${unsupported.length > 1 ? 's' : ''}: ${unsupported.map((l) => `${l.className} '${l.name}'`).join(', ')} ` +
        '(Digit Lab imports feed-forward convolutional and dense networks)',
    );
  }
  return { topology: { class_name: className, config: { ...config, layers } }, layers: summary };
}

function normaliseLayer(entry: unknown, index: number, sequential: boolean): Json {
  if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
    throw new Error(`model_config layer ${index} is not a {class_name, config} object`);
  }
  const layer: Json = { ...entry, class_name: ALIASES[entry.class_name] ?? entry.class_name };
  for (const k of KERAS3_KEYS) delete layer[k];
  const config = replaceDtypePolicies(entry.config) as Json;
  if (layer.class_name === 'InputLayer' && config.batch_shape && !config.batch_input_shape) {
    config.batch_input_shape = config.batch_shape; // Keras 3
    delete config.batch_shape;
  }
  // Old tf.keras repeated batch_input_shape on later layers of a Sequential; Keras itself ignores it there.
  if (sequential && index > 0) delete config.batch_input_shape;
  if (Array.isArray(config.axis) && config.axis.length === 1) config.axis = config.axis[0];
  layer.config = config;
  return layer;
}

/** Keras ≥ 2.x mixed-precision / Keras 3 write `dtype` as a policy object; TF.js runs float32. */
function replaceDtypePolicies(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceDtypePolicies);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'dtype' && isObject(v) ? 'float32' : replaceDtypePolicies(v);
  return out;
}
