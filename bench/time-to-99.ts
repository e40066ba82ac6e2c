// Time to 99%: runs the README's `digit-lab train` (the built CLI, its defaults) N times with different seeds, each in
// a fresh DIGIT_LAB_HOME, and prints a markdown table: seed, load average, wall time from the command's start to the
// saved model, validation accuracy after the last epoch, test accuracy, peak memory; then the minimum accuracy and the
// slowest time. With --peer torch, each seed also runs the PyTorch peer with the same recipe on the same split and
// batch order (bench/torch_peer.py time99: `fast` without dropout, 2 epochs of 256, Adam β 0.7 / 0.9, one-cycle to
// 0.01), the two alternating run by run, and a second table gives its figures.
// With --doc, the tables also replace the `time-to-99-runs` section of docs/benchmarks.md (or --section NAME's).
//   npm run bench:time99 -- --runs 5 [--seed 1] [--peer torch] [--doc [--section NAME]] [-- extra train options (not with --peer)]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDocSection } from './doc-section.js';
import { MNIST_DIR, PYTHON, torchMissing } from './peer.js';

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
if (runs < 1) throw new Error('--runs: at least 1');
const section = own.includes('--section') ? own[own.indexOf('--section') + 1] : 'time-to-99-runs';
const firstSeed = opt('--seed', 1);
const peer = own.includes('--peer') ? own[own.indexOf('--peer') + 1] : null;
if (peer !== null && peer !== 'torch') throw new Error(`--peer: expected torch, got ${peer}`);
if (peer && extra.length) throw new Error('--peer torch runs the default recipe only: no extra train options');
const noTorch = peer ? torchMissing() : null;
if (noTorch) console.error(noTorch);

interface Run {
  seed: number;
  loadStart: number;
  loadEnd: number;
  wallSec: number;
  valAccuracy: number;
  accuracy: number;
  peakMb: number;
}

/** Runs one command; `savedAt` is when its stdout first says "saved model:"; `parse` reads the figures. */
function timed(seed: number, cmd: string, argv: string[], env: Record<string, string>, parse: (out: string, err: string) => Omit<Run, 'seed' | 'loadStart' | 'loadEnd' | 'wallSec'>): Promise<Run> {
  const loadStart = os.loadavg()[0];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
      const figures = parse(out, err);
      if (code !== 0 || Number.isNaN(figures.accuracy) || Number.isNaN(savedAt)) {
        reject(new Error(`seed ${seed}: ${path.basename(argv[0])} exited with ${code}\n${err.slice(-2000)}${out}`));
        return;
      }
      resolve({ seed, loadStart, loadEnd: os.loadavg()[0], wallSec: (savedAt - t0) / 1000, ...figures });
    });
  });
}

async function trainOnce(seed: number): Promise<Run> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-time99-'));
  try {
    return await timed(seed, process.execPath, [path.join(root, 'bin/digit-lab.js'), 'train', '--seed', String(seed), ...extra], { DIGIT_LAB_HOME: home }, (out, err) => ({
      accuracy: Number(/^Test accuracy: ([\d.]+)/m.exec(out)?.[1]),
      peakMb: Number(/peak memory (\d+) MB/.exec(out)?.[1]),
      valAccuracy: Number([...err.matchAll(/val_acc: ([\d.]+)/g)].at(-1)?.[1]),
    }));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function torchOnce(seed: number): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-time99-torch-'));
  try {
    return await timed(seed, PYTHON, [path.join(root, 'bench/torch_peer.py'), 'time99', MNIST_DIR, String(seed), dir], {}, (out) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      const r = line ? (JSON.parse(line.slice(7)) as { accuracy: number; valAccuracy: number; peakMb: number }) : null;
      return { accuracy: r?.accuracy ?? NaN, valAccuracy: r?.valAccuracy ?? NaN, peakMb: r?.peakMb ?? NaN };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = new Date();
const results: Run[] = [];
const peerResults: Run[] = [];
for (let i = 0; i < runs; i++) {
  const seed = firstSeed + i;
  // With the peer, who goes first alternates from seed to seed.
  const order = peer && !noTorch ? (i % 2 === 0 ? ['ours', 'torch'] : ['torch', 'ours']) : ['ours'];
  for (const who of order) {
    const r = who === 'ours' ? await trainOnce(seed) : await torchOnce(seed);
    (who === 'ours' ? results : peerResults).push(r);
    process.stderr.write(`${who} seed ${r.seed}: ${r.wallSec.toFixed(1)} s, ${(r.accuracy * 100).toFixed(2)}%, load ${r.loadStart.toFixed(1)} → ${r.loadEnd.toFixed(1)}\n`);
  }
}
const pct = (v: number) => (Number.isNaN(v) ? '–' : `${(v * 100).toFixed(2)}%`);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const command = ['digit-lab train', ...extra].join(' ');
const HEADER = [
  '| seed | load avg (start → end) | wall time to saved model | validation accuracy | test accuracy | peak RSS |',
  '|---:|---:|---:|---:|---:|---:|',
];
const row = (r: Run) => `| ${r.seed} | ${r.loadStart.toFixed(1)} → ${r.loadEnd.toFixed(1)} | ${r.wallSec.toFixed(1)} s | ${pct(r.valAccuracy)} | ${pct(r.accuracy)} | ${r.peakMb} MB |`;
const summary = (rs: Run[]) =>
  `Minimum test accuracy: **${pct(Math.min(...rs.map((r) => r.accuracy)))}**; wall time median **${median(rs.map((r) => r.wallSec)).toFixed(1)} s**, ` +
  `slowest **${Math.max(...rs.map((r) => r.wallSec)).toFixed(1)} s**; peak RSS up to ${Math.max(...rs.map((r) => r.peakMb))} MB.`;
const lines = [
  `## Time to 99%: runs of the README's command (\`npm run bench:time99 -- --runs ${runs}${peer ? ` --peer ${peer}` : ''} --doc\`)`,
  '',
  `\`${command} --seed N\` for N = ${firstSeed}…${firstSeed + runs - 1} on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ` +
    `started ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; wall time from the command's start to the line saying the model is saved ` +
    '(loading MNIST, starting the backend, training, validation after each epoch, the test set once, the save). The load ' +
    'average is the machine\'s (other work included) at each run\'s start and end.',
  '',
  ...HEADER,
  ...results.map(row),
  '',
  summary(results),
  ...(peerResults.length
    ? [
        '',
        `PyTorch peer, the same recipe (\`bench/torch_peer.py time99\`, ${PYTHON}): \`fast\` without dropout, 2 epochs of batch 256, ` +
          'Adam β 0.7 / 0.9 (ε 1e-7), one-cycle to 0.01, Keras\' initialisation, on the same split (5 000 held out) and batch order ' +
          '(Digit Lab\'s seeded shuffles, ported); no augmentation, as ours. Each seed ran beside ours, the two alternating who goes ' +
          'first; wall time again from the command\'s start (Python and PyTorch loading included) to the saved `model.pt`.',
        '',
        ...HEADER,
        ...peerResults.map(row),
        '',
        summary(peerResults),
      ]
    : peer ? ['', `(${noTorch})`] : []),
];
console.log(lines.join('\n'));
if (own.includes('--doc')) process.stderr.write(`written to ${writeDocSection(section, lines)}\n`);
