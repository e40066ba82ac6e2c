// `npm run bench:explain`: is the attribution map faithful, and fast enough for the Sketchpad to follow a drawing?
// 1. Deletion test on EXPLAIN_IMAGES (500) MNIST test images with the shipped default model: for each method, set to
//    black the k most-attributed pixels of the digit (k = 5/10/20% of its inked pixels) and, separately, k random inked
//    pixels (the mean of RANDOM_DRAWS draws); print the mean drop of the predicted class's probability for both, and
//    on how many images the attributed pixels' drop is the larger. Faithful: attributed beats random at every k.
// 2. Latency of `engine.explain` for each method with the same model on the default CPU backend (auto, no GPU):
//    p50 / p95 over EXPLAIN_CALLS calls, interleaved; targets gradient ≤ 30 ms and occlusion ≤ 150 ms p95.
// The machine's load (uptime) is printed before and after: the latency depends on it.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CLASSES, PIXELS } from '../src-shared/domain.js';
import { mulberry32 } from '../src-shared/random.js';
import { EXPLAIN_METHODS, type ExplainMethod } from '../src-shared/types.js';
import { createEngine } from '../src-main/engine/engine.js';

const IMAGES = Number(process.env.EXPLAIN_IMAGES ?? 500);
const CALLS = Number(process.env.EXPLAIN_CALLS ?? 100);
const RANDOM_DRAWS = 3;
const FRACTIONS = [0.05, 0.1, 0.2];
const TARGET_P95_MS: Record<ExplainMethod, number> = { gradient: 30, occlusion: 150 };

const uptime = () => execSync('uptime').toString().trim();
console.log(`uptime: ${uptime()}`);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-explain-'));
const engine = await createEngine({ home, shippedDir: path.resolve('models') });
const model = (await engine.status()).activeModel;
console.log(`model ${model} · backend ${engine.backend.kind} (${engine.backend.device}) · ${IMAGES} test images · ${CALLS} timed calls per method`);

const rng = mulberry32(2025);
const chosen = new Set<number>();
while (chosen.size < IMAGES) chosen.add(Math.floor(rng() * engine.dataset.test));
const indices = [...chosen];
const images = (await engine.testImages({ indices })).images.map((img) => Float32Array.from(img, (v) => v / 255));

/** Copies of `image` with each set of pixels set to black. */
const without = (image: Float32Array, sets: number[][]) =>
  sets.map((set) => {
    const copy = image.slice();
    for (const i of set) copy[i] = 0;
    return copy;
  });

function shuffled(xs: number[], random: () => number): number[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// 1. Deletion (after one call of each method: the model is loaded, its weights are tensors that stay).
for (const method of EXPLAIN_METHODS) await engine.explain({ pixels: images[0], method });
const tensorsBefore = tf.memory().numTensors;
for (const method of EXPLAIN_METHODS) {
  const drops = FRACTIONS.map(() => ({ attributed: 0, random: 0, wins: 0 }));
  const draw = mulberry32(7);
  for (const image of images) {
    const r = await engine.explain({ pixels: image, method });
    const inked = Array.from({ length: PIXELS }, (_, i) => i).filter((i) => image[i] > 0);
    const ranked = inked.slice().sort((a, b) => r.map[b] - r.map[a]); // the most evidence for the class first
    const sets: number[][] = [];
    for (const f of FRACTIONS) {
      const k = Math.max(1, Math.round(f * inked.length));
      sets.push(ranked.slice(0, k));
      for (let d = 0; d < RANDOM_DRAWS; d++) sets.push(shuffled(inked, draw).slice(0, k));
    }
    const { probs } = await engine.predict({ inputs: without(image, sets) });
    FRACTIONS.forEach((_, fi) => {
      const base = fi * (RANDOM_DRAWS + 1);
      const attributed = r.probability - probs[base][r.class];
      let random = 0;
      for (let d = 1; d <= RANDOM_DRAWS; d++) random += (r.probability - probs[base + d][r.class]) / RANDOM_DRAWS;
      drops[fi].attributed += attributed / images.length;
      drops[fi].random += random / images.length;
      if (attributed > random) drops[fi].wins++;
    });
  }
  console.log(`\ndeletion, ${method}: mean drop of the predicted class's probability (${CLASSES} classes, ${images.length} images)`);
  console.log('   k   attributed   random   attributed larger on');
  FRACTIONS.forEach((f, fi) => {
    const d = drops[fi];
    const verdict = d.attributed > d.random ? 'beats random' : 'DOES NOT beat random';
    console.log(
      `${`${f * 100}%`.padStart(4)}   ${d.attributed.toFixed(4).padStart(10)}   ${d.random.toFixed(4).padStart(6)}   ` +
        `${String(d.wins).padStart(3)}/${images.length} images   ${verdict}`,
    );
  });
}

// 2. Latency: interleaved calls on images the deletion test used.
const times: Record<ExplainMethod, number[]> = { gradient: [], occlusion: [] };
for (let i = 0; i < CALLS; i++) {
  for (const method of EXPLAIN_METHODS) {
    const t0 = performance.now();
    await engine.explain({ pixels: images[i % images.length], method });
    times[method].push(performance.now() - t0);
  }
}
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
console.log(`\nlatency of engine.explain, ${model} on ${engine.backend.kind}:`);
for (const method of EXPLAIN_METHODS) {
  const t = times[method];
  const p95 = q(t, 0.95);
  console.log(
    `${method.padEnd(9)}  p50 ${q(t, 0.5).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms   max ${q(t, 1).toFixed(1).padStart(6)} ms   ` +
      `target ≤ ${TARGET_P95_MS[method]} ms: ${p95 <= TARGET_P95_MS[method] ? 'met' : 'MISSED'}`,
  );
}
console.log(`tensors left behind: ${tf.memory().numTensors - tensorsBefore}`);
console.log(`uptime: ${uptime()}`);
engine.dispose();
fs.rmSync(home, { recursive: true, force: true });
