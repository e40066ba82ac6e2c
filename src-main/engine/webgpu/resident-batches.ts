// The training set kept on the GPU as bytes (uploaded once, 4 pixels to an int32); each batch is
// gathered, converted and (when augmenting) warped there by one kernel (gather-images.ts).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../src-shared/random.js';
import type { Batch, BatchSource } from '../batch-source.js';
import { randomTransform } from '../data/augment.js';
import type { Split } from '../data/mnist.js';
import { gatherImages } from './gather-images.js';

export class ResidentBatches implements BatchSource {
  private readonly images: tf.Tensor1D;
  private readonly labels: tf.Tensor1D;

  constructor(
    split: Split,
    private readonly augment: boolean,
  ) {
    const bytes = split.images.slice(); // own, 4-byte-aligned copy (count × 784 is a multiple of 4)
    this.images = tf.tensor1d(new Int32Array(bytes.buffer, 0, bytes.length / 4), 'int32');
    this.labels = tf.tensor1d(Float32Array.from(split.labels), 'float32');
  }

  batch(indices: Int32Array, rng: Rng): Batch {
    const n = indices.length;
    let transforms: Float32Array | undefined;
    if (this.augment) {
      transforms = new Float32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const { angle, scale, dx, dy } = randomTransform(rng);
        transforms.set([Math.cos(angle) / scale, Math.sin(angle) / scale, dx, dy], i * 4);
      }
    }
    return tf.tidy(() => {
      const idx = tf.tensor1d(indices, 'int32');
      const xs = gatherImages(this.images, idx, transforms && tf.tensor2d(transforms, [n, 4]));
      const ys = tf.gather(this.labels, idx).reshape([n, 1]) as tf.Tensor2D;
      return { xs, ys };
    });
  }

  dispose(): void {
    this.images.dispose();
    this.labels.dispose();
  }
}
