// How fast a network trains here, measured, not estimated: a few real MNIST batches of it trained on the engine's
// backend (after one warm-up step), images per second and an epoch's time. It also says which kernels the steps ran
// on: where ours handed a case back to TF.js's stock kernel (a stride or pooling ours do not cover, counted as it
// happens), and the kernels without one of ours that took a noticeable share of a profiled step.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src-shared/random.js';
import type { BackendInfo, KernelReport, ParsedParams, Result, TrainConfig } from '../../src-shared/protocol.js';
import { batchSource } from './batch-source.js';
import { batchIndices, type Split } from './data/mnist.js';
import { countStockFallbacks, ownKernelNames } from './kernel-overrides.js';
import { buildModel } from './models.js';
import { trainStep } from './train.js';

/** Batches timed when the request names none. */
export const MEASURE_BATCHES = 5;
/** A kernel without one of ours is reported when it takes at least this share of a profiled step. */
const NOTABLE_SHARE = 0.1;
/** Kernels whose stock CPU versions are scalar loops, so ours returning null is a case ours do not cover (a stride,
 *  a padding, a pooling window): the network runs slower there. Ours for the others (element-wise, matmul, sums) hand
 *  back on purpose the cases the stock kernel already runs fast. */
const COVERING = new Set<string>([tf.Conv2D, tf.FusedConv2D, tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput, tf.MaxPool, tf.MaxPoolGrad]);

const pct = (share: number) => `${Math.round(share * 100)}%`;

async function stepShares(run: () => tf.Scalar[]): Promise<Map<string, number>> {
  const profile = await tf.profile(() => {
    const metrics = run();
    tf.dispose(metrics);
  });
  const times = new Map<string, number>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    times.set(k.name, (times.get(k.name) ?? 0) + ms);
  }
  const total = [...times.values()].reduce((a, b) => a + b, 0) || 1;
  return new Map([...times].map(([name, ms]) => [name, ms / total]));
}

function kernelReport(backend: BackendInfo, fallbacks: Map<string, number>, shares: Map<string, number>): KernelReport {
  const ours = new Set(ownKernelNames());
  const ownKernels = ours.size > 0;
  const stock: KernelReport['stock'] = [];
  for (const [kernel, calls] of fallbacks) {
    if (!COVERING.has(kernel)) continue;
    stock.push({ kernel, share: shares.get(kernel) ?? 0, reason: `ours does not cover this case: TF.js's stock kernel ran (${calls} calls)` });
  }
  if (ownKernels) {
    for (const [kernel, share] of shares) {
      if (!ours.has(kernel) && share >= NOTABLE_SHARE) {
        stock.push({ kernel, share, reason: 'no kernel of ours: TF.js\'s own' });
      }
    }
  }
  stock.sort((a, b) => b.share - a.share);
  const fell = stock.filter((s) => COVERING.has(s.kernel) && fallbacks.has(s.kernel));
  const note = !ownKernels
    ? `${backend.name}: TF.js's own kernels throughout (Digit Lab adds none on this backend)`
    : fell.length
      ? `falls back to TF.js's stock kernels for ${fell.map((s) => `${s.kernel} (${pct(s.share)} of a step)`).join(', ')}: cases our kernels do not cover, slower`
      : stock.length
        ? `on our kernels where we have them; ${stock.map((s) => `${s.kernel} (${pct(s.share)} of a step)`).join(', ')} on TF.js's own`
        : 'on our kernels throughout';
  return { ownKernels, stock, note };
}

/** Train `batches` batches of the network (defaults: the engine's resolved default config's batch and optimiser). */
export async function measureNetwork(
  params: ParsedParams<'networks.measure'>, backend: BackendInfo, train: Split, defaults: TrainConfig,
): Promise<Result<'networks.measure'>> {
  const batchSize = params.batchSize ?? defaults.batchSize;
  const batches = params.batches ?? MEASURE_BATCHES;
  const model = buildModel(defaults.preset, defaults.optimizer, defaults.learningRate, {
    layers: params.layers, adamBetas: defaults.adamBetas, dropout: true,
  });
  const source = batchSource(train, 'off', batchSize);
  const rng = mulberry32(defaults.seed);
  const order = batchIndices(train.count, batchSize, rng);
  const next = () => {
    const idx = order.next().value ?? Int32Array.from({ length: batchSize }, (_, i) => i % train.count);
    return source.batch(idx, rng);
  };
  const step = async () => {
    const { xs, ys } = next();
    try {
      const metrics = trainStep(model, xs, ys);
      await metrics[0].data(); // the step is done when its loss is read
      tf.dispose(metrics);
    } finally {
      xs.dispose();
      ys.dispose();
    }
  };
  try {
    await step(); // warm-up: the first step builds the training function and its buffers
    const t0 = performance.now();
    const { fallbacks } = await countStockFallbacks(async () => {
      for (let b = 0; b < batches; b++) await step();
    });
    const seconds = (performance.now() - t0) / 1000;
    const { xs, ys } = next();
    const shares = await stepShares(() => trainStep(model, xs, ys)).finally(() => tf.dispose([xs, ys]));
    const imagesPerSec = (batches * batchSize) / seconds;
    const epochImages = Math.max(0, train.count - defaults.validationSize);
    return {
      layers: params.layers, backend: backend.name, batchSize, batches, imagesPerSec,
      epochImages, epochMs: (epochImages / imagesPerSec) * 1000, kernels: kernelReport(backend, fallbacks, shares),
    };
  } finally {
    source.dispose();
    model.optimizer?.dispose();
    model.dispose();
  }
}
