// `tsx bench/activations.ts`: latency of one `activations` call (every layer's output for one image),
// the inside view's engine call, for each preset with its real weights where a trained model exists
// (models/default is the fast CNN) and freshly initialised weights otherwise (timing does not depend
// on the weights). Budget: the sketchpad's 100 ms per update, engine time far inside it.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { PRESETS } from '../src-shared/types.js';
import { activations } from '../src-main/engine/activations.js';
import { selectBackend } from '../src-main/engine/backend.js';
import { loadMnist } from '../src-main/engine/data/mnist.js';
import { predictFloats } from '../src-main/engine/evaluate.js';
import { buildModel } from '../src-main/engine/models.js';

const CALLS = Number(process.env.ACTIVATIONS_CALLS ?? 200);

const backend = await selectBackend('auto');
const test = loadMnist().test;
const images = Array.from({ length: CALLS }, (_, i) => Array.from(test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255));
console.log(`backend ${backend.kind} (${backend.device}); ${CALLS} calls, one test image each; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const preset of PRESETS) {
  const model = buildModel(preset, 'adam', 0.001);
  const t0 = performance.now();
  const first = await activations(model, images[0]); // builds the probe model
  const firstMs = performance.now() - t0;
  const tensors = tf.memory().numTensors;
  // Interleaved with a plain predict of the same image, so the ratio holds under a shared CPU's load.
  const times: number[] = [];
  const plain: number[] = [];
  for (const image of images) {
    let t = performance.now();
    await activations(model, image);
    times.push(performance.now() - t);
    t = performance.now();
    await predictFloats(model, Float32Array.from(image), 1);
    plain.push(performance.now() - t);
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const floats = first.layers.reduce((n, l) => n + l.data.length, 0);
  console.log(
    `${preset.padEnd(5)} first ${firstMs.toFixed(1)} ms · p50 ${q(times, 0.5).toFixed(2)} ms · p95 ${q(times, 0.95).toFixed(2)} ms · ` +
      `max ${q(times, 1).toFixed(2)} ms · plain predict p50 ${q(plain, 0.5).toFixed(2)} ms · ` +
      `${first.layers.length} outputs, ${floats} floats (${((floats * 4) / 1024).toFixed(0)} KiB) · tensors leaked ${tf.memory().numTensors - tensors}`,
  );
  model.dispose();
}
