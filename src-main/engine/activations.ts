// The inside view's data: for one 28×28 image, every layer's output in order, in one forward pass
// through a probe model (same layers, one output per layer) built once per loaded model, plus the
// first conv layer's filters. Works for any sequential or functional layers model; a layer whose
// output cannot be read as one tensor (shared layers, multiple outputs) is listed as skipped.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE, PIXELS } from '../../src-shared/domain.js';

export interface LayerActivation {
  name: string;
  /** Keras class name: 'Conv2D', 'MaxPooling2D', 'Dense', … ('Input' for the image itself). */
  className: string;
  /** Output shape without the batch dimension: [h, w, channels] for feature maps, [units] for vectors. */
  shape: number[];
  /** The output, row-major (channels last), a view into one shared buffer. */
  data: Float32Array;
  /** Smallest and largest value: the layer's shared colour scale. */
  min: number;
  max: number;
}

export interface ConvFilters {
  layer: string;
  /** [kernelHeight, kernelWidth, inChannels, filters], as TF.js stores conv kernels. */
  shape: number[];
  data: Float32Array;
}

export interface Activations {
  /** The input as the model sees it, then one entry per layer in order; the last one is the output. */
  layers: LayerActivation[];
  /** Weights of the first Conv2D layer, or null for a model without one (the MLP). */
  filters: ConvFilters | null;
  /** Layers whose output is not returned, with the reason. */
  skipped: { name: string; className: string; shape: (number | null)[]; reason: string }[];
}

interface Probe {
  model: tf.LayersModel;
  layers: { name: string; className: string; shape: number[] }[];
  filters: Promise<ConvFilters | null>;
  skipped: Activations['skipped'];
  inputShape: number[];
}

const probes = new WeakMap<tf.LayersModel, Probe>();

/** The first Conv2D layer's kernel, read back with data() (GPU backends cannot dataSync in Node). */
async function firstConvFilters(model: tf.LayersModel): Promise<ConvFilters | null> {
  const conv = model.layers.find((l) => l.getClassName() === 'Conv2D');
  const kernel = conv?.getWeights()[0];
  if (!conv || !kernel) return null;
  return { layer: conv.name, shape: kernel.shape.slice(), data: (await kernel.data()) as Float32Array };
}

/** The probe model for `model`: built on first use, then cached for as long as `model` lives. */
function probeOf(model: tf.LayersModel): Probe {
  let probe = probes.get(model);
  if (probe) return probe;
  const outputs: tf.SymbolicTensor[] = [];
  const layers: Probe['layers'] = [];
  const skipped: Activations['skipped'] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    let output: tf.SymbolicTensor | tf.SymbolicTensor[];
    try {
      output = layer.output;
    } catch {
      skipped.push({ name: layer.name, className, shape: [], reason: 'the layer is used more than once' });
      continue;
    }
    if (Array.isArray(output)) {
      skipped.push({ name: layer.name, className, shape: output[0]?.shape ?? [], reason: 'the layer has several outputs' });
      continue;
    }
    const shape = output.shape.slice(1);
    if (shape.some((d) => d == null)) {
      skipped.push({ name: layer.name, className, shape, reason: 'its output shape is not fixed' });
      continue;
    }
    outputs.push(output);
    layers.push({ name: layer.name, className, shape: shape as number[] });
  }
  const inputShape = model.inputs[0].shape.map((d) => d ?? 1);
  if (inputShape.reduce((a, b) => a * b, 1) !== PIXELS) {
    throw new Error(`the model's input shape [${model.inputs[0].shape.join(', ')}] does not hold one 28×28 image`);
  }
  probe = { model: tf.model({ inputs: model.inputs, outputs }), layers, filters: firstConvFilters(model), skipped, inputShape };
  probes.set(model, probe);
  return probe;
}

function range(data: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return data.length ? { min, max } : { min: 0, max: 0 };
}

/** Every layer's output for one image (784 values, 0-1, white ink on black as MNIST). */
export async function activations(model: tf.LayersModel, pixels: ArrayLike<number>): Promise<Activations> {
  if (pixels.length !== PIXELS) throw new Error(`the image has ${pixels.length} values, expected ${PIXELS} (28×28)`);
  const probe = probeOf(model);
  const sizes = probe.layers.map((l) => l.shape.reduce((a, b) => a * b, 1));
  const buffer = new Float32Array(PIXELS + sizes.reduce((a, b) => a + b, 0));
  buffer.set(pixels);
  const tensors = tf.tidy(() => {
    const out = probe.model.predict(tf.tensor(Float32Array.from(pixels), probe.inputShape)) as tf.Tensor | tf.Tensor[];
    return Array.isArray(out) ? out : [out];
  });
  try {
    const values = await Promise.all(tensors.map((t) => t.data()));
    let offset = PIXELS;
    values.forEach((v, i) => {
      buffer.set(v as Float32Array, offset);
      offset += sizes[i];
    });
  } finally {
    tf.dispose(tensors);
  }
  const input = buffer.subarray(0, PIXELS);
  const layers: LayerActivation[] = [{ name: 'input', className: 'Input', shape: [IMAGE_SIDE, IMAGE_SIDE, 1], data: input, ...range(input) }];
  let offset = PIXELS;
  probe.layers.forEach((l, i) => {
    const data = buffer.subarray(offset, offset + sizes[i]);
    offset += sizes[i];
    layers.push({ ...l, shape: l.shape.slice(), data, ...range(data) });
  });
  return { layers, filters: await probe.filters, skipped: probe.skipped.map((s) => ({ ...s })) };
}
