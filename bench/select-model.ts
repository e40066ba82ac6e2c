// Model selection without the test set: trains N candidate runs of one recipe (`digit-lab train --seed S …`, the built
// CLI, one DIGIT_LAB_HOME), chooses the one with the best accuracy on its held-out validation split (the recipe must
// hold one out: --validation-size > 0), and publishes only the chosen run's test accuracy: the engine scores every
// saved run on the test set (meta.json), but this script never reads the others' score, so the published figure is
// not a maximum over test scores. The chosen model's folder is copied to --out with a `selection` record added to its
// meta.json (recipe, candidates and their validation accuracy, the rule, the reproduction tolerance): how it was made.
//   npx tsx bench/select-model.ts --candidates 3 [--seed 1] [--name NAME] --out DIR [-- train options [--then options]]
// A recipe of two stages (`--then`: a fine-tune of the first stage's model, e.g. the shipped default's) runs both for
// each candidate with the same --seed, hence the same validation split: the second stage's validation images were
// never trained on in the first. `--name` is the published model's name (meta.json's `name`).
// Reproducing it: `digit-lab train --seed <chosen seed> <options>` (the `command` in meta.json's `selection`). Weight
// initialisation is not seeded, so a rerun lands within the stated tolerance of the test accuracy, not on it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dashes = args.indexOf('--');
const recipe = dashes >= 0 ? args.slice(dashes + 1) : [];
const then = recipe.indexOf('--then');
const options = then >= 0 ? recipe.slice(0, then) : recipe;
const stage2 = then >= 0 ? recipe.slice(then + 1) : undefined;
const own = dashes >= 0 ? args.slice(0, dashes) : args;
const value = (name: string) => (own.includes(name) ? own[own.indexOf(name) + 1] : undefined);
const candidates = Number(value('--candidates') ?? 3);
const firstSeed = Number(value('--seed') ?? 1);
const out = value('--out');
const publishedName = value('--name');
/** Test accuracy of a rerun of the chosen command, in points, at most this far from the published one. */
const TOLERANCE_POINTS = 0.2;
if (!out) throw new Error('--out DIR: where the chosen model goes');
for (const stage of [options, stage2 ?? []]) {
  if (stage.includes('--validation-size') && Number(stage[stage.indexOf('--validation-size') + 1]) === 0) {
    throw new Error('the recipe must hold out a validation split: selection reads only validation accuracy');
  }
  if (stage.includes('--seed') || stage.includes('--name')) throw new Error('the recipe must not set --seed or --name: each candidate gets its own');
}
if (stage2?.includes('--from')) throw new Error('--then: the second stage starts from the first stage\'s model; leave --from out');

const home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-select-'));
const cli = path.join(root, 'bin/digit-lab.js');
const modelDir = (name: string) => {
  const dir = path.join(home, 'models', name);
  return path.join(dir, readFileSync(path.join(dir, 'current'), 'utf8').trim());
};
const runs: { seed: number; name: string; valAccuracy: number }[] = [];
try {
  /** `digit-lab train` with these options, its output hidden: the CLI prints the run's test accuracy, which selection must not see. */
  const train = (name: string, trainOptions: string[]) => {
    const run = spawnSync(process.execPath, [cli, 'train', '--name', name, ...trainOptions], {
      env: { ...process.env, DIGIT_LAB_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`${name}: digit-lab train failed: ${run.stderr.split('\n').filter((l) => /error|Error/.test(l)).join(' | ')}`);
  };
  /** The one command (or two, joined by &&) that makes a candidate; `stage1` names the first stage's model. */
  const commands = (seed: number, stage1: string) => [
    ['digit-lab train', '--seed', String(seed), ...(stage2 ? ['--name', stage1] : []), ...options],
    ...(stage2 ? [['digit-lab train', '--seed', String(seed), '--from', stage1, ...stage2]] : []),
  ].map((c) => c.join(' ')).join(' && ');
  for (let i = 0; i < candidates; i++) {
    const seed = firstSeed + i;
    const name = `candidate-${seed}`;
    if (stage2) {
      train(`${name}-stage1`, ['--seed', String(seed), ...options]);
      train(name, ['--seed', String(seed), '--from', `${name}-stage1`, ...stage2]);
    } else {
      train(name, ['--seed', String(seed), ...options]);
    }
    const meta = JSON.parse(readFileSync(path.join(modelDir(name), 'meta.json'), 'utf8')) as { history: { valAccuracy: number | null }[] };
    const valAccuracy = meta.history.at(-1)?.valAccuracy ?? NaN; // validation only: the test score is not read here
    if (!Number.isFinite(valAccuracy)) throw new Error(`${name}: no validation accuracy (hold out a validation split)`);
    runs.push({ seed, name, valAccuracy });
    console.error(`candidate seed ${seed}: validation ${(valAccuracy * 100).toFixed(2)}%`);
  }
  const chosen = runs.reduce((a, b) => (b.valAccuracy > a.valAccuracy ? b : a));
  const dir = modelDir(chosen.name);
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Record<string, unknown> & { testAccuracy: number };
  meta.selection = {
    recipe: commands(NaN, 'STAGE1').replace(/--seed NaN /g, ''),
    command: commands(chosen.seed, `${publishedName ?? 'stage1'}-stage1`),
    candidates: runs.map(({ seed, valAccuracy }) => ({ seed, valAccuracy })),
    rule: 'best validation accuracy after the last epoch; the test set scored once, for the chosen run',
    reproduceWithinPoints: TOLERANCE_POINTS,
  };
  if (publishedName) meta.name = publishedName;
  cpSync(dir, out, { recursive: true });
  writeFileSync(path.join(out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `chosen: seed ${chosen.seed} (validation ${(chosen.valAccuracy * 100).toFixed(2)}% of ${runs.length} candidates); ` +
      `test accuracy ${(meta.testAccuracy * 100).toFixed(2)}% (the one test-set figure published); written to ${out}`,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
