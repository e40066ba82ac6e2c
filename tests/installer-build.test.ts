// After the build (electron-vite + icons): everything the installers pack exists, and an install laid out
// the way electron-builder.yml says (app.asar ← files, resources/ ← extraResources, selected with
// electron-builder's own file matcher) is complete for src-main/resources.ts and the engine's loader.
// What cannot run here: electron-builder itself (it downloads Electron's zip) — see docs/installers.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../src-main/engine/data/mnist.js';
import { missingResources, resolveResources } from '../src-main/resources.js';
import { loadBuilderConfig } from '../scripts/builder-config.js';
import { makeIcons } from '../scripts/make-icons.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const builderLib = path.dirname(require.resolve('app-builder-lib/package.json'));
const { FileMatcher } = require(path.join(builderLib, 'out/fileMatcher.js')) as {
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns?: string[]) => {
    createFilter(): (file: string, stat: fs.Stats) => boolean;
  };
};
const config = loadBuilderConfig();

/** Copy what a `files`/`extraResources` entry selects, as electron-builder's matcher selects it. */
function copySelected(from: string, to: string, patterns: string[]): number {
  const keep = new FileMatcher(from, to, (s) => s, patterns).createFilter();
  let files = 0;
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const stat = fs.statSync(src);
      const ok = src === from || keep(src, stat);
      if (ok && stat.isFile()) files++;
      return ok;
    },
  });
  return files;
}

describe('after the build', () => {
  let tmp: string;
  beforeAll(() => {
    // npm run build:electron, npm run build:icons
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: ROOT, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    makeIcons();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-install-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has package.json’s main, the preload, the renderer with its assets, and every chunk main loads', () => {
    const dev = resolveResources({ env: {} });
    expect(missingResources(dev)).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(path.join(ROOT, pkg.main)).toBe(dev.mainEntry);
    const main = fs.readFileSync(dev.mainEntry, 'utf8');
    const chunks = [...main.matchAll(/"\.\/(chunks\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(chunks.length).toBeGreaterThan(0); // the engine process entry, bundled beside main
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

  it('lays out an install that resources.ts resolves completely and whose MNIST the engine loads', () => {
    const res = path.join(tmp, 'resources');
    const app = path.join(res, 'app.asar'); // the archive's contents, as a folder
    // files: out/** and package.json (node_modules are added by electron-builder from the lock file)
    const appPatterns = (config.files as string[]).filter((p) => !p.startsWith('!node_modules'));
    const packed = copySelected(ROOT, app, [...appPatterns, '!node_modules{,/**}', '!release{,/**}', '!build{,/**}']);
    expect(packed).toBeGreaterThan(4);
    expect(fs.existsSync(path.join(app, 'out', 'main', 'index.js.map'))).toBe(false);
    for (const r of config.extraResources as { from: string; to: string; filter: string[] }[]) {
      copySelected(path.join(ROOT, r.from), path.join(res, r.to), r.filter);
    }
    expect(fs.readdirSync(path.join(res, 'mnist')).sort()).toEqual([
      't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
    ]);

    const p = resolveResources({ resourcesPath: res, appRoot: app, env: {} });
    expect(p.layout).toBe('packaged');
    expect(missingResources(p)).toEqual([]);
    expect(loadMnist(p.mnistDir).name).toBe('MNIST');
    expect(fs.readdirSync(app).sort()).toEqual(['out', 'package.json']);
  });
});
