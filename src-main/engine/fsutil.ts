// Small filesystem helpers: durable atomic file writes, directory fsync, and the owner-pid tags that let two
// processes share one folder without cleaning up each other's work in progress.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A unique tag naming this process: "<pid>-<8 hex>". `ownerAlive` reads the pid back. */
export function ownerTag(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Whether the process that made a name carrying `ownerTag()` may still be running (pid reuse errs on "alive"). */
export function ownerAlive(tag: string): boolean {
  const pid = Number(/^(\d+)-/.exec(tag)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function tmpName(target: string, tag = 'tmp'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}-${ownerTag()}`);
}

/** Flush a directory's entries (a rename inside it) to disk. Not possible on Windows; there it is a no-op. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* Windows cannot open or fsync a directory */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write a file and flush it to disk (no rename: for files inside a folder that is not visible yet). */
export function writeFileDurable(target: string, data: string | Uint8Array): void {
  const fd = fs.openSync(target, 'wx');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Write a file atomically: write a temp file beside it, fsync, rename over the target, fsync the folder. */
export function writeFileAtomic(target: string, data: string | Uint8Array, onStep: (step: string) => void = () => {}): void {
  const tmp = tmpName(target);
  try {
    writeFileDurable(tmp, data);
    onStep('temp file written');
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  onStep('renamed');
  fsyncDir(path.dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}

/** Why a JSON record could not be read, in one line: not JSON at all, or what its parser refused. */
export function jsonReadError(err: unknown): string {
  return err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message;
}

/** A folder of one JSON file per record: each `<key>.json` (in name order; dot-files and names `key` rejects, by
 *  returning null, skipped) read by `parse`; the files it cannot read are listed with why, never deleted. */
export function readJsonFolder<T>(
  dir: string, key: (name: string) => string | null, parse: (text: string, key: string) => T,
): { items: T[]; errors: { file: string; error: string }[] } {
  const items: T[] = [];
  const errors: { file: string; error: string }[] = [];
  if (!fs.existsSync(dir)) return { items, errors };
  for (const file of fs.readdirSync(dir).sort()) {
    const k = file.startsWith('.') || !file.endsWith('.json') ? null : key(file.slice(0, -'.json'.length));
    if (k === null) continue;
    try {
      items.push(parse(fs.readFileSync(path.join(dir, file), 'utf8'), k));
    } catch (err) {
      errors.push({ file, error: jsonReadError(err) });
    }
  }
  return { items, errors };
}
