// Files in and out of the model manager: read a picked TF.js folder or Keras .h5 file as base64 (for
// models.import / models.importKeras) and offer exported base64 files as downloads (models.export / exportKeras).
import { suggestModelName } from '../../../src-shared/model-name.js';
import { MAX_FILE_BYTES, type Params } from '../../../src-shared/protocol.js';
import { downloadBlob } from '../shared/png.js';

/** A TF.js model's file as `models.import` / `models.export` carry it. */
export type ModelFile = Params<'models.import'>['files'][number];

/** A Keras file read for models.importKeras. */
export type KerasFile = Pick<Params<'models.importKeras'>, 'fileName' | 'base64'>;

const tooLarge = (what: string, bytes: number) =>
  new Error(`${what} holds ${(bytes / 1e6).toFixed(1)} MB; models up to ${(MAX_FILE_BYTES / 1e6).toFixed(1)} MB can be imported here (use the CLI for larger ones)`);

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The folder a <input webkitdirectory> selection came from. */
export function folderName(files: FileList | File[]): string {
  const first = Array.from(files)[0];
  return first?.webkitRelativePath.split('/')[0] ?? '';
}

/** A valid model name (src-shared/model-name.ts) derived from a folder or file name. */
export const suggestName = (folder: string): string => suggestModelName(folder, 'imported');

/**
 * Read a picked TF.js model folder: paths relative to the folder, hidden files skipped.
 * Throws a one-line Error when model.json is missing or the folder is too large.
 */
export async function readModelFolder(files: FileList | File[]): Promise<ModelFile[]> {
  const list = Array.from(files).filter((f) => !f.name.startsWith('.'));
  const total = list.reduce((s, f) => s + f.size, 0);
  if (total > MAX_FILE_BYTES) throw tooLarge('the folder', total);
  const out: ModelFile[] = [];
  for (const f of list) {
    const rel = f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1).join('/') : f.name;
    out.push({ path: rel || f.name, base64: bytesToBase64(new Uint8Array(await f.arrayBuffer())) });
  }
  if (!out.some((f) => f.path === 'model.json')) throw new Error('no model.json in the chosen folder: pick the folder of a TF.js Layers model');
  return out;
}

/** Read a picked or dropped Keras file (whether it is HDF5 at all, the engine checks). */
export async function readKerasFile(file: File): Promise<KerasFile> {
  if (file.size > MAX_FILE_BYTES) throw tooLarge(file.name, file.size);
  return { fileName: file.name, base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) };
}

/** What a drop holds: a TF.js model's files (model.json among them), or one file taken as a Keras .h5. */
export function classifyDrop(files: File[]): 'tfjs' | 'keras' {
  if (files.some((f) => f.name === 'model.json')) return 'tfjs';
  if (files.length === 1 && files[0].size > 0) return 'keras';
  throw new Error('drop one Keras .h5 file, or the files of a TF.js model (model.json and its weights)');
}

/** Offer base64 bytes as a download named `fileName`. */
export function downloadBase64(base64: string, fileName: string): void {
  const type = fileName.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  downloadBlob(new Blob([base64ToBytes(base64)], { type }), fileName.split('/').pop() ?? fileName);
}

/** Download each exported file under its own name (model.json keeps pointing at weights.bin). */
export function downloadFiles(files: ModelFile[]): void {
  for (const f of files) downloadBase64(f.base64, f.path);
}
