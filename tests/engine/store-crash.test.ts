// Fault injection on the model store: a real child process (tests/helpers/store-child.mjs, running the built
// store) is SIGKILLed after each step of a save, rename and delete, and at random moments; then a fresh process
// opens the store: the model is there at once, byte for byte the old or the new copy, with nothing left over.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src-main/engine/models.js';
import { serializeModel } from '../../src-main/engine/model-io.js';
import { ModelStore } from '../../src-main/engine/store.js';
import { ensureNodeBuild } from '../helpers/build.js';

ensureNodeBuild(); // the child runs the built store: rebuilt when missing or stale, a failed build fails the file

const CHILD = path.resolve('tests/helpers/store-child.mjs');
const BIN = path.resolve('bin/digit-lab.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-crash-'));
const run = promisify(execFile);

interface Report {
  steps: string[];
  models?: Record<string, { error: string | null; files: Record<string, string>; loads?: boolean; leaked?: number }>;
  entries?: string[];
  inside?: Record<string, string[]>;
}

/** Run the child; `crash` = step after which it SIGKILLs itself. Returns its report (null if it was killed). */
async function child(args: string[], env: Record<string, string> = {}): Promise<{ signal: string | null; report: Report | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 && signal === null) return reject(new Error(`child ${args[0]} failed (${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
      resolve({ signal, report: line ? (JSON.parse(line.slice(7)) as Report) : null });
    });
  });
}

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const hashes = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, sha(fs.readFileSync(path.join(dir, f)))]));

/** A folder of model-shaped files with random content (the store treats them as opaque bytes). */
function payload(name: string, size: number): string {
  const dir = path.join(root, `payload-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ payload: name, nonce: randomBytes(8).toString('hex') }));
  fs.writeFileSync(path.join(dir, 'weights.bin'), randomBytes(size));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ name, createdAt: new Date().toISOString() }));
  return dir;
}

let n = 0;
const freshHome = () => fs.mkdtempSync(path.join(root, `home-${n++}-`));

/** The store as a fresh process sees it; asserts it is clean: one folder per model, holding its pointer and one
 *  version (or, for a model not saved since, the old layout's files and nothing else). */
async function inspect(home: string, load = false): Promise<Report> {
  const { report } = await child(['inspect', home, ...(load ? ['load'] : [])]);
  for (const [name, files] of Object.entries(report!.inside!)) {
    // Besides the version `current` names, only versions saved by a live process (this one, in set-up) may stay.
    const versions = files.filter((f) => /^v-\d+-[0-9a-f]{8}$/.test(f));
    const foreign = versions.filter((v) => !v.startsWith(`v-${process.pid}-`));
    const current = files[0] === 'current' && files.length === versions.length + 1 && versions.length >= 1 && foreign.length <= 1;
    const old = files.every((f) => ['meta.json', 'model.json', 'weights.bin'].includes(f));
    expect(current || old, `${name}: ${files}`).toBe(true);
  }
  return report!;
}

/** Save `dir`'s files as model `name` in this process (set-up only: the same store code the child runs). */
function save(home: string, name: string, dir: string): void {
  new ModelStore(home, null).writeFiles(name, fs.readdirSync(dir).map((f) => ({ path: f, data: fs.readFileSync(path.join(dir, f)) })));
}

/** Put `dir`'s files in place as an old-layout model folder (model.json directly inside, as earlier versions saved). */
function oldLayout(home: string, name: string, dir: string): void {
  fs.mkdirSync(path.join(home, 'models'), { recursive: true });
  fs.cpSync(dir, path.join(home, 'models', name), { recursive: true });
}

