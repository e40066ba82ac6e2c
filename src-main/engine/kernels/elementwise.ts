// Add, Sub, Multiply, RealDiv on float32 tensors, for the shapes a training step produces:
// equal shapes (relu gradients, dropout masks, optimizer updates), a scalar on either side,
// and a bias over the channels-last dimension (b's shape = a's trailing dimensions, e.g.
// [batch, h, w, c] + [c]), and a value a row (b's shape = a's leading dimensions then 1s, e.g.
// [batch, 10] / [batch, 1]: softmax's normalisation and the loss's gradient). The stock kernels compute an
// index → coordinates → index conversion per element when broadcasting; here broadcasting is a modulo-free
// inner loop. Other broadcasts run the stock kernel.
import type * as tf from '@tensorflow/tfjs';
import type { CpuKernelArgs, FastKernel } from './types.js';
import { float32Values, newOutput } from './types.js';

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

/** True when `small` is `big` with its trailing dimensions (at least one, not all 1 already) set to 1: [n, 1] in [n, m]. */
function isLeading(small: number[], big: number[]): boolean {
  if (small.length !== big.length) return false;
  let k = 0;
  while (k < small.length && small[k] === big[k]) k++;
  if (k === small.length) return false;
  for (let i = k; i < small.length; i++) if (small[i] !== 1) return false;
  return true;
}

/** Whether a binary op of these shapes broadcasts a value a row of the other (either side). */
export function isRowBroadcast(aShape: number[], bShape: number[]): boolean {
  return isLeading(bShape, aShape) || isLeading(aShape, bShape);
}

/** out[i] = a[i] op b[⌊i / inner⌋] — each value of b serves `inner` consecutive elements of a. */
function applyRows(op: Op, a: Float32Array, b: Float32Array, inner: number, swapped: boolean, out: Float32Array): void {
  for (let r = 0, i = 0; r < b.length; r++) {
    const v = b[r];
    const end = i + inner;
    if (op === 'add') for (; i < end; i++) out[i] = a[i] + v;
    else if (op === 'mul') for (; i < end; i++) out[i] = a[i] * v;
    else if (op === 'div') for (; i < end; i++) out[i] = swapped ? v / a[i] : a[i] / v;
    else for (; i < end; i++) out[i] = swapped ? v - a[i] : a[i] - v;
  }
}

/** out[i] = a[i] op b[i % period] — b repeats every `period` elements (period 1 = scalar). */
function apply(op: Op, a: Float32Array, b: Float32Array, period: number, swapped: boolean, out: Float32Array): void {
  if (period === a.length) {
    if (op === 'add') for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    else if (op === 'mul') for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
    else if (op === 'div') for (let i = 0; i < a.length; i++) out[i] = swapped ? b[i] / a[i] : a[i] / b[i];
    else if (swapped) for (let i = 0; i < a.length; i++) out[i] = b[i] - a[i];
    else for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
    return;
  }
  // One flat loop, b's index wrapping (faster here than a loop nest over the periods).
  const n = a.length;
  let j = 0;
  if (op === 'add') {
    for (let i = 0; i < n; i++) {
      out[i] = a[i] + b[j];
      if (++j === period) j = 0;
    }
  } else if (op === 'mul') {
    for (let i = 0; i < n; i++) {
      out[i] = a[i] * b[j];
      if (++j === period) j = 0;
    }
  } else if (op === 'div') {
    for (let i = 0; i < n; i++) {
      out[i] = swapped ? b[j] / a[i] : a[i] / b[j];
      if (++j === period) j = 0;
    }
  } else {
    for (let i = 0; i < n; i++) {
      out[i] = swapped ? b[j] - a[i] : a[i] - b[j];
      if (++j === period) j = 0;
    }
  }
}

function binary(op: Op): FastKernel {
  return ({ inputs, backend }: CpuKernelArgs) => {
    const aInfo = inputs.a as tf.TensorInfo | undefined;
    const bInfo = inputs.b as tf.TensorInfo | undefined;
    if (!float32Values(backend, aInfo) || !float32Values(backend, bInfo)) return null;
    const aShape = aInfo!.shape;
    const bShape = bInfo!.shape;
    // Equal shapes, or the smaller operand broadcast over the bigger one (only along leading dimensions).
    let swapped: boolean;
    let rows = false; // b (a, swapped) a value a row of the other
    if (aShape.length === bShape.length && aShape.every((d, i) => d === bShape[i])) swapped = false;
    else if (isTrailing(bShape, aShape) && aShape.length >= bShape.length && size(bShape) > 0) swapped = false;
    else if (isTrailing(aShape, bShape) && bShape.length >= aShape.length && size(aShape) > 0) swapped = true;
    else if (isLeading(bShape, aShape) && size(bShape) > 0) [swapped, rows] = [false, true];
    else if (isLeading(aShape, bShape) && size(aShape) > 0) [swapped, rows] = [true, true];
    else return null;
    const out = newOutput(backend, swapped ? bShape : aShape);
    const a = float32Values(backend, aInfo)!; // read after the output exists: the wasm heap may have grown
    const b = float32Values(backend, bInfo)!;
    const [big, small] = swapped ? [b, a] : [a, b];
    if (rows) applyRows(op, big, small, big.length / small.length, swapped, out.values);
    else apply(op, big, small, small.length, swapped, out.values);
    return out.tensor();
  };
}

export const add = binary('add');
export const sub = binary('sub');
export const multiply = binary('mul');
export const realDiv = binary('div');
