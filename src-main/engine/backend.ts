// Backend selection: the fastest TF.js backend that actually loads on this machine.
//   tfjs-node-gpu (CUDA) → webgpu (Dawn over Vulkan / Metal / D3D12, hardware adapters only) →
//   tfjs-node (native CPU) → 'wasm' (XNNPACK, SIMD, both cores, with Digit Lab's gradient kernels: wasm/) →
//   pure-JS 'cpu' with Digit Lab's fast kernels.
// The native packages are optionalDependencies: absent, or present without a loadable binary
// (no libtensorflow, no CUDA 11.2 / cuDNN 8.1), they are skipped and the reason is reported.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import util from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { firstLine } from '../../src-shared/errors.js';
import type { BackendChoice, BackendInfo, TrainConfig } from '../../src-shared/types.js';
import { BACKEND_CHOICES, DEFAULT_TRAIN_CONFIG } from '../../src-shared/types.js';

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
  const line = firstLine(err);
  if (/Cannot find module '@tensorflow\/tfjs-node/.test(line)) return 'package not installed';
  return line.slice(0, 200);
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
  webgpu: 'WebGPU through Dawn; CUDA (@tensorflow/tfjs-node-gpu with CUDA 11.2 + cuDNN 8.1) is not needed.',
  native: 'Faster: a CUDA GPU with @tensorflow/tfjs-node-gpu (needs CUDA 11.2 + cuDNN 8.1).',
  wasm: 'Faster: a CUDA GPU with @tensorflow/tfjs-node-gpu (needs CUDA 11.2 + cuDNN 8.1).',
  js: 'Faster: install @tensorflow/tfjs-node (native CPU) or tfjs-node-gpu with CUDA 11.2 + cuDNN 8.1.',
};

/**
 * Batch size and learning rate on a GPU when none is given: larger batches keep it busy (each step costs
 * ~200 kernel launches whatever the batch), and the rate grows with √batch (the runs behind the pair:
 * docs/benchmarks.md).
 */
export const GPU_TRAIN_DEFAULTS = { batchSize: 512, learningRate: 0.006 } as const;

/** The defaults for this backend of what `train` is not given: the GPU pair only when no batch size is. */
export function trainDefaults(info: BackendInfo, given: Partial<TrainConfig> = {}): Pick<TrainConfig, 'batchSize' | 'learningRate'> {
  if (info.kind === 'gpu' && given.batchSize === undefined) return GPU_TRAIN_DEFAULTS;
  return { batchSize: DEFAULT_TRAIN_CONFIG.batchSize, learningRate: DEFAULT_TRAIN_CONFIG.learningRate };
}

/**
 * TF.js on WebGPU (Dawn). Only a hardware adapter unless `forced` (a software one is slower than the
 * CPU paths). Loaded lazily: without Vulkan (or with dawn.node missing) it throws and is skipped.
 */
async function webGpuBackend(forced: boolean, skipped: BackendInfo['skipped']): Promise<BackendInfo> {
  const { useWebGpu } = await import('./webgpu/dawn.js');
  const adapter = await useWebGpu(forced);
  tf.env().set('PROD', true);
  return { name: 'webgpu', kind: 'gpu', device: `${adapter.name} (WebGPU)`, fastKernels: false, skipped, hint: HINTS.webgpu };
}

/**
 * The WebAssembly path: tfjs-backend-wasm (XNNPACK, 128-bit SIMD) on every core, plus our kernels for
 * the gradients it lacks. Faster than the pure-JS kernels on every preset (docs/benchmarks.md).
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

/** The backends faster than pure JS, fastest first: `load` initialises one (`forced`: chosen by name) or throws why not. */
const CANDIDATES: {
  choice: Exclude<BackendChoice, 'auto' | 'js'>;
  /** How a forced choice's failure names it, and how `skipped` does. */
  title: string;
  skipAs: string;
  load(forced: boolean, skipped: BackendInfo['skipped']): Promise<BackendInfo>;
}[] = [
  {
    choice: 'gpu', title: 'GPU backend', skipAs: 'tfjs-node-gpu',
    load: async (_forced, skipped) => {
      const gpu = gpuName();
      if (!gpu) throw new Error('no NVIDIA GPU found (nvidia-smi not available)');
      await tryNative('@tensorflow/tfjs-node-gpu');
      return { name: 'tensorflow', kind: 'gpu', device: gpu, fastKernels: false, skipped, hint: HINTS.gpu };
    },
  },
  { choice: 'webgpu', title: 'WebGPU backend', skipAs: 'webgpu', load: webGpuBackend },
  {
    choice: 'native', title: 'native CPU backend', skipAs: 'tfjs-node',
    load: async (_forced, skipped) => {
      if (tf.findBackend('tensorflow')) throw new Error('tfjs-node-gpu already registered the native backend');
      await tryNative('@tensorflow/tfjs-node');
      return { name: 'tensorflow', kind: 'native-cpu', device: cpuName(), fastKernels: false, skipped, hint: HINTS.native };
    },
  },
  {
    choice: 'wasm', title: 'WebAssembly backend', skipAs: 'wasm',
    load: async (_forced, skipped) => {
      const info = await tryWasm();
      return { ...info, skipped: [...skipped, ...info.skipped] };
    },
  },
];

/**
 * Pick and initialise a backend. 'auto' tries each in order of speed; a forced choice that cannot
 * load fails with a one-line error. Never loads tfjs-node and tfjs-node-gpu in one process (both
 * register 'tensorflow'): once one has been required, the other is not tried.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = [];

  for (const c of CANDIDATES) {
    if (choice !== 'auto' && choice !== c.choice) continue;
    try {
      return await c.load(choice === c.choice, skipped);
    } catch (err) {
      if (choice === c.choice) throw new Error(`${c.title} unavailable: ${reason(err)}`);
      skipped.push({ backend: c.skipAs, reason: reason(err) });
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
