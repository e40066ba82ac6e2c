// Inference over a whole split: class probabilities in batches, then accuracy, per-class accuracy,
// the confusion matrix and every misclassified image.
import * as tf from '@tensorflow/tfjs';
import { CLASSES, IMAGE_SIDE, PIXELS, argmax } from '../../src-shared/domain.js';
import type { ConfusionSummary, Mistake } from '../../src-shared/types.js';
import { imagesToFloat, rangeIndices } from './data/mnist.js';

export interface PredictOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** What a white pixel is fed as: 1 (0-1 floats, default) or 255 (a model trained on 0-255 pixels). */
  inputScale?: number;
}
/**
 * Images per predict call. Every layer's output of a batch is alive until the batch ends: at 1000 images
 * `seed` holds ~500 MB of activations, and the wasm backend's heap never shrinks (peak RSS 748 MiB).
 */
export const EVAL_BATCH = 250;

/** Softmax outputs for `count` images (n × the model's classes floats), `batchSize` at a time. */
export async function predictProbs(
  model: tf.LayersModel,
  images: Uint8Array,
  count: number,
  { batchSize = EVAL_BATCH, onProgress, inputScale = 1 }: PredictOptions = {},
): Promise<Float32Array> {
  const shape = model.outputs[0].shape;
  const classes = shape[shape.length - 1] ?? CLASSES;
  const probs = new Float32Array(count * classes);
  const x = new Float32Array(Math.min(batchSize, count) * PIXELS);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = imagesToFloat(images, rangeIndices(start, n), x.subarray(0, n * PIXELS));
    probs.set(await predictFloats(model, batch, n, inputScale), start * classes);
    onProgress?.(start + n, count);
    await new Promise((r) => setImmediate(r)); // let stop requests and IPC through
  }
  return probs;
}

/** Probabilities for n images given as 0-1 floats (n*784), multiplied by `inputScale` on the way in. Read back with
 *  data(): GPU backends cannot dataSync in Node. */
export async function predictFloats(model: tf.LayersModel, x: Float32Array, n: number, inputScale = 1): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const input = tf.tensor4d(x, [n, IMAGE_SIDE, IMAGE_SIDE, 1]);
    return model.predict(inputScale === 1 ? input : input.mul(inputScale), { batchSize: n }) as tf.Tensor;
  });
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Mean cross-entropy and accuracy of softmax outputs against labels. */
export function lossAndAccuracy(probs: Float32Array, labels: Uint8Array, classes = CLASSES): { loss: number; accuracy: number } {
  const count = labels.length;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    loss -= Math.log(Math.max(probs[i * classes + labels[i]], 1e-7));
    if (argmax(probs, i * classes, classes) === labels[i]) correct++;
  }
  return { loss: loss / count, accuracy: correct / count };
}

export interface Summary extends ConfusionSummary {
  count: number;
  correct: number;
  mistakes: Mistake[];
}

/** Confusion matrix (rows: actual, columns: predicted), per-class accuracy and the mistakes. */
export function summarize(probs: Float32Array, labels: Uint8Array, classes = CLASSES): Summary {
  const count = labels.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const mistakes: Mistake[] = [];
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const o = i * classes;
    const predicted = argmax(probs, o, classes);
    const label = labels[i];
    confusion[label][predicted]++;
    if (predicted === label) {
      correct++;
    } else {
      const p = Array.from(probs.subarray(o, o + classes));
      mistakes.push({ index: i, label, predicted, confidence: p[predicted], probs: p });
    }
  }
  const perClassAccuracy = confusion.map((row, k) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[k] / total : 0;
  });
  return { count, correct, accuracy: count ? correct / count : 0, perClassAccuracy, confusion, mistakes };
}
