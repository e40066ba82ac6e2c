// The wasm path's own peak: a 1024×1024×1024 float32 matrix product in XNNPACK (128-bit SIMD) on the
// threads the app uses. Prints one RESULT line: multiply-adds per second. Run by bench/run.ts.
import * as tf from '@tensorflow/tfjs';
import { startWasm } from '../src-main/engine/wasm/index.js';

const N = 1024;
const { threads } = await startWasm();
const a = tf.randomUniform([N, N]);
const b = tf.randomUniform([N, N]);
let best = 0;
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  best = Math.max(best, (5 * N ** 3) / ((performance.now() - t0) / 1000));
}
console.log(`RESULT ${JSON.stringify({ threads, gemmMacsPerSec: best })}`);
process.exit(0);
