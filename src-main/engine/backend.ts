// Backend selection: the fastest TF.js backend that actually loads on this machine.
//   tfjs-node-gpu (CUDA) → tfjs-node (native CPU) → 'wasm' (XNNPACK, SIMD, both cores, with Digit Lab's
//   gradient kernels: wasm/) → pure-JS 'cpu' with Digit Lab's fast kernels.
// The native packages are optionalDependencies: absent, or present without a loadable binary
// (no libtensorflow, no CUDA 11.2 / cuDNN 8.1), they are skipped and the reason is reported.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import util from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice, BackendInfo } from '../../src-shared/types.js';
import { BACKEND_CHOICES } from '../../src-shared/types.js';

const nativeRequire = createRequire(import.meta.url);

/**
 * tfjs-node 4.x calls util.isArray / util.isNullOrUndefined, which Node ≥ 23 removed (and Electron's
 * bundled Node may be newer than the one used to develop). Put them back before loading it.
 */
export function shimNodeUtil(target: Record<string, unknown> = util as unknown as Record<string, unknown>): string[] {
  const added: string[] = [];
  if (typeof target.isArray !== 'function') {
    target.isArray = Array.isArray;
    added.push('isArray');
  }
  if (typeof target.isNullOrUndefined !== 'function') {
    target.isNullOrUndefined = (v: unknown) => v === null || v === undefined;
    added.push('isNullOrUndefined');
  }
  return added;
}

export function parseBackendChoice(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto').trim().toLowerCase() || 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(v)) {
    throw new Error(`unknown backend '${value}': expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return v as BackendChoice;
}

/** First line of an error, without the long native stack that load failures carry. */
function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find module '@tensorflow\/tfjs-node/.test(msg)) return 'package not installed';
  return msg.split('\n')[0].slice(0, 200);
}

function gpuName(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n')[0].trim() || null;
  } catch {
    return null;
  }
}

function cpuName(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'CPU'} (${cpus.length} cores)`;
}

/** Load a native package; true when its 'tensorflow' backend registered and initialised. */
async function tryNative(pkg: string): Promise<void> {
  shimNodeUtil();
  nativeRequire(pkg);
  const ok = await tf.setBackend('tensorflow');
  if (!ok) throw new Error(`${pkg} loaded but its backend failed to initialise`);
}

export const HINTS = {
  gpu: '',
  native: 'Faster: a CUDA GPU with @tensorflow/tfjs-node-gpu (needs CUDA 11.2 + cuDNN 8.1).',
  wasm: 'Faster: a CUDA GPU with @tensorflow/tfjs-node-gpu (needs CUDA 11.2 + cuDNN 8.1).',
  js: 'Faster: install @tensorflow/tfjs-node (native CPU) or tfjs-node-gpu with CUDA 11.2 + cuDNN 8.1.',
};

/**
 * The WebAssembly path: tfjs-backend-wasm (XNNPACK, 128-bit SIMD) on every core, plus our kernels for
 * the gradients it lacks. Measured (docs/benchmarks.md): 3-10× the pure-JS kernels on every preset.
 */
async function tryWasm(): Promise<BackendInfo> {
  const { startWasm } = await import('./wasm/index.js');
  const load = await startWasm();
  tf.env().set('PROD', true);
  const threads = `${load.threads} thread${load.threads === 1 ? '' : 's'}`;
  const skipped = load.fallback ? [{ backend: 'threaded wasm', reason: load.fallback }] : [];
  return {
    name: 'wasm', kind: 'wasm', device: `WebAssembly SIMD, ${threads} on ${cpuName()}`, fastKernels: false, skipped, hint: HINTS.wasm,
  };
}

/**
 * Pick and initialise a backend. 'auto' tries each in order of speed; a forced choice that cannot
 * load fails with a one-line error. Never loads tfjs-node and tfjs-node-gpu in one process (both
 * register 'tensorflow'): once one has been required, the other is not tried.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = [];

  if (choice === 'auto' || choice === 'gpu') {
    const gpu = gpuName();
    try {
      if (!gpu) throw new Error('no NVIDIA GPU found (nvidia-smi not available)');
      await tryNative('@tensorflow/tfjs-node-gpu');
      return { name: 'tensorflow', kind: 'gpu', device: gpu, fastKernels: false, skipped, hint: HINTS.gpu };
    } catch (err) {
      if (choice === 'gpu') throw new Error(`GPU backend unavailable: ${reason(err)}`);
      skipped.push({ backend: 'tfjs-node-gpu', reason: reason(err) });
    }
  }
  if (choice === 'auto' || choice === 'native') {
    try {
      if (tf.findBackend('tensorflow')) throw new Error('tfjs-node-gpu already registered the native backend');
      await tryNative('@tensorflow/tfjs-node');
      return { name: 'tensorflow', kind: 'native-cpu', device: cpuName(), fastKernels: false, skipped, hint: HINTS.native };
    } catch (err) {
      if (choice === 'native') throw new Error(`native CPU backend unavailable: ${reason(err)}`);
      skipped.push({ backend: 'tfjs-node', reason: reason(err) });
    }
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      const info = await tryWasm();
      return { ...info, skipped: [...skipped, ...info.skipped] };
    } catch (err) {
      if (choice === 'wasm') throw new Error(`WebAssembly backend unavailable: ${reason(err)}`);
      skipped.push({ backend: 'wasm', reason: reason(err) });
    }
  }
  await tf.setBackend('cpu');
  tf.env().set('PROD', true); // no per-op debug checks; our badge gives the "install tfjs-node" hint instead

  let fastKernels = false;
  try {
    const kernels = await import('./kernels/index.js');
    fastKernels = kernels.registerFastKernels().length > 0;
  } catch (err) {
    skipped.push({ backend: 'fast kernels', reason: reason(err) });
  }
  return { name: 'cpu', kind: 'pure-js', device: `pure JavaScript on ${cpuName()}`, fastKernels, skipped, hint: HINTS.js };
}
