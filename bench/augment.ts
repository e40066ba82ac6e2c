// The cost of augmentation on the CPU, per image (part of `npm run bench`; alone: `npx tsx bench/augment.ts`):
// `affine` (augmentBatch) and `pen` (augmentPenBatch) over 256 real MNIST test images, 20 rounds after a warm-up,
// the median round. Prints one RESULT line. Training builds one augmented batch per step, so this is to be read
// against a training step's time (docs/benchmarks.md).
import { augmentBatch, augmentPenBatch } from '../src-main/engine/data/augment.js';
import { imagesToFloat, loadMnist } from '../src-main/engine/data/mnist.js';
import { mulberry32 } from '../src-shared/random.js';

const N = 256;
const ROUNDS = 20;

export interface AugmentResult {
  images: number;
  affineMsPerImage: number;
  penMsPerImage: number;
}

function msPerImage(fn: typeof augmentBatch, x: Float32Array): number {
  const out = new Float32Array(N * 784);
  fn(x, N, mulberry32(0), out); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    fn(x, N, mulberry32(r + 1), out);
    rounds.push((performance.now() - t0) / N);
  }
  return rounds.sort((a, b) => a - b)[ROUNDS >> 1];
}

export function measureAugment(): AugmentResult {
  const test = loadMnist().test;
  const x = imagesToFloat(test.images, Int32Array.from({ length: N }, (_, i) => i));
  return { images: N, affineMsPerImage: msPerImage(augmentBatch, x), penMsPerImage: msPerImage(augmentPenBatch, x) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`RESULT ${JSON.stringify(measureAugment())}`);
