// `digit-lab import model.h5` and `digit-lab export <model> model.h5`: Keras HDF5 files in and out.
import fs from 'node:fs';
import path from 'node:path';
import type { DigitLabEngine } from '../engine/engine.js';
import { writeFileAtomic } from '../engine/fsutil.js';
import { formatPercent as percent } from '../../src-shared/domain.js';

const scaleText = (scale: number) => (scale === 1 ? '0-1' : `0-${scale}`);

/** Import a Keras file; returns the lines to print. */
export async function runImport(e: DigitLabEngine, file: string, name?: string): Promise<string[]> {
  const bytes = readInput(file);
  const r = await e.models.importKeras({ bytes, fileName: path.basename(file), name });
  const o = r.origin;
  const check = o.inputScaleCheck;
  const how = check
    ? `detected: ${percent(check.accuracy01)} with 0-1, ${percent(check.accuracy0255)} with 0-255 on ${check.images} training images`
    : 'recorded in the file';
  return [
    `imported '${r.model}' from ${o.fileName} (Keras ${o.kerasVersion ?? '?'}, ${o.backend ?? '?'} backend; ${o.layers.length} layers)`,
    `input scale: ${scaleText(r.inputScale)} (${how})`,
    `test accuracy: ${percent(r.testAccuracy)} on the ${e.dataset.test} ${e.dataset.name} test images`,
  ];
}

/** Write a model as a Keras .h5 file (refuses to overwrite unless `force`). */
export async function runExport(e: DigitLabEngine, model: string, file: string, force = false): Promise<string[]> {
  if (!force && fs.existsSync(file)) throw new Error(`${file} already exists (use --force to replace it)`);
  const { bytes } = await e.models.exportKeras({ name: model });
  writeFileAtomic(path.resolve(file), bytes);
  return [`wrote ${file} (${(bytes.byteLength / 1024).toFixed(0)} KiB): load it in Python with keras.models.load_model('${path.basename(file)}')`];
}

function readInput(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`);
  }
}
