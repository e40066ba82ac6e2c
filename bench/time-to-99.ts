// Time to 99%: runs the README's `digit-lab train` (the built CLI, its defaults) N times with different seeds, each in
// a fresh DIGIT_LAB_HOME, and prints a markdown table: seed, load average, wall time from the command's start to the
// saved model, validation accuracy after the last epoch, test accuracy, peak memory; then the minimum accuracy and the slowest time.
// With --doc, the table also replaces the `time-to-99-runs` section of docs/benchmarks.md.
//   npm run bench:time99 -- --runs 5 [--seed 1] [--doc] [-- extra train options]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDocSection } from './doc-section.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dashes = args.indexOf('--');
const extra = dashes >= 0 ? args.slice(dashes + 1) : [];
const own = dashes >= 0 ? args.slice(0, dashes) : args;
const opt = (name: string, fallback: number) => {
  const i = own.indexOf(name);
  const n = i >= 0 ? Number(own[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number, got ${own[i + 1]}`);
  return n;
};
const runs = opt('--runs', 5);
const firstSeed = opt('--seed', 1);

interface Run {
  seed: number;
  loadStart: number;
  loadEnd: number;
  wallSec: number;
  valAccuracy: number;
  accuracy: number;
  peakMb: number;
}

function trainOnce(seed: number): Promise<Run> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-time99-'));
  const loadStart = os.loadavg()[0];
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin/digit-lab.js'), 'train', '--seed', String(seed), ...extra], {
    cwd: root,
    env: { ...process.env, DIGIT_LAB_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let savedAt = NaN;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (Number.isNaN(savedAt) && out.includes('saved model:')) savedAt = performance.now();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      rmSync(home, { recursive: true, force: true });
      const accuracy = Number(/^Test accuracy: ([\d.]+)/m.exec(out)?.[1]);
      const peakMb = Number(/peak memory (\d+) MB/.exec(out)?.[1]);
      const valAccuracy = Number([...err.matchAll(/val_acc: ([\d.]+)/g)].at(-1)?.[1]);
      if (code !== 0 || Number.isNaN(accuracy) || Number.isNaN(savedAt)) {
        reject(new Error(`seed ${seed}: digit-lab train exited with ${code}\n${err.slice(-2000)}${out}`));
        return;
      }
      resolve({ seed, loadStart, loadEnd: os.loadavg()[0], wallSec: (savedAt - t0) / 1000, valAccuracy, accuracy, peakMb });
    });
  });
}

const pct = (v: number) => (Number.isNaN(v) ? '–' : `${(v * 100).toFixed(2)}%`);
const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const r = await trainOnce(firstSeed + i);
  results.push(r);
  process.stderr.write(`seed ${r.seed}: ${r.wallSec.toFixed(1)} s, ${(r.accuracy * 100).toFixed(2)}%\n`);
}
const command = ['digit-lab train', ...extra].join(' ');
const minAcc = Math.min(...results.map((r) => r.accuracy));
const slowest = Math.max(...results.map((r) => r.wallSec));
const lines = [
  '## Time to 99%: runs of the README\'s command (`npm run bench:time99 -- --runs 5 --doc`)',
  '',
  `\`${command} --seed N\` on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ` +
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; wall time from the command's start to the line saying the model is saved.`,
  '',
  '| seed | load avg (start → end) | wall time to saved model | validation accuracy | test accuracy | peak RSS |',
  '|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.seed} | ${r.loadStart.toFixed(1)} → ${r.loadEnd.toFixed(1)} | ${r.wallSec.toFixed(1)} s | ${pct(r.valAccuracy)} | ${pct(r.accuracy)} | ${r.peakMb} MB |`),
  '',
  `Minimum test accuracy: **${pct(minAcc)}**; slowest: **${slowest.toFixed(1)} s**; peak RSS up to ${Math.max(...results.map((r) => r.peakMb))} MB.`,
];
console.log(lines.join('\n'));
if (own.includes('--doc')) process.stderr.write(`written to ${writeDocSection('time-to-99-runs', lines)}\n`);
