// Backend selection: the util shim for tfjs-node on Node ≥ 23, forced choices, and native packages that
// are absent or present without a loadable binary being skipped with the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBackendChoice, selectBackend, shimNodeUtil, trainDefaults } from '../../src-main/engine/backend.js';
import type { BackendInfo } from '../../src-shared/types.js';

const FAKE = path.resolve('node_modules/@tensorflow/tfjs-node');
const realNativeInstalled = fs.existsSync(path.join(FAKE, 'package.json'));

if (realNativeInstalled) console.log('skipping the fake-tfjs-node test: a real @tensorflow/tfjs-node is installed here');

afterAll(() => {
  if (!realNativeInstalled) fs.rmSync(FAKE, { recursive: true, force: true });
});

describe('backend selection', () => {
  it('shims util.isArray / util.isNullOrUndefined where Node removed them, and leaves existing ones alone', () => {
    const modern: Record<string, unknown> = { inspect: util.inspect }; // what Node ≥ 23 offers
    expect(shimNodeUtil(modern)).toEqual(['isArray', 'isNullOrUndefined']);
    const isArray = modern.isArray as (v: unknown) => boolean;
    const isNullOrUndefined = modern.isNullOrUndefined as (v: unknown) => boolean;
    expect([isArray([]), isArray('x'), isArray({ length: 0 })]).toEqual([true, false, false]);
    expect([isNullOrUndefined(null), isNullOrUndefined(undefined), isNullOrUndefined(0), isNullOrUndefined('')]).toEqual([true, true, false, false]);
    const own = () => true;
    const old: Record<string, unknown> = { isArray: own, isNullOrUndefined: own };
    expect(shimNodeUtil(old)).toEqual([]);
    expect(old.isArray).toBe(own);
  });

  it('parses the backend flag / env value and rejects unknown ones in one line', () => {
    expect(parseBackendChoice(undefined)).toBe('auto');
    expect(parseBackendChoice(' JS ')).toBe('js');
    expect(parseBackendChoice('wasm')).toBe('wasm');
    expect(() => parseBackendChoice('cuda')).toThrow("unknown backend 'cuda': expected one of auto, gpu, webgpu, native, wasm, js");
  });

  it('falls back to WebAssembly SIMD on every core and says why each faster backend was skipped', async () => {
    const info = await selectBackend('auto');
    expect(info.kind).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const threads = Math.min(8, os.cpus().length);
    expect(info.device).toContain(`WebAssembly SIMD, ${threads} thread${threads === 1 ? '' : 's'} on `);
    expect(info.hint).toMatch(/tfjs-node-gpu/);
    const reasons = Object.fromEntries(info.skipped.map((s) => [s.backend, s.reason]));
    expect(Object.keys(reasons)).toEqual(expect.arrayContaining(['tfjs-node-gpu', 'webgpu', 'tfjs-node']));
    for (const r of Object.values(reasons)) expect(r.length).toBeGreaterThan(5);
  });

  it('trains a GPU at batch 512 with learning rate 0.006 unless a batch size is given', () => {
    const gpu: BackendInfo = { name: 'webgpu', kind: 'gpu', device: 'GPU', fastKernels: false, skipped: [], hint: '' };
    const cpu: BackendInfo = { ...gpu, name: 'cpu', kind: 'pure-js' };
    expect(trainDefaults(gpu)).toEqual({ batchSize: 512, learningRate: 0.006 });
    expect(trainDefaults(gpu, { batchSize: 128 })).toEqual({ batchSize: 256, learningRate: 0.01 });
    expect(trainDefaults(cpu)).toEqual({ batchSize: 256, learningRate: 0.01 });
  });

  it("'js' still means the pure-JS backend with Digit Lab's fast kernels", async () => {
    const info = await selectBackend('js');
    expect(info.kind).toBe('pure-js');
    expect(info.fastKernels).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
    expect(info.hint).toMatch(/tfjs-node/);
  });

  it("'wasm' can be forced", async () => {
    const info = await selectBackend('wasm');
    expect(info.kind).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails a forced backend that cannot load with a one-line reason', async () => {
    await expect(selectBackend('gpu')).rejects.toThrow(/^GPU backend unavailable: /);
  });

  it.skipIf(realNativeInstalled)('skips a tfjs-node package that is present but whose binary does not load', async () => {
    // What npm leaves when the package installs but libtensorflow is missing: require() throws at load.
    fs.mkdirSync(FAKE, { recursive: true });
    fs.writeFileSync(path.join(FAKE, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }));
    fs.writeFileSync(
      path.join(FAKE, 'index.js'),
      "throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory\\n    at Module._extensions..node');\n",
    );
    await expect(selectBackend('native')).rejects.toThrow('native CPU backend unavailable: libtensorflow.so.2: cannot open shared object file: No such file or directory');
    const info = await selectBackend('auto');
    expect(info.kind).toBe('wasm');
    expect(info.skipped.find((s) => s.backend === 'tfjs-node')?.reason).toMatch(/^libtensorflow\.so\.2: cannot open/);
  });
});
