// TF.js layers-format model files (model.json + weights.bin) read and written as plain bytes,
// so the pure-JS backend can save and load without tfjs-node's file:// handler.
import * as tf from '@tensorflow/tfjs';
import { firstLine } from '../../src-shared/errors.js';
import './batch-norm.js'; // models read from disk train their batch norm through the fused kernels too

export interface ModelFiles {
  modelJson: string;
  weights: Uint8Array;
}

const WEIGHTS_FILE = 'weights.bin';

/** Serialize a model to model.json text and one weights buffer. */
export async function serializeModel(model: tf.LayersModel): Promise<ModelFiles> {
  let files: ModelFiles | null = null;
  await model.save({
    save: async (artifacts: tf.io.ModelArtifacts) => {
      const data = artifacts.weightData;
      const weights = data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(tf.io.concatenateArrayBuffers(data as ArrayBuffer[]));
      const json = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { modelJson: JSON.stringify(json), weights };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  });
  if (!files) throw new Error('model serialization produced no files');
  return files;
}

/**
 * Load a layers model from model.json text and a reader for the weight files it names.
 * Throws one-line errors for malformed JSON, missing weight files or wrong sizes.
 */
export async function deserializeModel(
  modelJson: string,
  readWeightFile: (relPath: string) => Uint8Array,
): Promise<tf.LayersModel> {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(modelJson) as tf.io.ModelJSON;
  } catch {
    throw new Error('model.json is not valid JSON');
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error('model.json is not a TF.js layers model (no modelTopology / weightsManifest)');
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (p.includes('..') || p.startsWith('/') || p.includes('\\')) throw new Error(`model.json names an unsafe weights path '${p}'`);
      buffers.push(readWeightFile(p));
    }
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.byteLength;
  }
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, d) => a * d, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1), 0);
  if (specs.every((s) => !s.quantization) && expected !== total) {
    throw new Error(`weights are ${total} bytes but model.json describes ${expected}`);
  }
  // Built here rather than by tf.loadLayersModel, which leaks the model it has built when loadWeights throws
  // (a weight name or shape that does not match): every failure below disposes what was made.
  // modelFromJSON builds every layer synchronously, before its first await: the variables that appear during
  // the call are this model's, even when a later layer's config is bad and it throws with no model to dispose.
  const registered = () => Object.values(tf.engine().state.registeredVariables);
  const known = new Set(registered());
  const building = tf.models.modelFromJSON({ modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'] });
  const made = registered().filter((v) => !known.has(v));
  let model: tf.LayersModel;
  try {
    model = await building;
  } catch (err) {
    tf.dispose(made);
    throw new Error(`cannot build the model: ${firstLine(err)}`);
  }
  try {
    const decoded = tf.io.decodeWeights(weightData.buffer, specs);
    try {
      model.loadWeights(Object.fromEntries(specs.filter((s) => s.group !== 'optimizer').map((s) => [s.name, decoded[s.name]])), true);
    } finally {
      tf.dispose(Object.values(decoded));
    }
  } catch (err) {
    model.dispose();
    throw new Error(`cannot load the weights: ${firstLine(err)}`);
  }
  return model;
}

export const MODEL_WEIGHTS_FILE = WEIGHTS_FILE;
