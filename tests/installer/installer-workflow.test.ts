// .github/workflows/release.yml: parses, runs on v* tags over Linux/Windows/macOS, installs (downloading
// Electron) and runs the README's test command, runs the Electron e2e test under xvfb before building,
// builds with electron-builder --publish never, runs the e2e test again on the AppImage, uploads, releases;
// every script and file it names exists.
// .ci/run runs the README's set-up commands verbatim.
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
const release = wf.jobs.release;
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? s.run.split('\n').map((l) => l.trim()).filter(Boolean) : []));
const stepIndex = (job: Job, pred: (s: Step) => boolean) => job.steps.findIndex(pred);
const allRuns = Object.values(wf.jobs).flatMap(runs);

describe('release workflow', () => {
  it('runs on v* tags, over Ubuntu, Windows and macOS runners', () => {
    expect(wf.on.push?.tags).toEqual(['v*']);
    const include = build.strategy!.matrix.include;
    expect(include.map((m) => m.os.split('-')[0]).sort()).toEqual(['macos', 'ubuntu', 'windows']);
    expect(build['runs-on']).toBe('${{ matrix.os }}');
    const builderFlag: Record<string, string> = { ubuntu: '--linux', windows: '--win', macos: '--mac' };
    for (const m of include) expect(m.builder).toBe(builderFlag[m.os.split('-')[0]]);
  });

  it('sets up Node with the npm cache, installs from the lockfile and runs the README’s test command', () => {
    const setup = build.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with).toMatchObject({ cache: 'npm' });
    expect(Number(setup?.with?.['node-version'])).toBeGreaterThanOrEqual(20);
    expect(build.steps[0].uses).toMatch(/^actions\/checkout@v\d+$/);
    expect(runs(build)).toContain('npm ci --no-audit --no-fund');
    expect(runs(build)).toContain('npm test');
  });

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

  it('lets npm ci download Electron: ELECTRON_SKIP_BINARY_DOWNLOAD is set nowhere', () => {
    const envs = [wf.env, build.env, ...build.steps.map((s) => s.env)].filter(Boolean) as Record<string, string>[];
    for (const env of envs) expect(Object.keys(env)).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    for (const line of allRuns) expect(line).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
  });

  it('tests, then runs the Electron e2e test under xvfb on Linux, then builds with --publish never', () => {
    const unit = stepIndex(build, (s) => s.run === 'npm test');
    const e2e = stepIndex(build, (s) => !!s.run?.includes('xvfb-run -a'));
    const builder = stepIndex(build, (s) => /(^|\s)npx electron-builder \$\{\{ matrix\.builder \}\} --publish never$/.test(s.run ?? ''));
    expect(unit).toBeGreaterThan(0);
    expect(e2e).toBeGreaterThan(unit);
    expect(builder).toBeGreaterThan(e2e);
    expect(build.steps[e2e].if).toBe("runner.os == 'Linux'");
    const e2eTest = /xvfb-run -a npx vitest run (\S+)/.exec(build.steps[e2e].run!)![1];
    expect(fs.existsSync(path.join(ROOT, e2eTest))).toBe(true);
    // electron-vite output and icons exist before electron-builder packs them
    const prep = stepIndex(build, (s) => !!s.run?.includes('npm run build:electron'));
    expect(prep).toBeGreaterThan(e2e);
    expect(prep).toBeLessThan(builder);
    expect(build.steps[prep].run).toContain('npm run build:icons');
  });

  it('runs the Electron e2e test again on the packaged AppImage, after electron-builder and before the GPU edition', () => {
    const builder = stepIndex(build, (s) => /npx electron-builder \$\{\{ matrix\.builder \}\} --publish never$/.test(s.run ?? ''));
    const packaged = stepIndex(build, (s) => !!s.run?.includes('DIGIT_LAB_ELECTRON_APP='));
    const gpu = stepIndex(build, (s) => !!s.run?.includes('scripts/dist-gpu.ts'));
    expect(packaged).toBeGreaterThan(builder);
    expect(packaged).toBeLessThan(gpu);
    const step = build.steps[packaged];
    expect(step.if).toBe("runner.os == 'Linux'");
    expect(step.run).toMatch(/apps=\(release\/\*\.AppImage\)/);
    expect(step.run).toMatch(/DIGIT_LAB_ELECTRON_APP="\$PWD\/\$\{apps\[0\]\}" xvfb-run -a npx vitest run tests\/installer\/electron\.test\.ts/);
    expect(fs.readFileSync(path.join(ROOT, 'tests', 'installer', 'electron.test.ts'), 'utf8')).toContain('process.env.DIGIT_LAB_ELECTRON_APP');
  });

  it('points the browser tests at the runner’s Chrome through the variable the test helper reads', () => {
    expect(build.env?.CHROMIUM_PATH).toBe('${{ matrix.chrome }}');
    expect(fs.readFileSync(path.join(ROOT, 'tests', 'helpers', 'browser.ts'), 'utf8')).toContain('process.env.CHROMIUM_PATH');
    for (const m of build.strategy!.matrix.include) expect(m.chrome).toMatch(/chrome(\.exe)?$/i);
  });

  it('uploads the installers and attaches them to a release for the tag', () => {
    const upload = build.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(String(upload?.with?.path)).toMatch(/release\/\*\.AppImage[\s\S]*release\/\*\.deb[\s\S]*release\/\*\.exe[\s\S]*release\/\*\.dmg/);
    expect(upload?.with?.['if-no-files-found']).toBe('error');
    expect(release.needs).toBe('installers');
    expect(release.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(release.permissions).toEqual({ contents: 'write' });
    expect(release.steps.some((s) => s.uses?.startsWith('actions/download-artifact@'))).toBe(true);
    expect(runs(release).join('\n')).toMatch(/gh release create "\$TAG" installers\/\*/);
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
