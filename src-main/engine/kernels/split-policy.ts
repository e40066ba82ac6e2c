// Whether splitting a convolution across the helper thread pays, decided by measuring it.
// A training step runs the same few convolution shapes over and over, so for each shape (kind +
// geometry) the first calls are trials: a few split calls to warm the helper's JIT, then single-
// thread and split calls alternately, timed. The faster way wins, if splitting saves at least
// 15%; the trials are repeated every REVISIT calls since the machine's load changes. On a
// machine whose second core is busy (or not a real core) splitting loses and is not used.
import type { ConvKind } from './conv-core.js';
import type { ConvGeometry } from './conv-geometry.js';

const WARM = 3; // split calls not timed: the helper's code is still being compiled
const TRIALS = 3; // timed calls each way
const REVISIT = 400;
const MIN_GAIN = 0.85; // split must take < 85% of the single-thread time

interface Trial {
  calls: number;
  single: number[];
  split: number[];
  useSplit: boolean;
}

const trials = new Map<string, Trial>();
let alwaysSplit = false;

function keyOf(kind: ConvKind, g: ConvGeometry): string {
  return `${kind} ${g.batch} ${g.inH}x${g.inW}x${g.inC} ${g.fH}x${g.fW}→${g.outC} s${g.strideH}${g.strideW} p${g.padTop}${g.padLeft}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s[s.length >> 1];
}

/** Tests: split every eligible convolution, without trials. */
export function setAlwaysSplit(value: boolean): void {
  if (alwaysSplit === value) return;
  alwaysSplit = value;
  trials.clear();
}

/** A plan for one call: whether to split, and what to do with its duration afterwards. */
export function planSplit(kind: ConvKind, g: ConvGeometry): { split: boolean; done: (ms: number) => void } {
  return planSplitFor(keyOf(kind, g));
}

/** The same for any kernel call that a key names (its kind and shape): the wasm path's SIMD kernels. */
export function planSplitFor(key: string): { split: boolean; done: (ms: number) => void } {
  if (alwaysSplit) return { split: true, done: () => {} };
  let t = trials.get(key);
  if (!t || t.calls >= REVISIT) {
    t = { calls: 0, single: [], split: [], useSplit: false };
    trials.set(key, t);
  }
  const call = t.calls++;
  if (call < WARM) return { split: true, done: () => {} };
  const trial = call - WARM;
  if (trial < 2 * TRIALS) {
    const split = trial % 2 === 1;
    const record = t;
    return {
      split,
      done: (ms) => {
        (split ? record.split : record.single).push(ms);
        if (record.split.length === TRIALS && record.single.length === TRIALS) {
          record.useSplit = median(record.split) < MIN_GAIN * median(record.single);
        }
      },
    };
  }
  return { split: t.useSplit, done: () => {} };
}

/** Per shape: the decision so far (for the benchmark and tests). */
export function splitDecisions(): { shape: string; split: boolean; singleMs: number; splitMs: number }[] {
  return [...trials.entries()]
    .filter(([, t]) => t.single.length === TRIALS && t.split.length === TRIALS)
    .map(([shape, t]) => ({ shape, split: t.useSplit, singleMs: median(t.single), splitMs: median(t.split) }));
}