let A: string;
let B: string;
let saveSteps: string[];
beforeAll(async () => {
  A = payload('A', 64 * 1024);
  B = payload('B', 96 * 1024);
  const home = freshHome();
  saveSteps = (await child(['save-files', home, 'victim', A])).report!.steps;
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('store under SIGKILL', () => {
  it('a save has the expected steps: version written and flushed before one pointer rename', () => {
    expect(saveSteps).toEqual([
      'version folder made', 'wrote model.json', 'wrote weights.bin', 'wrote meta.json', 'version flushed',
      'pointer temp file written', 'pointer renamed', 'pointer flushed', 'previous version removed',
    ]);
  });

  for (const layout of ['new', 'old', 'none'] as const) {
    it(`a save over ${layout === 'none' ? 'no model' : `a ${layout}-layout model`} killed after each step leaves the old or the new copy`, async () => {
      const renamedAt = saveSteps.indexOf('pointer renamed') + 1;
      for (let k = 1; k <= saveSteps.length; k++) {
        const home = freshHome();
        if (layout === 'new') save(home, 'victim', A);
        if (layout === 'old') oldLayout(home, 'victim', A);
        const { signal } = await child(['save-files', home, 'victim', B], { DIGIT_LAB_CRASH_STEP: String(k) });
        expect(signal).toBe('SIGKILL');
        const report = await inspect(home);
        const victim = report.models!.victim;
        if (k >= renamedAt) expect(victim?.files, `killed after '${saveSteps[k - 1]}'`).toEqual(hashes(B));
        else if (layout === 'none') expect(report.entries, `killed after '${saveSteps[k - 1]}'`).toEqual([]);
        else expect(victim?.files, `killed after '${saveSteps[k - 1]}'`).toEqual(hashes(A));
      }
    });
  }

  it('saves killed at 20 random moments, each proven to land inside a save, leave the copy the log says', async () => {
    const home = freshHome();
    save(home, 'victim', A);
    const copies = [JSON.stringify(hashes(A)), JSON.stringify(hashes(B))]; // save k writes copies[k % 2]
    let before = copies[0]; // the model when a child starts: set-up's, then what the last kill left
    const renamed = saveSteps.indexOf('pointer renamed');
    const landings = new Set<string>();
    for (let i = 0; i < 20; i++) {
      // The child logs each step of each save as it ends; the kill comes only once its first save has begun, after a
      // random delay, so it lands inside the loop, which does nothing but save; the log's last line says where.
      const log = path.join(root, `steps-${i}.log`);
      const p = spawn(process.execPath, [CHILD, 'loop-save', home, 'victim', A, B], {
        env: { ...process.env, DIGIT_LAB_STEP_LOG: log }, stdio: 'ignore',
      });
      let exited = false;
      p.on('close', () => (exited = true));
      while (!exited && !(fs.existsSync(log) && fs.statSync(log).size > 0)) await new Promise((r) => setTimeout(r, 1));
      expect(exited, 'the child exited before its first save').toBe(false);
      await new Promise((r) => setTimeout(r, Math.random() * 30));
      p.kill('SIGKILL');
      await new Promise((r) => (exited ? r(null) : p.on('close', r)));
      const last = fs.readFileSync(log, 'utf8').trimEnd().split('\n').at(-1)!;
      const [, save, label] = /^(\d+) (.+)$/.exec(last)!;
      const k = Number(save);
      const at = saveSteps.indexOf(label);
      expect(at, last).toBeGreaterThanOrEqual(0);
      landings.add(label);
      const files = JSON.stringify((await inspect(home)).models!.victim.files);
      // After save k's pointer rename the model is save k's copy; before it, the copy before (save k - 1's, or for
      // the first save the one the child started with). Killed right after the temp pointer was written, the rename
      // may have happened without its log line: either.
      const previous = k === 0 ? before : copies[(k - 1) % 2];
      if (at >= renamed) expect(files, `killed after save ${k}'s '${label}'`).toBe(copies[k % 2]);
      else if (at === renamed - 1) expect([previous, copies[k % 2]], `killed after save ${k}'s '${label}'`).toContain(files);
      else expect(files, `killed after save ${k}'s '${label}'`).toBe(previous);
      before = files;
    }
    console.log(`random kills landed after: ${[...landings].join(', ')}`);
    expect(landings.size, 'the kills all landed at the same step').toBeGreaterThanOrEqual(3);
  });

  it('real tfjs models: a save killed around its pointer rename loads as the old or the new model, leaking nothing', async () => {
    const home = freshHome();
    const oldFiles = path.join(root, 'real-old');
    await child(['save-model', home, 'victim', oldFiles]);
    for (const label of ['wrote weights.bin', 'pointer temp file written', 'pointer renamed', 'previous version removed']) {
      const newFiles = path.join(root, `real-${label.replace(/\W/g, '')}`);
      const { signal } = await child(['save-model', home, 'victim', newFiles], { DIGIT_LAB_CRASH_STEP: String(saveSteps.indexOf(label) + 1) });
      expect(signal).toBe('SIGKILL');
      const victim = (await inspect(home, true)).models!.victim;
      expect(victim.loads).toBe(true);
      expect(victim.leaked).toBe(0);
      const expected = saveSteps.indexOf(label) >= saveSteps.indexOf('pointer renamed') ? newFiles : oldFiles;
      expect(victim.files, label).toEqual(hashes(expected));
      if (expected === newFiles) fs.cpSync(newFiles, oldFiles, { recursive: true });
    }
  });

  it('a rename killed before or after its one folder rename leaves the model under exactly one name', async () => {
    for (let k = 1; k <= 3; k++) {
      const home = freshHome();
      save(home, 'keep', A);
      const { signal } = await child(['rename', home, 'keep', 'exp'], { DIGIT_LAB_CRASH_STEP: String(k) });
      expect(signal).toBe('SIGKILL');
      const report = await inspect(home);
      expect(Object.keys(report.models!)).toEqual([k === 1 ? 'keep' : 'exp']);
      expect(Object.values(report.models!)[0].files).toEqual(hashes(A));
    }
  });

  it('a delete killed before or after moving the model to the trash leaves it whole or gone, never half', async () => {
    for (let k = 1; k <= 3; k++) {
      const home = freshHome();
      save(home, 'victim', A);
      const { signal } = await child(['delete', home, 'victim'], { DIGIT_LAB_CRASH_STEP: String(k) });
      expect(signal).toBe('SIGKILL');
      const report = await inspect(home);
      if (k === 1) expect(report.models!.victim.files).toEqual(hashes(A));
      else expect(report.entries).toEqual([]);
    }
  });

  it("a save in progress in one process is left alone when another process opens the store", async () => {
    const home = freshHome();
    save(home, 'victim', A);
    const paused = spawn(process.execPath, [CHILD, 'save-files', home, 'victim', B], {
      env: { ...process.env, DIGIT_LAB_PAUSE_STEP: String(saveSteps.indexOf('version flushed') + 1), DIGIT_LAB_PAUSE_MS: '4000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve) => paused.stdout.on('data', (d) => (out += d) && out.includes('PAUSED') && resolve()));
    const during = await child(['inspect', home]);
    expect(during.report!.models!.victim.files).toEqual(hashes(A)); // the old copy, still
    expect(during.report!.inside!.victim.filter((e) => e.startsWith('v-'))).toHaveLength(2); // the new one kept
    const code = await new Promise((r) => paused.on('close', r));
    expect(code).toBe(0);
    expect((await inspect(home)).models!.victim.files).toEqual(hashes(B));
  });
});

describe('stores left by the previous format', () => {
  async function cli(home: string, ...args: string[]) {
    return run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_MODELS: path.join(home, 'none'), NO_COLOR: '1', DIGIT_LAB_BACKEND: 'js' },
    });
  }

  it("the issue's reproduction: a swap killed between its renames, 2 minutes ago: 'evaluate victim' works at once", async () => {
    await tf.setBackend('cpu');
    const model = buildModel('mlp', 'adam', 0.001);
    const { modelJson, weights } = await serializeModel(model);
    model.dispose();
    const home = freshHome();
    const models = path.join(home, 'models');
    fs.mkdirSync(path.join(models, 'victim'), { recursive: true });
    fs.writeFileSync(path.join(models, 'victim', 'model.json'), modelJson);
    fs.writeFileSync(path.join(models, 'victim', 'weights.bin'), weights);
    const before = hashes(path.join(models, 'victim'));
    // mv victim .victim.old-aaaaaaaa; cp -a it to .victim.tmp-bbbbbbbb; touch .complete; touch -d '2 minutes ago'
    fs.renameSync(path.join(models, 'victim'), path.join(models, '.victim.old-aaaaaaaa'));
    fs.cpSync(path.join(models, '.victim.old-aaaaaaaa'), path.join(models, '.victim.tmp-bbbbbbbb'), { recursive: true });
    fs.writeFileSync(path.join(models, '.victim.tmp-bbbbbbbb', '.complete'), '');
    const past = new Date(Date.now() - 120_000);
    for (const e of fs.readdirSync(models)) fs.utimesSync(path.join(models, e), past, past);

    const { stdout } = await cli(home, 'evaluate', 'victim');
    expect(stdout).toMatch(/accuracy/i);
    expect(fs.readdirSync(models)).toEqual(['victim']);
    expect(hashes(path.join(models, 'victim'))).toEqual(before); // no stray .complete
    const again = await cli(home, 'models'); // and the next open is clean too
    expect(again.stdout).toContain('victim');
  });

  it('recovers the old copy when the new one was not complete, and removes an old-format delete', async () => {
    const home = freshHome();
    const models = path.join(home, 'models');
    oldLayout(home, '.victim.old-aaaaaaaa', A);
    oldLayout(home, '.victim.tmp-bbbbbbbb', B); // no .complete: the new copy was still being written
    oldLayout(home, '.gone.trash-cccccccc', A);
    const report = await inspect(home);
    expect(report.models!.victim.files).toEqual(hashes(A));
    expect(fs.readdirSync(models)).toEqual(['victim']);
  });
});
