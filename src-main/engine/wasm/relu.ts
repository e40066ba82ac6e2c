// Relu and its gradient for the `wasm` backend with our SIMD kernels (simd/kernels.c: relu, relu_grad), half the
// elements on the helper thread where that pays. TF.js computes relu's gradient as dy · cast(step(x)): three kernels,
// three passes over the activation. Here the gradient is one kernel, RELU_GRAD, which only the wasm backend has: the
// Relu gradient registered by installReluGradient calls it on the backends that have it and keeps TF.js's own math on
// every other (cpu, webgpu, or wasm with our kernels unregistered).
import * as tf from '@tensorflow/tfjs';
import { Scratch, type WasmBackend, type WasmKernel, type WasmKernelArgs } from './kernel-call.js';
import { SIMD, simdKernels } from './simd.js';

/** The fused relu gradient: inputs dy and x (relu's input), output dy · step(x). */
export const RELU_GRAD = 'DigitLabReluGrad';

function simdFor(backend: WasmBackend, ...ts: tf.TensorInfo[]) {
  return SIMD.relu && ts.every((t) => t.dtype === 'float32') ? simdKernels(backend) : null;
}

export const relu: WasmKernel = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const simd = simdFor(backend, x);
  if (!simd) return null;
  const y = backend.makeOutput([...x.shape], 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const xp = backend.getMemoryOffset(x.dataId);
  const yp = backend.getMemoryOffset(y.dataId);
  simd.split('relu', n, 4, (i0, i1) => [xp, yp, i0, i1]);
  return y;
};

/** dy · step(x): our SIMD kernel, or the stock kernels' way (Step, Cast, Multiply) where it is switched off. */
export function reluGrad({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const simd = simdFor(backend, dy, x);
  if (!simd) {
    const s = new Scratch(backend);
    try {
      const mask = s.run(tf.Cast, { x: s.run(tf.Step, { x }, { alpha: 0 }) }, { dtype: 'float32' });
      return s.keep(s.run(tf.Multiply, { a: dy, b: mask }));
    } finally {
      s.dispose();
    }
  }
  const dx = backend.makeOutput([...x.shape], 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const dyp = backend.getMemoryOffset(dy.dataId);
  const xp = backend.getMemoryOffset(x.dataId);
  const dxp = backend.getMemoryOffset(dx.dataId);
  simd.split('relu_grad', n, 4, (i0, i1) => [dyp, xp, dxp, i0, i1]);
  return dx;
}

let installed = false;

/** Registers relu's gradient (once): RELU_GRAD where the active backend has it, else TF.js's own. */
export function installReluGradient(): void {
  if (installed) return;
  const stock = tf.getGradient(tf.Relu);
  if (!stock) return;
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const g = dy as tf.Tensor;
      if (x.dtype !== 'float32' || g.dtype !== 'float32' || !tf.getKernel(RELU_GRAD, tf.getBackend())) {
        return stock.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor };
    },
  });
  installed = true;
}
