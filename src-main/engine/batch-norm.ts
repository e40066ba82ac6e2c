// Batch normalisation that trains in a few passes. TF.js's BatchNormalization layer, while training, computes the
// batch's moments and the normalisation with a dozen element-wise kernels, and their gradients with as many more
// (Sub, Square, Mean, Multiply, RealDiv, Sum…): most of a step's time in a network with batch norm on the wasm path.
// This layer is that one (the same weights, config and saved form: Keras' and TF.js's `BatchNormalization`) except
// while training on a backend that has the fused kernels below (ours on wasm: wasm/batch-norm.ts): there, the
// moments are one kernel, the normalisation one, and its gradient one, whose formula includes the moments'
// dependence on x. Everywhere else (inference, other backends, an axis other than the last) it is the stock layer.
// Registered under the stock class's name, so that models read from disk or imported from Keras use it too.
import * as tf from '@tensorflow/tfjs';

/** x [..., c] → [mean, variance] over every axis but the last (variance biased, as tf.moments). */
export const BATCH_NORM_STATS = 'DigitLabBatchNormStats';
/** x, mean, variance, gamma, beta (epsilon) → (x − mean) / √(variance + ε) · gamma + beta. */
export const BATCH_NORM = 'DigitLabBatchNorm';
/** dy, x, mean, variance, gamma (epsilon) → [dx, dgamma, dbeta] with mean and variance the batch's own. */
export const BATCH_NORM_GRAD = 'DigitLabBatchNormGrad';

/** Switch for tests and A/B benchmarks: off, the stock layer's way everywhere. */
export const FUSED_BATCH_NORM = { enabled: true };

type Layer = ReturnType<typeof tf.layers.batchNormalization>;
type LayerArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type Kwargs = Parameters<Layer['call']>[1];
interface LayerVariable {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}
/** The stock layer's state this one reads (tfjs-layers' BatchNormalization; not in its public types). */
export interface BatchNormState {
  axis: number;
  epsilon: number;
  momentum: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

const [StockBatchNormalization] = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization as unknown as [
  new (args?: LayerArgs) => Layer,
];

/** Whether the fused kernels serve a training step on `x` now. */
function fusedFor(x: tf.Tensor, s: BatchNormState): boolean {
  const backend = tf.getBackend();
  return FUSED_BATCH_NORM.enabled && x.dtype === 'float32' && x.rank >= 2 && (s.axis === -1 || s.axis === x.rank - 1) &&
    s.center && s.scale && [BATCH_NORM_STATS, BATCH_NORM, BATCH_NORM_GRAD].every((k) => tf.getKernel(k, backend) !== undefined);
}

/** The normalised batch, with the batch's mean and variance (which its gradient treats through its own formula). */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const engine = tf.engine();
  const [mean, variance] = engine.runKernel(BATCH_NORM_STATS, { x }) as tf.Tensor[];
  // The moments above reach the loss only through this op, whose gradient accounts for them: the tape leaves them out.
  const normalise = tf.customGrad((x, gamma, beta, save) => {
    const [xs, g, b] = [x, gamma, beta] as tf.Tensor[];
    (save as tf.GradSaveFunc)([xs, mean, variance, g]);
    return {
      value: engine.runKernel(BATCH_NORM, { x: xs, mean, variance, gamma: g, beta: b }, { epsilon }) as tf.Tensor,
      gradFunc: (dy, [xSaved, meanSaved, varianceSaved, gammaSaved]) =>
        engine.runKernel(BATCH_NORM_GRAD, { dy: dy as tf.Tensor, x: xSaved, mean: meanSaved, variance: varianceSaved, gamma: gammaSaved }, { epsilon }) as tf.Tensor[],
    };
  });
  return { y: normalise(x, gamma, beta), mean, variance };
}

/** tf.layers.batchNormalization, trained through the fused kernels where the backend has them. */
export class BatchNormalization extends StockBatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const s = this as unknown as BatchNormState;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || !fusedFor(x, s)) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(x, s.gamma.read(), s.beta.read(), s.epsilon);
      // The moving averages as the stock layer updates them.
      for (const [moving, value] of [[s.movingMean, mean], [s.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const old = moving.read();
          moving.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - s.momentum)));
        });
      }
      return y;
    });
  }
}

tf.serialization.SerializationMap.register(BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
