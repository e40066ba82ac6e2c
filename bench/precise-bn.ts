// PreciseBN's effect on saved models: each model's validation split (its meta.json's seed and sizes, as `engine.train`
// drew it) and the test set, scored with the batch-norm statistics the model was saved with and again after
// `preciseBatchNorm` over 10 000 clean training images. For models saved before PreciseBN existed (or by fine-tuning,
// which keeps the base's statistics); on a model trained since, the second row equals the first up to sampling.
//   npx tsx bench/precise-bn.ts <model folder>...   (a saved model's folder: models/NAME or one of its versions)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { metaSchema } from '../src-shared/protocol.js';
import { selectBackend } from '../src-main/engine/backend.js';
import { loadMnist, splitTrainVal } from '../src-main/engine/data/mnist.js';
import { lossAndAccuracy, predictProbs } from '../src-main/engine/evaluate.js';
import { deserializeModel } from '../src-main/engine/model-io.js';
import { preciseBatchNorm } from '../src-main/engine/precise-bn.js';

const folders = process.argv.slice(2);
if (!folders.length) {
  console.error('usage: npx tsx bench/precise-bn.ts <model folder>...');
  process.exit(2);
}
const backend = await selectBackend('auto');
const data = loadMnist();
console.log(`${backend.device}; validation split from each model's meta.json; 10 000 clean training images\n`);
console.log('| model | statistics | validation loss | validation accuracy | test loss | test accuracy |');
console.log('|---|---|---:|---:|---:|---:|');
for (const given of folders) {
  const current = path.join(given, 'current');
  const dir = existsSync(current) ? path.join(given, readFileSync(current, 'utf8').trim()) : given;
  const meta = metaSchema.parse(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')));
  if (!meta.config) {
    console.log(`| ${meta.name} | not trained here (no training config): no validation split to score |  |  |  |  |`);
    continue;
  }
  const { seed, validationSize, trainSize } = meta.config;
  const model = await deserializeModel(readFileSync(path.join(dir, 'model.json'), 'utf8'), (p) => readFileSync(path.join(dir, p)));
  const { train, val } = splitTrainVal(data.train, validationSize, trainSize, seed);
  const row = async (what: string) => {
    const v = lossAndAccuracy(await predictProbs(model, val.images, val.count), val.labels);
    const t = lossAndAccuracy(await predictProbs(model, data.test.images, data.test.count), data.test.labels);
    const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
    console.log(`| ${meta.name} | ${what} | ${v.loss.toFixed(4)} | ${pct(v.accuracy)} | ${t.loss.toFixed(4)} | ${pct(t.accuracy)} |`);
  };
  await row('as saved');
  const t0 = performance.now();
  const done = await preciseBatchNorm(model, train, seed);
  await row(`PreciseBN (${done.layers} layers, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  model.dispose();
}
