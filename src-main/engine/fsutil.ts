// Small filesystem helpers: atomic file writes and directory swaps.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function tmpName(target: string, tag = 'tmp'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}-${randomBytes(4).toString('hex')}`);
}

/** Write a file atomically: write a temp file beside it, fsync, then rename over the target. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tmpName(target);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}
