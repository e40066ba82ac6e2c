// h5wasm (the HDF5 C library compiled to WebAssembly) behind one helper: each file lives in h5wasm's
// in-memory file system only while `fn` runs, so nothing touches the disk and nothing is left behind.
import { randomBytes } from 'node:crypto';
import h5wasm, { type Attribute, type Group } from 'h5wasm';

export const H5Group = h5wasm.Group;
export type H5Group = Group;
export const H5Dataset = h5wasm.Dataset;

/** The HDF5 signature; the superblock sits at byte 0, 512, 1024, 2048… (after an optional user block). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + SIGNATURE.length <= bytes.length; at = at ? at * 2 : 512) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/**
 * Open `bytes` (or, when null, a new empty file) as an HDF5 file, run `fn`, close it; returns `fn`'s
 * result and the file's bytes afterwards (with what `fn` wrote, for a new file or `edit`).
 */
export async function withH5File<T>(
  bytes: Uint8Array | null,
  fn: (file: Group) => T,
  { edit = false } = {},
): Promise<{ result: T; bytes: Uint8Array }> {
  const { FS } = await ready();
  const name = `/digit-lab-${randomBytes(6).toString('hex')}.h5`;
  if (bytes) FS.writeFile(name, bytes);
  try {
    let file: InstanceType<typeof h5wasm.File>;
    try {
      file = new h5wasm.File(name, !bytes ? 'w' : edit ? 'a' : 'r');
    } catch (err) {
      throw new Error(`cannot read the HDF5 file (${hdf5Reason(err)})`);
    }
    let result: T;
    try {
      result = fn(file);
    } finally {
      file.close();
    }
    return { result, bytes: bytes && !edit ? bytes : FS.readFile(name) };
  } finally {
    FS.unlink(name);
  }
}

type H5FS = NonNullable<Awaited<typeof h5wasm.ready>['FS']>;
let module: Promise<{ FS: H5FS }> | null = null;

/** h5wasm's module, with HDF5 errors thrown as exceptions instead of printed to stderr. */
function ready() {
  module ??= h5wasm.ready.then((m) => {
    m.activate_throwing_error_handler();
    if (!m.FS) throw new Error('h5wasm has no file system');
    return { FS: m.FS };
  });
  return module;
}

/** The innermost reason in an HDF5 error stack, e.g. "truncated file: eof = 20000, …". */
function hdf5Reason(err: unknown): string {
  const lines = String((err as Error)?.message ?? err).split('\n');
  const reasons = lines.map((l) => /in \w+\(\): (.*)$/.exec(l)?.[1]).filter(Boolean);
  return reasons.at(-1) ?? lines[0];
}

/** Write a float32 dataset at `path` inside `group` ("conv2d/kernel:0"), making the groups on the way. */
export function writeFloat32(group: Group, path: string, values: Float32Array, shape: number[]): void {
  const parts = path.split('/');
  let g = group;
  for (const p of parts.slice(0, -1)) {
    const next = g.keys().includes(p) ? g.get(p) : g.create_group(p);
    if (!(next instanceof h5wasm.Group)) throw new Error(`'${p}' in '${path}' is not a group`);
    g = next;
  }
  g.create_dataset({ name: parts.at(-1)!, data: values, shape, dtype: '<f' });
}

/** An attribute's value as a string, or a list of strings (fixed-length ones arrive trimmed). */
export function attrString(attrs: Record<string, Attribute>, key: string): string | null {
  const v = attrs[key]?.value;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8').replace(/\0+$/, '');
  return null;
}

export function attrStrings(attrs: Record<string, Attribute>, key: string): string[] | null {
  const v = attrs[key]?.value;
  if (v === undefined || v === null) return null;
  if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array) && v.byteLength === 0) return []; // h5py's empty list
  const list = Array.isArray(v) ? v : [v];
  return list.map((s) => String(s).replace(/\0+$/, ''));
}
