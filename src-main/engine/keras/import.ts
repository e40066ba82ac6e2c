// A Keras HDF5 file → a TF.js model ready to save: read it, build the layers from model_config, load
// the weights, check it maps 28×28×1 images to 10 classes, and settle the input scale (0-1 or 0-255):
// the file's own record if it has one, else whichever scores better on a few hundred training images.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { firstLine } from '../../../src-shared/errors.js';
import { suggestModelName } from '../../../src-shared/model-name.js';
import type { ModelOrigin } from '../../../src-shared/types.js';
import type { Split } from '../data/mnist.js';
import { imagesToFloat } from '../data/mnist.js';
import { lossAndAccuracy, predictFloats } from '../evaluate.js';
import { normaliseModelConfig } from './config.js';
import { readKerasFile } from './read-h5.js';
import { assignWeights } from './weights.js';
import '../batch-norm.js'; // imported models train their batch norm through the fused kernels too

/** Images the input-scale check classifies with each scale. */
export const SCALE_CHECK_IMAGES = 500;
export const INPUT_SCALES = [1, 255] as const;

export interface ImportedKeras {
  model: tf.LayersModel;
  inputScale: number;
  origin: ModelOrigin;
}

/** Build the model; throws one-line errors and leaves nothing allocated when it does. */
export async function loadKerasModel(bytes: Uint8Array, fileName: string, images: Split): Promise<ImportedKeras> {
  const file = await readKerasFile(bytes);
  if (file.kerasVersion?.startsWith('1.')) throw new Error(`Keras ${file.kerasVersion} files are not supported (Keras 2.x and tf.keras are)`);
  const { topology, layers } = normaliseModelConfig(file.modelConfig);
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology as tf.serialization.ConfigDict });
  } catch (err) {
    throw new Error(`cannot build the model from model_config: ${firstLine(err)}`);
  }
  try {
    const inShape = model.inputs.map((t) => t.shape.slice(1).join('x')).join(', ');
    const outShape = model.outputs.map((t) => t.shape.slice(1).join('x')).join(', ');
    if (inShape !== '28x28x1' || outShape !== '10') {
      throw new Error(`the model maps ${inShape} to ${outShape}; Digit Lab needs 28x28x1 images to 10 classes`);
    }
    assignWeights(model, file.layers);
    const origin: ModelOrigin = {
      format: 'keras-h5', fileName, sha256: createHash('sha256').update(bytes).digest('hex'),
      kerasVersion: file.kerasVersion, backend: file.backend, layers: layers.map((l) => `${l.className} ${l.name}`),
      inputScaleSource: file.inputScale ? 'file' : 'detected',
    };
    if (file.inputScale) return { model, inputScale: file.inputScale, origin };
    const check = await detectInputScale(model, images);
    origin.inputScaleCheck = { images: check.images, accuracy01: check.accuracy[0], accuracy0255: check.accuracy[1] };
    return { model, inputScale: check.scale, origin };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Classify the first images with pixels as 0-1 and as 0-255; the better scale wins (ties: 0-1). */
export async function detectInputScale(
  model: tf.LayersModel, split: Split,
): Promise<{ scale: number; images: number; accuracy: number[] }> {
  const n = Math.min(SCALE_CHECK_IMAGES, split.count);
  const x = imagesToFloat(split.images, Int32Array.from({ length: n }, (_, i) => i));
  const labels = split.labels.subarray(0, n);
  const accuracy: number[] = [];
  for (const s of INPUT_SCALES) accuracy.push(lossAndAccuracy(await predictFloats(model, x, n, s), labels).accuracy);
  return { scale: accuracy[1] > accuracy[0] ? INPUT_SCALES[1] : INPUT_SCALES[0], images: n, accuracy };
}

/** A store name from a file name: "my model (2).h5" → "my model -2-". */
export const kerasModelName = (fileName: string): string => suggestModelName(fileName, 'keras');
