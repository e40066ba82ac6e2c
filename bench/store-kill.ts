// `npm run bench:store-kill`: kill -9 a real `digit-lab train --name victim` that overwrites an existing `victim`
// at 50 random moments (uniform over one run's duration), and after each kill open the store in a fresh process:
// is `victim` there and loadable, and is it the old copy or a new one? Prints the counts and the load average.
// Build first (npm run build:node); run it under `flock /tmp/digit-lab-timing.lock` on a shared machine.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const KILLS = Number(process.env.KILLS ?? 50);
const BIN = path.resolve('bin/digit-lab.js');
const CHILD = path.resolve('tests/helpers/store-child.mjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-kill-'));
const env = { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_MODELS: path.join(home, 'none'), NO_COLOR: '1' };
const TRAIN = [BIN, 'train', '--name', 'victim', '--train-size', '500', '--epochs', '1', '--preset', 'mlp'];

interface Inspected {
  models: Record<string, { files: Record<string, string>; loads: boolean; leaked: number }>;
}

/** The store as a fresh process opens it (the same child the crash tests use). */
function inspect(): Inspected {
  const out = execFileSync(process.execPath, [CHILD, 'inspect', home, 'load'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7)) as Inspected;
}

function train(killAfterMs: number | null): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, TRAIN, { env, stdio: 'ignore' });
    const timer = killAfterMs === null ? null : setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`train exited with ${code}`));
      else resolve(performance.now() - t0);
    });
  });
}

async function main(): Promise<void> {
  const runMs = await train(null);
  console.log(`one full run: ${(runMs / 1000).toFixed(1)} s; killing ${KILLS} runs at uniform random moments in [0, ${(runMs / 1000).toFixed(1)} s]`);
  let loadable = 0;
  let replaced = 0;
  let finished = 0;
  for (let i = 0; i < KILLS; i++) {
    const before = JSON.stringify(inspect().models.victim?.files);
    const at = Math.random() * runMs;
    const took = await train(at);
    if (took < at) finished++;
    const victim = inspect().models.victim;
    const ok = !!victim && victim.loads && victim.leaked === 0;
    if (ok) loadable++;
    if (ok && JSON.stringify(victim.files) !== before) replaced++;
    console.log(`kill ${i + 1} at ${(at / 1000).toFixed(2)} s: ${ok ? 'loadable' : 'LOST'}, ${JSON.stringify(victim?.files) === before ? 'old copy' : 'new copy'}`);
  }
  console.log(
    `${KILLS} kill -9s during overwriting saves: ${loadable} loadable, ${KILLS - loadable} lost ` +
      `(${replaced} already held a new checkpoint, ${finished} runs finished before their kill); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  fs.rmSync(home, { recursive: true, force: true });
  if (loadable !== KILLS) process.exitCode = 1;
}

await main();
