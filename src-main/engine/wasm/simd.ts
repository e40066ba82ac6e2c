// Our WebAssembly SIMD kernels (simd/kernels.c, built by simd/build.sh into simd/kernels-wasm.ts) on the wasm
// backend's own heap, on both cores. The threaded tfjs-backend-wasm build keeps its heap in a shared
// WebAssembly.Memory; our module imports that memory, so it reads and writes the backend's tensors in place.
// A helper thread (worker_threads) holds a second instance on the same memory: the main thread posts it half
// the images through a control block on the heap, computes its own half, then waits in Atomics.wait. Whether
// that pays depends on the other core being free: for each call shape, timed trials decide, as for the JS
// kernels (kernels/split-policy.ts).
// The relaxed-SIMD build (fused multiply-add) runs where the runtime validates it, else the plain one.
// With the single-threaded build (memory not shared) these kernels are unavailable and callers keep theirs.
import { Worker } from 'node:worker_threads';
import { KERNELS_PLAIN, KERNELS_RELAXED } from './simd/kernels-wasm.js';
import type { WasmBackend } from './kernel-call.js';
import { planSplitFor } from '../kernels/split-policy.js';

/** The functions simd/kernels.c exports (pointers are byte offsets in the heap). */
export const SIMD_FUNCTIONS = [
  'filter_grad', 'input_grad', 'transpose_filter', 'conv_forward', 'bias_add', 'max_pool_grad_2x2', 'sum_rows', 'max_pool_2x2',
  'relu', 'relu_grad', 'adam_update', 'gemm', 'sq_dev_rows', 'bn_grad_rows', 'affine_rows',
] as const;
export type SimdFunction = (typeof SIMD_FUNCTIONS)[number];
type Exports = Record<SimdFunction, (...args: number[]) => void>;

/** Switches for tests and A/B benchmarks: our SIMD kernels on or off, the helper thread, the relaxed build, bias_add,
 *  max_pool_grad_2x2, sum_rows (Sum), max_pool_2x2 (MaxPool), relu and relu_grad (Relu and its gradient), adam_update, gemm (the dense layers' matrix products),
 *  batchNorm (sq_dev_rows, bn_grad_rows, affine_rows: batch norm while training); and
 *  JS ones of the wasm path: the value-a-row broadcast of the element-wise kernels, Identity without a copy, Softmax. */
export const SIMD = {
  enabled: true, helper: true, relaxed: true, biasAdd: true, maxPoolGrad: true, sum: true, maxPool: true, relu: true, adam: true, matMul: true, batchNorm: true,
  rowBroadcast: true, identity: true, softmax: true,
};

// Control block (Int32 words): state, function index, argument count, arguments.
const STATE = 0;
const FN = 1;
const ARGC = 2;
const ARGS = 3;
const CTRL_WORDS = 24;
const IDLE = 3;
const POSTED = 1;
const DONE = 2;
const FAILED = -1;
/** A helper that has not answered in this long is taken for dead. */
const WAIT_MS = 60_000;

const HELPER = `
const { workerData } = require('node:worker_threads');
const { memory, module, ctrl, names } = workerData;
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_WORDS});
try {
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => e[n]);
  Atomics.store(c, ${STATE}, ${IDLE});
  Atomics.notify(c, ${STATE});
  for (;;) {
    let s;
    while ((s = Atomics.load(c, ${STATE})) !== ${POSTED}) Atomics.wait(c, ${STATE}, s);
    const args = [];
    for (let i = 0; i < c[${ARGC}]; i++) args.push(c[${ARGS} + i]);
    fns[c[${FN}]](...args);
    Atomics.store(c, ${STATE}, ${DONE});
    Atomics.notify(c, ${STATE});
  }
} catch (err) {
  Atomics.store(c, ${STATE}, ${FAILED});
  console.error('digit-lab: SIMD helper thread failed:', err && err.message);
}
`;

// The WebAssembly API as used here (this tsconfig has no DOM lib, and @types/node does not declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Loaded {
  memory: WasmMemory;
  exports: Exports;
  relaxed: boolean;
  ctrl: Int32Array | null;
}

/** Per backend heap (one per process in practice). */
const loaded = new WeakMap<WasmMemory, Loaded | null>();

interface EmscriptenHeap {
  wasmMemory?: WasmMemory;
  _malloc(bytes: number): number;
  tfjs: { getThreadsCount?: () => number };
}

function fromBase64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** Whether this runtime has relaxed SIMD (V8 ships it from Node 22; Electron 41). */
export function hasRelaxedSimd(): boolean {
  return Wasm.validate(fromBase64(KERNELS_RELAXED));
}

