// The helper thread: runs its share of a convolution (conv-core.ts) on data in a SharedArrayBuffer,
// then flips the state word and wakes the main thread, which waits with Atomics.wait (TF.js kernels
// are synchronous). Protocol and control words: see parallel.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { runConv, type ConvKind } from './conv-core.js';
import type { ConvGeometry } from './conv-geometry.js';

export interface ConvJob {
  kind: ConvKind;
  g: ConvGeometry;
  data: SharedArrayBuffer;
  /** Float offsets in data: a is [a0, a1), b is [b0, b1), out is [o0, o1). */
  a0: number;
  a1: number;
  b0: number;
  b1: number;
  o0: number;
  o1: number;
}

export const READY = 0; // control word: 1 once this thread listens
export const STATE = 1; // control word: the job's state
export const POSTED = 1;
export const DONE = 2;
export const FAILED = 3;

if (parentPort && workerData?.convHelper) {
  const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
  parentPort.on('message', (job: ConvJob) => {
    try {
      const f = new Float32Array(job.data);
      runConv(job.kind, job.g, f.subarray(job.a0, job.a1), f.subarray(job.b0, job.b1), f.subarray(job.o0, job.o1));
      Atomics.store(ctrl, STATE, DONE);
    } catch (err) {
      console.error('digit-lab: conv helper thread failed:', err instanceof Error ? err.message : err);
      Atomics.store(ctrl, STATE, FAILED);
    }
    Atomics.notify(ctrl, STATE);
  });
  Atomics.store(ctrl, READY, 1);
}
