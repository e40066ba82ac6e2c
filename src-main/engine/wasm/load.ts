// Loads @tensorflow/tfjs-backend-wasm (XNNPACK, 128-bit SIMD) in Node with both cores.
// The package's own loader is written for browsers: in Node it runs one thread (its threads flag is
// off for Node, tfjs#3830) and would start its pthread workers from a Blob URL, which Node's
// worker_threads cannot load. So we register the 'wasm' backend ourselves, with the package's own
// Emscripten factories and BackendWasm:
//  - threaded SIMD build: Emscripten creates its 8 pool workers with `new Worker(path)`; we hand it a
//    Worker that evaluates the package's worker script (its Node branch uses worker_threads). XNNPACK
//    caps its thread pool at logical cores / 2 (it assumes hyper-threading), so during the load
//    os.cpus() reports each core twice and the pool gets the threads we ask for.
//  - else the single-threaded SIMD build (the same glue code loads either binary).
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { firstLine } from '../../../src-shared/errors.js';
import { resolveResources } from '../../resources.js';
import { BACKEND } from './kernel-call.js';

const nodeRequire = createRequire(import.meta.url); // not `require`: a bundle may declare its own

/** The files of tfjs-backend-wasm that are loaded at run time (ship them unpacked: electron-builder.yml). */
export const WASM_FILES = {
  threaded: 'tfjs-backend-wasm-threaded-simd.js',
  threadedWorker: 'tfjs-backend-wasm-threaded-simd.worker.js',
  threadedBinary: 'tfjs-backend-wasm-threaded-simd.wasm',
  single: 'tfjs-backend-wasm.js',
  simdBinary: 'tfjs-backend-wasm-simd.wasm',
} as const;

/** Emscripten's module object, reduced to what BackendWasm needs from us. */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: Worker[] };
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

export interface WasmLoad {
  /** XNNPACK threads (1 = the single-threaded build). */
  threads: number;
  /** Why the threaded build was not used, when it was not. */
  fallback?: string;
}

/** How many XNNPACK threads to ask for: DIGIT_LAB_THREADS, else every core up to the pool's 8. */
export function wantedThreads(env: Record<string, string | undefined> = process.env): number {
  const n = Number.parseInt(env.DIGIT_LAB_THREADS ?? '', 10);
  return Math.max(1, Math.min(8, Number.isFinite(n) && n > 0 ? n : os.cpus().length));
}

async function loadThreaded(dir: string, threads: number): Promise<EmscriptenModule> {
  const factory = nodeRequire(path.join(dir, WASM_FILES.threaded)) as Factory;
  // Emscripten writes the worker script into a template literal: its "\n" escapes became newlines.
  const { wasmWorkerContents } = nodeRequire(path.join(dir, WASM_FILES.threadedWorker)) as { wasmWorkerContents: string };
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  // The script is CommonJS (it calls require): never let an inherited --input-type=module make it ESM.
  const execArgv = [...process.execArgv.filter((a) => !a.startsWith('--input-type')), '--input-type=commonjs'];
  class PthreadWorker extends Worker {
    constructor() {
      super(source, { eval: true, execArgv });
    }
  }
  const g = globalThis as Record<string, unknown>;
  const previous = Object.getOwnPropertyDescriptor(g, 'Worker');
  const cpus = os.cpus;
  // The factory assigns global.Worker (Node's) and then creates its workers from it: keep ours.
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]);
  };
  try {
    return await factory({
      locateFile: (file: string) => path.join(dir, file.endsWith('.wasm') ? WASM_FILES.threadedBinary : file),
      mainScriptUrlOrBlob: path.join(dir, WASM_FILES.threaded),
    });
  } finally {
    os.cpus = cpus;
    if (previous) Object.defineProperty(g, 'Worker', previous);
    else delete g.Worker;
  }
}

async function loadSingle(dir: string): Promise<EmscriptenModule> {
  const factory = nodeRequire(path.join(dir, WASM_FILES.single)) as Factory;
  return factory({ locateFile: (file: string) => path.join(dir, file.endsWith('.wasm') ? WASM_FILES.simdBinary : file) });
}

/** The bindings tfjs-backend-wasm's own init() adds to the module. */
function bind(m: EmscriptenModule): EmscriptenModule {
  m.tfjs = {
    init: m.cwrap('init', null, []),
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: m.cwrap('dispose_data', null, ['number']),
    dispose: m.cwrap('dispose', null, []),
  };
  return m;
}

let registered: WasmLoad | null = null;

/**
 * Registers the 'wasm' backend (replacing the package's browser loader) and makes it the active
 * backend. Throws a one-line error when WebAssembly SIMD is missing or the binaries cannot load.
 */
export async function loadWasmBackend(threads = wantedThreads()): Promise<WasmLoad> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm'); // registers its kernels for 'wasm'
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) throw new Error('WebAssembly SIMD is not supported here');
  if (!registered) {
    const result: WasmLoad = { threads: 1 };
    const dir = resolveResources().wasmDir;
    tf.removeBackend(BACKEND);
    tf.registerBackend(BACKEND, async () => {
      let m: EmscriptenModule | null = null;
      if (threads > 1) {
        try {
          m = await loadThreaded(dir, threads);
        } catch (err) {
          result.fallback = `threaded build: ${firstLine(err)}`;
        }
      }
      m ??= await loadSingle(dir);
      wasm.setThreadsCount(threads);
      const backend = new wasm.BackendWasm(bind(m) as unknown as ConstructorParameters<typeof wasm.BackendWasm>[0]);
      // XNNPACK's pool threads now wait for work; Emscripten ref()s a worker while its thread runs,
      // which would keep Node alive after the CLI is done.
      for (const w of m.PThread?.runningWorkers ?? []) w.unref();
      return backend;
    }, 0);
    registered = result;
  }
  if (!(await tf.setBackend(BACKEND))) throw new Error(registered.fallback ?? 'the wasm backend failed to initialise');
  registered.threads = wasm.getThreadsCount();
  return registered;
}
