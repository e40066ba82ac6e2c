// Our kernels over a TF.js backend's stock ones. Each of ours returns null for cases it does not
// cover, and the stock kernel runs instead; the stock configs are kept to restore them (tests, benchmarks).
import * as tf from '@tensorflow/tfjs';

export type OverrideKernel<Args> = (args: Args) => tf.TensorInfo | null;

/** Backends whose kernels are Digit Lab's now (KernelOverrides: cpu, webgpu; the wasm path's registration), with the
 *  names of the kernels ours serve there. */
const served = new Map<string, readonly string[]>();

/** Record whether our kernels serve `backend`, and which (called by whoever registers or unregisters them). */
export function setOwnKernels(backend: string, on: boolean, names: readonly string[] = []): void {
  if (on) served.set(backend, names);
  else served.delete(backend);
}

/** The kernels ours serve on `backend` (default: the active one); none when ours are not registered there. */
export function ownKernelNames(backend: string = tf.getBackend()): readonly string[] {
  return served.get(backend) ?? [];
}

/** Kernels where ours handed a case back to the stock kernel (a case ours do not cover), counted while watched. */
let fallbacks: Map<string, number> | null = null;

/** Count, while `fn` runs, the calls ours hand back to the stock kernel, by kernel name. */
export async function countStockFallbacks<T>(fn: () => Promise<T>): Promise<{ result: T; fallbacks: Map<string, number> }> {
  const counted = new Map<string, number>();
  fallbacks = counted;
  try {
    return { result: await fn(), fallbacks: counted };
  } finally {
    fallbacks = null;
  }
}

/** Called by a wrapper when ours returned null and the stock kernel runs instead. */
export function noteStockFallback(kernel: string): void {
  if (fallbacks) fallbacks.set(kernel, (fallbacks.get(kernel) ?? 0) + 1);
}

/** Whether our kernels serve `backend` (default: the active one): the code written with them (the fused Adam,
 *  GPU dropout) runs only then, so that unregistering gives TF.js's stock path whole (tests, benchmarks). */
export function ownKernelsActive(backend: string = tf.getBackend()): boolean {
  return served.has(backend);
}

export class KernelOverrides<Args> {
  private readonly stock = new Map<string, tf.KernelConfig>();

  constructor(
    private readonly backend: string,
    private readonly kernels: Record<string, OverrideKernel<Args>>,
  ) {}

  /** Register ours (idempotent); returns the names now served by ours. */
  register(): string[] {
    for (const [name, ours] of Object.entries(this.kernels)) {
      if (this.stock.has(name)) continue;
      const original = tf.getKernel(name, this.backend);
      if (!original) continue;
      this.stock.set(name, original);
      const kernelFunc = ((args: Args) => ours(args) ?? (noteStockFallback(name), original.kernelFunc(args as never))) as unknown as tf.KernelFunc;
      tf.unregisterKernel(name, this.backend);
      tf.registerKernel({ ...original, kernelFunc });
    }
    setOwnKernels(this.backend, this.stock.size > 0, [...this.stock.keys()]);
    return [...this.stock.keys()];
  }

  /** Put the stock kernels back. */
  unregister(): void {
    for (const [name, original] of this.stock) {
      tf.unregisterKernel(name, this.backend);
      tf.registerKernel(original);
    }
    this.stock.clear();
    setOwnKernels(this.backend, false);
  }
}
