// Inference over a whole split: class probabilities in batches, then accuracy, per-class accuracy,
// the confusion matrix and every misclassified image.
import * as tf from '@tensorflow/tfjs';
import type { ConfusionSummary, Mistake } from '../../src-shared/types.js';
import { imagesToFloat } from './data/mnist.js';

export const NUM_CLASSES = 10;
const PIXELS = 784;
/**
 * Images per predict call. Every layer's output of a batch is alive until the batch ends: at 1000 images
 * `seed` holds ~500 MB of activations, and the wasm backend's heap never shrinks (peak RSS 748 MiB).
 */
export const EVAL_BATCH = 250;

/** Softmax outputs for `count` images (n*10 floats), `batchSize` at a time. */
export async function predictProbs(
  model: tf.LayersModel,
  images: Uint8Array,
  count: number,
  batchSize = EVAL_BATCH,
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array> {
  const probs = new Float32Array(count * NUM_CLASSES);
  const x = new Float32Array(Math.min(batchSize, count) * PIXELS);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = imagesToFloat(images, rangeIndices(start, n), x.subarray(0, n * PIXELS));
    probs.set(predictFloats(model, batch, n), start * NUM_CLASSES);
    onProgress?.(start + n, count);
    await new Promise((r) => setImmediate(r)); // let stop requests and IPC through
  }
  return probs;
}

/** Probabilities for n images given as 0-1 floats (n*784). */
export function predictFloats(model: tf.LayersModel, x: Float32Array, n: number): Float32Array {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor4d(x, [n, 28, 28, 1]), { batchSize: n }) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

function rangeIndices(start: number, n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = start + i;
  return idx;
}

export function argmax(probs: ArrayLike<number>, offset = 0, n = NUM_CLASSES): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (probs[offset + k] > probs[offset + best]) best = k;
  return best;
}

/** Mean cross-entropy and accuracy of softmax outputs against labels. */
export function lossAndAccuracy(probs: Float32Array, labels: Uint8Array): { loss: number; accuracy: number } {
  const count = labels.length;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    loss -= Math.log(Math.max(probs[i * NUM_CLASSES + labels[i]], 1e-7));
    if (argmax(probs, i * NUM_CLASSES) === labels[i]) correct++;
  }
  return { loss: loss / count, accuracy: correct / count };
}

export interface Summary extends ConfusionSummary {
  count: number;
  correct: number;
  mistakes: Mistake[];
}

/** Confusion matrix (rows: actual, columns: predicted), per-class accuracy and the mistakes. */
export function summarize(probs: Float32Array, labels: Uint8Array): Summary {
  const count = labels.length;
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  const mistakes: Mistake[] = [];
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const o = i * NUM_CLASSES;
    const predicted = argmax(probs, o);
    const label = labels[i];
    confusion[label][predicted]++;
    if (predicted === label) {
      correct++;
    } else {
      const p = Array.from(probs.subarray(o, o + NUM_CLASSES));
      mistakes.push({ index: i, label, predicted, confidence: p[predicted], probs: p });
    }
  }
  const perClassAccuracy = confusion.map((row, k) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[k] / total : 0;
  });
  return { count, correct, accuracy: count ? correct / count : 0, perClassAccuracy, confusion, mistakes };
}
