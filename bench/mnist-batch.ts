// Real MNIST batches as tensors for the benchmarks and the kernel tests, read by the engine's own loader
// (src-main/engine/data/mnist.ts: sha256-checked IDX files, bytes converted to 0-1 floats per batch).
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE } from '../src-shared/domain.js';
import { imagesToFloat, loadMnist, rangeIndices, type Split } from '../src-main/engine/data/mnist.js';

/** The MNIST training or test split. */
export function mnistSplit(which: 'train' | 'test'): Split {
  return loadMnist()[which];
}

/** `n` images from `start` (wrapping round the split) as [n, 28, 28, 1] floats, and their labels as floats. */
export function mnistBatch(split: Split, start: number, n: number): [tf.Tensor4D, tf.Tensor1D] {
  const s = start % (split.count - n + 1);
  return [
    tf.tensor4d(imagesToFloat(split.images, rangeIndices(s, n)), [n, IMAGE_SIDE, IMAGE_SIDE, 1]),
    tf.tensor1d(Float32Array.from(split.labels.subarray(s, s + n)), 'float32'),
  ];
}