function load(backend: WasmBackend): Loaded | null {
  const heap = backend.wasm as unknown as EmscriptenHeap;
  const memory = heap.wasmMemory;
  if (!memory || !(memory.buffer instanceof SharedArrayBuffer)) return null;
  if (loaded.has(memory)) return loaded.get(memory)!;
  let entry: Loaded | null = null;
  try {
    const relaxed = SIMD.relaxed && hasRelaxedSimd();
    const module = new Wasm.Module(fromBase64(relaxed ? KERNELS_RELAXED : KERNELS_PLAIN));
    const exports = new Wasm.Instance(module, { env: { memory } }).exports as unknown as Exports;
    entry = { memory, exports, relaxed, ctrl: null };
    const threads = heap.tfjs.getThreadsCount?.() ?? 1;
    if (threads > 1) {
      const offset = heap._malloc(CTRL_WORDS * 4) >>> 0; // kept for the process's life
      const ctrl = new Int32Array(memory.buffer, offset, CTRL_WORDS);
      Atomics.store(ctrl, STATE, 0);
      const worker = new Worker(HELPER, {
        eval: true,
        workerData: { memory, module, ctrl: offset, names: SIMD_FUNCTIONS },
        execArgv: [...process.execArgv.filter((a) => !a.startsWith('--input-type')), '--input-type=commonjs'],
      });
      worker.unref();
      worker.on('error', () => Atomics.store(ctrl, STATE, FAILED));
      entry.ctrl = ctrl;
    }
  } catch {
    entry = null;
  }
  loaded.set(memory, entry);
  return entry;
}

/**
 * Loads our kernels on this backend's heap and starts the helper thread; resolves whether the helper
 * listens (false with one thread, or when it could not start within `timeoutMs`).
 */
export async function startSimd(backend: WasmBackend, timeoutMs = 5000): Promise<boolean> {
  const l = load(backend);
  const c = l?.ctrl;
  if (!c) return false;
  const until = performance.now() + timeoutMs;
  while (Atomics.load(c, STATE) === 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 2));
  return Atomics.load(c, STATE) === IDLE;
}

/** Our SIMD kernels on this backend's heap, or null (switched off, or the heap is not shared). */
export function simdKernels(backend: WasmBackend): SimdKernels | null {
  if (!SIMD.enabled) return null;
  const l = load(backend);
  return l ? new SimdKernels(l) : null;
}

export class SimdKernels {
  constructor(private readonly l: Loaded) {}

  get relaxed(): boolean {
    return this.l.relaxed;
  }

  /** The heap as floats (a fresh view: the heap may have grown). */
  heapF32(): Float32Array {
    return new Float32Array(this.l.memory.buffer);
  }

  call(fn: SimdFunction, ...args: number[]): void {
    this.l.exports[fn](...args);
  }

  /** Whether a second thread takes half of `split` calls now. */
  helperReady(): boolean {
    const c = this.l.ctrl;
    return SIMD.helper && c !== null && Atomics.load(c, STATE) === IDLE;
  }

  /**
   * Runs fn over images [0, batch): images [0, mid) here and [mid, batch) on the helper thread when it is
   * ready and the trials for this call's shape say it pays (mid a multiple of `grain`); `args(b0, b1, part)`
   * gives the call's arguments for a range (`pointers` pointers first, which the trials' key leaves out). Returns whether it split.
   */
  split(fn: SimdFunction, batch: number, grain: number, args: (b0: number, b1: number, part: 0 | 1) => number[], pointers = 3): boolean {
    const c = this.l.ctrl;
    const mid = Math.ceil(batch / 2 / grain) * grain;
    if (!c || mid >= batch || !this.helperReady()) {
      this.call(fn, ...args(0, batch, 0));
      return false;
    }
    const whole = args(0, batch, 0);
    const plan = planSplitFor(`simd ${fn} ${whole.slice(pointers).join(' ')}`);
    const start = performance.now();
    if (!plan.split) {
      this.call(fn, ...whole);
      plan.done(performance.now() - start);
      return false;
    }
    this.runSplit(c, fn, args(0, mid, 0), args(mid, batch, 1));
    plan.done(performance.now() - start);
    return true;
  }

  private runSplit(c: Int32Array, fn: SimdFunction, mine: number[], theirs: number[]): void {
    c[FN] = SIMD_FUNCTIONS.indexOf(fn);
    c[ARGC] = theirs.length;
    for (let i = 0; i < theirs.length; i++) c[ARGS + i] = theirs[i];
    Atomics.store(c, STATE, POSTED);
    Atomics.notify(c, STATE);
    this.call(fn, ...mine);
    const until = performance.now() + WAIT_MS;
    while (Atomics.load(c, STATE) === POSTED && performance.now() < until) Atomics.wait(c, STATE, POSTED, WAIT_MS);
    if (Atomics.load(c, STATE) !== DONE) {
      Atomics.store(c, STATE, FAILED); // one thread from now on
      throw new Error('the SIMD helper thread failed');
    }
    Atomics.store(c, STATE, IDLE);
  }
}
