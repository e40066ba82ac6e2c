// Files in and out of the model manager: read a picked folder as base64 (for models.import) and
// offer exported base64 files as downloads (for models.export).
import { MAX_MESSAGE_BYTES } from '../../../src-shared/protocol.js';
import { downloadBlob } from '../shared/png.js';

export interface ModelFile {
  path: string;
  base64: string;
}

/** Largest folder accepted from the picker: its base64 (4/3 larger) must fit in one protocol message. */
export const MAX_IMPORT_BYTES = Math.floor((MAX_MESSAGE_BYTES * 3) / 4) - 64 * 1024;

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

/** A valid model name (src-shared/model-name.ts) derived from a folder name. */
export function suggestName(folder: string): string {
  const cleaned = folder.replace(/[^A-Za-z0-9 ._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64).replace(/[ .]+$/, '');
  return cleaned || 'imported';
}

/**
 * Read a picked TF.js model folder: paths relative to the folder, hidden files skipped.
 * Throws a one-line Error when model.json is missing or the folder is too large.
 */
export async function readModelFolder(files: FileList | File[]): Promise<ModelFile[]> {
  const list = Array.from(files).filter((f) => !f.name.startsWith('.'));
  const total = list.reduce((s, f) => s + f.size, 0);
  if (total > MAX_IMPORT_BYTES) {
    throw new Error(`the folder holds ${(total / 1e6).toFixed(1)} MB; models up to ${(MAX_IMPORT_BYTES / 1e6).toFixed(1)} MB can be imported here (use the CLI for larger ones)`);
  }
  const out: ModelFile[] = [];
  for (const f of list) {
    const rel = f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1).join('/') : f.name;
    out.push({ path: rel || f.name, base64: bytesToBase64(new Uint8Array(await f.arrayBuffer())) });
  }
  if (!out.some((f) => f.path === 'model.json')) throw new Error('no model.json in the chosen folder: pick the folder of a TF.js Layers model');
  return out;
}

/** Download each exported file under its own name (model.json keeps pointing at weights.bin). */
export function downloadFiles(files: ModelFile[]): void {
  for (const f of files) {
    const type = f.path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    downloadBlob(new Blob([base64ToBytes(f.base64)], { type }), f.path.split('/').pop() ?? f.path);
  }
}
