// Where training batches come from: built on the CPU and uploaded each batch, or — on a GPU backend —
// gathered on the GPU from the training set uploaded there once. Also how often the trainer reads its
// metrics back (each read waits for the GPU to finish; the CPU backends have nothing to wait for).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src-shared/random.js';
import type { TrainConfig } from '../../src-shared/types.js';
import { augmentBatch, augmentPenBatch } from './data/augment.js';
import { IMAGE_SIDE, PIXELS } from '../../src-shared/domain.js';
import { imagesToFloat, type Split } from './data/mnist.js';
import { ResidentBatches } from './webgpu/resident-batches.js';

export interface Batch {
  /** [n, 28, 28, 1] grey levels 0-1. */
  xs: tf.Tensor4D;
  /** [n, 1] labels 0-9 as floats (sparse categorical cross-entropy). */
  ys: tf.Tensor2D;
}

export interface BatchSource {
  /** The images and labels at these training-set indices; `rng` draws the augmentation. */
  batch(indices: Int32Array, rng: Rng): Batch;
  dispose(): void;
}

/** Floats built on the CPU (and augmented there), one upload per batch. */
export class HostBatches implements BatchSource {
  private readonly floats: Float32Array;

  constructor(
    private readonly split: Split,
    private readonly augment: TrainConfig['augment'],
    maxBatch: number,
  ) {
    this.floats = new Float32Array(maxBatch * PIXELS);
  }

  batch(indices: Int32Array, rng: Rng): Batch {
    const n = indices.length;
    let x = imagesToFloat(this.split.images, indices, this.floats.subarray(0, n * PIXELS));
    if (this.augment === 'affine') x = augmentBatch(x, n, rng);
    else if (this.augment === 'pen') x = augmentPenBatch(x, n, rng);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = this.split.labels[indices[i]];
    return { xs: tf.tensor4d(x, [n, IMAGE_SIDE, IMAGE_SIDE, 1]), ys: tf.tensor2d(y, [n, 1]) };
  }

  dispose(): void {}
}

const onGpu = () => tf.getBackend() === 'webgpu';

/** The source for the active backend. The GPU kernel warps with the affine augmentation only: `pen`
 *  augmentation (elastic, stroke thickness) is built on the CPU, also on a GPU. */
export function batchSource(split: Split, augment: TrainConfig['augment'], maxBatch: number): BatchSource {
  if (!onGpu() || augment === 'pen') return new HostBatches(split, augment, maxBatch);
  return new ResidentBatches(split, augment === 'affine');
}

/** Batches between metric read-backs: 1 on the CPU backends, more on a GPU so its queue stays full. */
export function metricsInterval(): number {
  return onGpu() ? 16 : 1;
}
