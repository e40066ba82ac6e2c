// PreciseBN (Wu & Johnson, "Rethinking 'Batch' in BatchNorm", 2021): at the end of training, each batch-norm layer's
// moving mean and variance become the statistics of its input over training images, as inference computes that input.
// While training they are an exponential average over batches: of augmented images, and taken while the weights were
// still changing, so they lag the final weights and describe images the model is never asked about. Over 10 000 clean
// training images the validation loss of `best`-family networks fell by 10-13% (docs/benchmarks.md, `best-preset`).
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE, PIXELS } from '../../src-shared/domain.js';
import { mulberry32, shuffleInPlace } from '../../src-shared/random.js';
import type { BatchNormState } from './batch-norm.js';
import { EVAL_BATCH } from './evaluate.js';
import { imagesToFloat, type Split } from './data/mnist.js';

/** Training images whose statistics replace the moving ones: past ~10⁴ the estimate no longer moves (the paper's §3). */
export const PRECISE_BN_IMAGES = 10_000;

const isBatchNorm = (layer: tf.layers.Layer) => layer.getClassName() === 'BatchNormalization';

/** Whether the model has batch-norm layers whose statistics `preciseBatchNorm` would recompute. */
export const hasBatchNorm = (model: tf.LayersModel) => model.layers.some(isBatchNorm);

/**
 * Recompute every batch-norm layer's moving mean and variance, first layer first (each layer's input depends on the
 * statistics of the ones before it), from `images` training images without augmentation, drawn with `seed`.
 * Returns the number of layers recomputed and the images used.
 */
export async function preciseBatchNorm(
  model: tf.LayersModel, train: Split, seed: number, { images = PRECISE_BN_IMAGES, signal }: { images?: number; signal?: AbortSignal } = {},
): Promise<{ layers: number; images: number }> {
  const layers = model.layers.filter(isBatchNorm);
  const count = Math.min(images, train.count);
  if (!layers.length || !count) return { layers: 0, images: 0 };
  const before = layers.map((l) => {
    const s = l as unknown as BatchNormState;
    return [s.movingMean.read().clone(), s.movingVariance.read().clone()] as const;
  });
  try {
    await recompute(layers, model, train, seed, count, signal);
  } catch (err) {
    // Stopped or failed half-way: the later layers' statistics would not match the earlier ones'. Put all back.
    layers.forEach((l, i) => {
      const s = l as unknown as BatchNormState;
      s.movingMean.write(before[i][0]);
      s.movingVariance.write(before[i][1]);
    });
    throw err;
  } finally {
    tf.dispose(before.flat());
  }
  return { layers: layers.length, images: count };
}

/** Thrown by preciseBatchNorm when its signal is aborted; the statistics are then as they were. */
export class PreciseBnStopped extends Error {}

async function recompute(
  layers: tf.layers.Layer[], model: tf.LayersModel, train: Split, seed: number, count: number, signal?: AbortSignal,
): Promise<void> {
  const order = shuffleInPlace(Int32Array.from({ length: train.count }, (_, i) => i), mulberry32(seed ^ 0x5eed)).subarray(0, count);
  const x = new Float32Array(Math.min(EVAL_BATCH, count) * PIXELS);
  for (const layer of layers) {
    const s = layer as unknown as BatchNormState;
    const toInput = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const shift = s.movingMean.read(); // moments about the old mean: no cancellation when |mean| ≫ sd
    let sum: tf.Tensor | null = null; // Σ n·(mean of x − shift), Σ n·(mean of (x − shift)²), per channel
    let sumSquares: tf.Tensor | null = null;
    let seen = 0;
    for (let start = 0; start < count; start += EVAL_BATCH) {
      const n = Math.min(EVAL_BATCH, count - start);
      const batch = imagesToFloat(train.images, order.subarray(start, start + n), x.subarray(0, n * PIXELS));
      let perChannel = 1; // values a channel has in this batch: n × height × width (known from the shape, no read-back)
      const [m, m2] = tf.tidy(() => {
        const y = toInput.predict(tf.tensor4d(batch, [n, IMAGE_SIDE, IMAGE_SIDE, 1]), { batchSize: n }) as tf.Tensor;
        const axis = s.axis < 0 ? y.rank + s.axis : s.axis;
        const axes = y.shape.map((_, i) => i).filter((i) => i !== axis);
        perChannel = axes.reduce((p, i) => p * y.shape[i], 1);
        const centred = tf.sub(y, reshapeTo(shift, y.rank, axis));
        const { mean, variance } = tf.moments(centred, axes);
        return [mean.mul(perChannel), variance.add(mean.square()).mul(perChannel)];
      });
      sum = sum ? accumulate(sum, m) : m;
      sumSquares = sumSquares ? accumulate(sumSquares, m2) : m2;
      seen += perChannel;
      await new Promise((r) => setImmediate(r)); // let stop requests and IPC through
      if (signal?.aborted) {
        tf.dispose([sum!, sumSquares!]);
        throw new PreciseBnStopped('stopped while recomputing the batch-norm statistics');
      }
    }
    tf.tidy(() => {
      const meanShift = sum!.div(seen);
      s.movingMean.write(shift.add(meanShift));
      s.movingVariance.write(tf.relu(sumSquares!.div(seen).sub(meanShift.square())));
    });
    tf.dispose([sum!, sumSquares!]);
  }
}

/** A per-channel vector shaped to broadcast along `axis` of a rank-`rank` tensor. */
function reshapeTo(v: tf.Tensor, rank: number, axis: number): tf.Tensor {
  return v.reshape(Array.from({ length: rank }, (_, i) => (i === axis ? -1 : 1)));
}

function accumulate(total: tf.Tensor, add: tf.Tensor): tf.Tensor {
  const next = total.add(add);
  tf.dispose([total, add]);
  return next;
}
