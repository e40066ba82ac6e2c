// Reader for the IDX files of MNIST-format data sets (http://yann.lecun.com/exdb/mnist/).
// Images: 16-byte header (magic 0x00000803, count, rows, cols) then count*rows*cols bytes.
// Labels:  8-byte header (magic 0x00000801, count) then count bytes.
// Files ending in .gz are gunzipped first. Pixels stay bytes: 60000 images are 47 MB, not 188.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const IMAGES_MAGIC = 0x00000803;
export const LABELS_MAGIC = 0x00000801;

/** A bad or missing IDX file; the message is one line that names the file. */
export class IdxError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'IdxError';
  }
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count*rows*cols grey levels 0-255, row-major, one image after another. */
  data: Uint8Array;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 of an IDX file's uncompressed bytes (gunzipped first when it ends in .gz). */
export function idxSha256(file: string): string {
  return sha256(readBytes(file));
}

function readBytes(file: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new IdxError(file, 'file not found');
    if (code === 'EISDIR') throw new IdxError(file, 'is a folder, not an IDX file');
    throw new IdxError(file, `cannot read: ${(e as Error).message}`);
  }
  if (!file.endsWith('.gz')) return buf;
  try {
    return gunzipSync(buf);
  } catch (e) {
    throw new IdxError(file, `not a valid gzip file (${(e as Error).message})`);
  }
}

function checkHeader(file: string, bytes: Uint8Array, magic: number, headerSize: number, kind: string): DataView {
  if (bytes.length < headerSize) {
    throw new IdxError(file, `truncated: ${bytes.length} bytes, shorter than the ${headerSize}-byte IDX ${kind} header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new IdxError(file, `not an IDX ${kind} file: magic 0x${hex8(found)}, expected 0x${hex8(magic)}`);
  }
  return view;
}

function checkSize(file: string, bytes: Uint8Array, expected: number, what: string): void {
  if (bytes.length < expected) {
    throw new IdxError(file, `truncated: ${bytes.length} bytes, header says ${expected} (${what})`);
  }
  if (bytes.length > expected) {
    throw new IdxError(file, `${bytes.length - expected} unexpected bytes after the data: header says ${expected} (${what})`);
  }
}

function checkSha256(file: string, bytes: Uint8Array, expected: string | undefined): void {
  if (!expected) return;
  const actual = sha256(bytes);
  if (actual !== expected.toLowerCase()) {
    throw new IdxError(file, `checksum mismatch: sha256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}… (corrupt or different file)`);
  }
}

/** A plain Uint8Array view (not a Node Buffer) of the bytes after the header: no copy. */
const plain = (bytes: Uint8Array, offset: number) =>
  new Uint8Array(bytes.buffer, bytes.byteOffset + offset, bytes.byteLength - offset);

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** Read an IDX image file (raw or .gz); with `expectedSha256`, the uncompressed bytes must match it. */
export function readIdxImages(file: string, expectedSha256?: string): IdxImages {
  const bytes = readBytes(file);
  const view = checkHeader(file, bytes, IMAGES_MAGIC, 16, 'image');
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  checkSize(file, bytes, 16 + count * rows * cols, `${count} images of ${rows}×${cols}`);
  checkSha256(file, bytes, expectedSha256);
  return { count, rows, cols, data: plain(bytes, 16) };
}

/** Read an IDX label file (raw or .gz): one byte per image, each 0-9. */
export function readIdxLabels(file: string, expectedSha256?: string): Uint8Array {
  const bytes = readBytes(file);
  const view = checkHeader(file, bytes, LABELS_MAGIC, 8, 'label');
  const count = view.getUint32(4);
  checkSize(file, bytes, 8 + count, `${count} labels`);
  checkSha256(file, bytes, expectedSha256);
  const labels = plain(bytes, 8);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] > 9) throw new IdxError(file, `label ${labels[i]} at index ${i} is not a digit class 0-9`);
  }
  return labels;
}
