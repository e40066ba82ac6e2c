// .github/workflows/release.yml parses, and names only npm scripts, files and environment variables that exist
// and are read where it says; .ci/run runs the README's set-up commands verbatim. The workflow's steps are not
// restated here: what they do is checked where it can be run (npm test, the Electron e2e test, installer-build).
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKFLOW = path.join(ROOT, '.github', 'workflows', 'release.yml');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  strategy?: { matrix: { include: Record<string, string>[] } };
  steps: Step[];
}
interface Workflow {
  on: { push?: { tags?: string[] } };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const wf = parse(fs.readFileSync(WORKFLOW, 'utf8')) as Workflow;
const build = wf.jobs.installers;
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? s.run.split('\n').map((l) => l.trim()).filter(Boolean) : []));
const allRuns = Object.values(wf.jobs).flatMap(runs);

describe('release workflow', () => {
  it('.ci/run runs the README’s two set-up commands verbatim, with nothing exported before them', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const setup = /## Set-up[^\n]*\n+```sh\n([\s\S]*?)```/.exec(readme)![1];
    const commands = setup.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    expect(commands).toEqual(['npm install && npx digit-lab train', 'npm test']);
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim());
    // The test command's output is also copied to a log (`2>&1 | tee "$log"`) for the tally line; the command is the same.
    const npmLines = ci.filter((l) => l.startsWith('npm ')).map((l) => l.replace(/\s+2>&1 \| tee "\$log"$/, ''));
    expect(npmLines).toEqual(commands);
    const before = ci.slice(0, ci.indexOf(commands[0]));
    expect(before.filter((l) => /^export\s|^[A-Z_]+=\S*\s+npm\b/.test(l))).toEqual([]);
    expect(ci.join('\n')).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
  });

  it('sets only variables the tests read, and runs the packaged-app test the way that test finds the app', () => {
    const reads = (file: string, variable: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').includes(`process.env.${variable}`);
    expect(Object.keys(build.env ?? {})).toContain('CHROMIUM_PATH');
    expect(reads('tests/helpers/browser.ts', 'CHROMIUM_PATH')).toBe(true);
    const packaged = allRuns.find((l) => l.includes('DIGIT_LAB_ELECTRON_APP='));
    const test = /npx vitest run (\S+\.test\.ts)/.exec(packaged ?? '')?.[1];
    expect(test, 'a step runs a test with DIGIT_LAB_ELECTRON_APP set').toBeTruthy();
    expect(reads(test!, 'DIGIT_LAB_ELECTRON_APP')).toBe(true);
    // npm ci must download Electron for the e2e steps: nothing may turn the download off
    const envs = [wf.env, build.env, ...build.steps.map((s) => s.env)].filter(Boolean) as Record<string, string>[];
    for (const env of envs) expect(Object.keys(env)).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    for (const line of allRuns) expect(line).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
  });

  it('calls only npm scripts and files that exist', () => {
    const named = allRuns.flatMap((l) => [...l.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(0);
    for (const s of named) expect(scripts, `npm run ${s}`).toHaveProperty([s]);
    const files = allRuns.flatMap((l) => [...l.matchAll(/npx (?:tsx|vitest run) (\S+\.ts)/g)].map((m) => m[1]));
    expect(files).toContain('scripts/dist-gpu.ts');
    for (const f of files) expect(fs.existsSync(path.join(ROOT, f)), f).toBe(true);
    // the installer-building scripts in package.json exist too
    for (const s of ['build:electron', 'build:icons', 'dist', 'dist:gpu', 'scan:security']) expect(scripts).toHaveProperty([s]);
    expect(scripts.dist).toMatch(/electron-builder --publish never$/);
  });
});
