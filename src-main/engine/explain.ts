// Why this answer: a signed 28×28 attribution map for one image and one class, on the model's own backend.
// `gradient`: integrated gradients from a black image (the gradient of the class's probability, averaged over
// IG_STEPS images on the straight path from black to this one, times the input), one batched gradient pass.
// `occlusion`: each inked pixel set to black in turn (a black pixel has nothing to remove), all of them in one
// batched predict; the map is the drop in the class's probability. Both are zero where the image is black.
import * as tf from '@tensorflow/tfjs';
import { argmax, CLASSES, PIXELS } from '../../src-shared/domain.js';
import { EXPLAIN_METHODS, type ExplainMethod } from '../../src-shared/types.js';
import { predictFloats } from './evaluate.js';

/** Points on the path from black to the image (midpoints of IG_STEPS equal steps). */
export const IG_STEPS = 16;

export interface ExplainOptions {
  /** The class to explain; default the predicted one. */
  class?: number;
  method: ExplainMethod;
  /** What a white pixel is fed as (meta.json's inputScale). */
  inputScale?: number;
}

export interface ExplainResult {
  class: number;
  probability: number;
  predicted: number;
  probs: number[];
  method: ExplainMethod;
  /** 784 values, row-major: positive = evidence for the class, negative = against. */
  map: Float32Array;
}

/** The engine's one-line refusals of a bad request (the protocol's schema refuses the same before it gets here). */
export function checkExplainRequest(pixels: ArrayLike<number>, cls: number | undefined, method: string, classes = CLASSES): void {
  if (pixels.length !== PIXELS) throw new Error(`the image has ${pixels.length} values, expected ${PIXELS} (28×28)`);
  if (cls !== undefined && !(Number.isInteger(cls) && cls >= 0 && cls < classes)) {
    throw new Error(`class must be an integer from 0 to ${classes - 1}, got ${cls}`);
  }
  if (!(EXPLAIN_METHODS as readonly string[]).includes(method)) {
    throw new Error(`unknown method ${JSON.stringify(String(method).slice(0, 40))}: expected ${EXPLAIN_METHODS.join(' or ')}`);
  }
}

/** The number of classes the model outputs. */
function outputUnits(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] ?? CLASSES;
}

/** The model's input shape without the batch dimension ([28, 28, 1], or [784] for a flat input). */
function inputShape(model: tf.LayersModel): number[] {
  const shape = model.inputs[0].shape.slice(1).map((d) => d ?? 1);
  if (shape.reduce((a, b) => a * b, 1) !== PIXELS) {
    throw new Error(`the model's input shape [${model.inputs[0].shape.join(', ')}] does not hold one 28×28 image`);
  }
  return shape;
}

/** Integrated gradients of the class's probability against a black image (pixels: 0-1). */
async function integratedGradients(model: tf.LayersModel, pixels: Float32Array, cls: number, scale: number): Promise<Float32Array> {
  const shape = inputShape(model);
  const path = new Float32Array(IG_STEPS * PIXELS);
  for (let s = 0; s < IG_STEPS; s++) {
    const alpha = ((s + 0.5) / IG_STEPS) * scale;
    for (let i = 0; i < PIXELS; i++) path[s * PIXELS + i] = pixels[i] * alpha;
  }
  const grads = tf.tidy(() => {
    const probability = (x: tf.Tensor) => (model.apply(x, { training: false }) as tf.Tensor).slice([0, cls], [-1, 1]).sum();
    const g = tf.grad(probability)(tf.tensor(path, [IG_STEPS, ...shape]));
    return g.reshape([IG_STEPS, PIXELS]).mean(0);
  });
  let mean: Float32Array;
  try {
    mean = (await grads.data()) as Float32Array;
  } finally {
    grads.dispose();
  }
  // The gradient is taken with respect to the scaled input, so the input it multiplies is scaled too.
  return Float32Array.from(mean, (g, i) => g * pixels[i] * scale);
}

/** Each inked pixel set to black in turn; returns the ten probabilities of the image and the map. */
async function occlusion(model: tf.LayersModel, pixels: Float32Array, cls: number | undefined, scale: number) {
  const inked: number[] = [];
  for (let i = 0; i < PIXELS; i++) if (pixels[i] > 0) inked.push(i);
  const batch = new Float32Array((inked.length + 1) * PIXELS);
  batch.set(pixels);
  inked.forEach((pixel, k) => {
    batch.set(pixels, (k + 1) * PIXELS);
    batch[(k + 1) * PIXELS + pixel] = 0;
  });
  const out = await predictFloats(model, batch, inked.length + 1, scale);
  const classes = outputUnits(model);
  const probs = Array.from(out.subarray(0, classes));
  const target = cls ?? argmax(probs, 0, classes);
  const map = new Float32Array(PIXELS);
  inked.forEach((pixel, k) => {
    map[pixel] = probs[target] - out[(k + 1) * classes + target];
  });
  return { probs, target, map };
}

/** A signed attribution map for one image (784 values, 0-1, white ink on black as MNIST). */
export async function explain(model: tf.LayersModel, pixels: ArrayLike<number>, options: ExplainOptions): Promise<ExplainResult> {
  const { method, inputScale = 1 } = options;
  const classes = outputUnits(model);
  checkExplainRequest(pixels, options.class, method, classes);
  const x = Float32Array.from(pixels);
  inputShape(model);
  if (method === 'occlusion') {
    const { probs, target, map } = await occlusion(model, x, options.class, inputScale);
    return { class: target, probability: probs[target], predicted: argmax(probs, 0, classes), probs, method, map };
  }
  const probs = Array.from(await predictFloats(model, x, 1, inputScale));
  const target = options.class ?? argmax(probs, 0, classes);
  const map = await integratedGradients(model, x, target, inputScale);
  return { class: target, probability: probs[target], predicted: argmax(probs, 0, classes), probs, method, map };
}
