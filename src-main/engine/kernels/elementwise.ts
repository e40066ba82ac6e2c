// Add, Sub, Multiply, RealDiv on float32 tensors, for the shapes a training step produces:
// equal shapes (relu gradients, dropout masks, optimizer updates), a scalar on either side,
// and a bias over the channels-last dimension (b's shape = a's trailing dimensions, e.g.
// [batch, h, w, c] + [c]). The stock kernels compute an index → coordinates → index
// conversion per element when broadcasting; here broadcasting is a modulo-free inner loop.
// Other broadcasts run the stock kernel.
import type * as tf from '@tensorflow/tfjs';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values } from './types.js';

type Op = 'add' | 'sub' | 'mul' | 'div';

function size(shape: number[]): number {
  return shape.reduce((s, d) => s * d, 1);
}

/** True when `small` equals the trailing dimensions of `big` (ignoring leading 1s of small). */
function isTrailing(small: number[], big: number[]): boolean {
  let s = small;
  while (s.length > 0 && s[0] === 1) s = s.slice(1);
  if (s.length > big.length) return false;
  const offset = big.length - s.length;
  return s.every((d, i) => d === big[offset + i]);
}

/** out[i] = a[i] op b[i % period] — b repeats every `period` elements (period 1 = scalar). */
function apply(op: Op, a: Float32Array, b: Float32Array, period: number, swapped: boolean): Float32Array {
  const out = new Float32Array(a.length);
  if (period === a.length) {
    if (op === 'add') for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    else if (op === 'mul') for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
    else if (op === 'div') for (let i = 0; i < a.length; i++) out[i] = swapped ? b[i] / a[i] : a[i] / b[i];
    else if (swapped) for (let i = 0; i < a.length; i++) out[i] = b[i] - a[i];
    else for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
    return out;
  }
  for (let o = 0; o < a.length; o += period) {
    if (op === 'add') for (let j = 0; j < period; j++) out[o + j] = a[o + j] + b[j];
    else if (op === 'mul') for (let j = 0; j < period; j++) out[o + j] = a[o + j] * b[j];
    else if (op === 'div' && swapped) for (let j = 0; j < period; j++) out[o + j] = b[j] / a[o + j];
    else if (op === 'div') for (let j = 0; j < period; j++) out[o + j] = a[o + j] / b[j];
    else if (swapped) for (let j = 0; j < period; j++) out[o + j] = b[j] - a[o + j];
    else for (let j = 0; j < period; j++) out[o + j] = a[o + j] - b[j];
  }
  return out;
}

function binary(op: Op): FastKernel {
  return ({ inputs, backend }: CpuKernelArgs) => {
    const aInfo = inputs.a as tf.TensorInfo | undefined;
    const bInfo = inputs.b as tf.TensorInfo | undefined;
    const a = float32Values(backend, aInfo);
    const b = float32Values(backend, bInfo);
    if (!a || !b) return null;
    const aShape = aInfo!.shape;
    const bShape = bInfo!.shape;
    if (aShape.length === bShape.length && aShape.every((d, i) => d === bShape[i])) {
      return backend.makeTensorInfo(aShape, 'float32', apply(op, a, b, a.length, false));
    }
    // Broadcast the smaller operand over the bigger one (only along leading dimensions).
    if (isTrailing(bShape, aShape) && aShape.length >= bShape.length && b.length > 0) {
      return backend.makeTensorInfo(aShape, 'float32', apply(op, a, b, size(bShape), false));
    }
    if (isTrailing(aShape, bShape) && bShape.length >= aShape.length && a.length > 0) {
      return backend.makeTensorInfo(bShape, 'float32', apply(op, b, a, size(aShape), true));
    }
    return null;
  };
}

export const add = binary('add');
export const sub = binary('sub');
export const multiply = binary('mul');
export const realDiv = binary('div');
