// Option parsers shared by the commands: each turns a bad value into commander's one-line error.
import { InvalidArgumentError } from 'commander';
import { BOUNDS } from '../../src-shared/protocol.js';
import { validateModelName } from '../engine/store.js';

export function intArg(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}
export function nameArg(value: string) {
  try {
    return validateModelName(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
/** An integer within one of the protocol's BOUNDS. */
export const boundedArg = (b: { min: number; max: number }) => intArg(b.min, b.max);

export function floatArg(value: string) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** A learning rate: above 0, at most the protocol's bound. */
export function rateArg(value: string) {
  const n = floatArg(value);
  if (n > BOUNDS.learningRate.max) throw new InvalidArgumentError(`expected a number above 0, at most ${BOUNDS.learningRate.max}`);
  return n;
}

/** Two fractions from 0 to below 1, comma-separated: Adam's β₁,β₂. */
export function betasArg(value: string): [number, number] {
  const parts = value.split(',').map(Number);
  if (parts.length !== 2 || !parts.every((n) => n >= 0 && n < 1)) throw new InvalidArgumentError('expected two numbers from 0 to below 1, e.g. 0.9,0.999');
  return [parts[0], parts[1]];
}

/** A fraction from 0 to below 1. */
export function fractionArg(value: string) {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number from 0 to below 1');
  return n;
}
