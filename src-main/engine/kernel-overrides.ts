// Our kernels over a TF.js backend's stock ones. Each of ours returns null for cases it does not
// cover, and the stock kernel runs instead; the stock configs are kept to restore them (tests, benchmarks).
import * as tf from '@tensorflow/tfjs';

export type OverrideKernel<Args> = (args: Args) => tf.TensorInfo | null;

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
      const kernelFunc = ((args: Args) => ours(args) ?? original.kernelFunc(args as never)) as unknown as tf.KernelFunc;
      tf.unregisterKernel(name, this.backend);
      tf.registerKernel({ ...original, kernelFunc });
    }
    return [...this.stock.keys()];
  }

  /** Whether ours are registered. */
  get active(): boolean {
    return this.stock.size > 0;
  }

  /** Put the stock kernels back. */
  unregister(): void {
    for (const [name, original] of this.stock) {
      tf.unregisterKernel(name, this.backend);
      tf.registerKernel(original);
    }
    this.stock.clear();
  }
}
