// The Keras test files (tests/data/keras, see tests/data/README.md) and helpers the Keras tests share: which files,
// a weights-only file made from a real one, and a store snapshot to check that a refused import changed nothing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelMeta } from '../../src-shared/types.js';
import { withH5File, writeFloat32 } from '../../src-main/engine/keras/h5.js';
import { readKerasFile } from '../../src-main/engine/keras/read-h5.js';
import { KERAS_DIR } from './data.js';

export { KERAS_DIR };

export const KERAS_FILES = [
  { file: 'keras-2.1.3-standalone-mnist-cnn-listconfig.h5', name: 'listconfig', keras: '2.1.3', layers: 11 },
  { file: 'tfkeras-2.2.4-tf-mnist-cnn-batchnorm.h5', name: 'batchnorm', keras: '2.2.4-tf', layers: 13 },
  { file: 'tfkeras-2.6.0-mnist-convnet.h5', name: 'convnet', keras: '2.6.0', layers: 8 },
] as const;
export const readKerasTestFile = (file: string) => new Uint8Array(fs.readFileSync(path.join(KERAS_DIR, file)));

/** A model's meta.json in the store at `home`, read through the store's version pointer (`models/<name>/current`). */
export function readMeta(home: string, name: string): ModelMeta {
  const dir = path.join(home, 'models', name);
  const version = fs.readFileSync(path.join(dir, 'current'), 'utf8').trim();
  return JSON.parse(fs.readFileSync(path.join(dir, version, 'meta.json'), 'utf8')) as ModelMeta;
}

/** Every file under the store (path → sha256), to check a failed import changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full)] = e.isFile() ? createHash('sha256').update(fs.readFileSync(full)).digest('hex') : 'dir';
  }
  return out;
}

/** A weights-only file as model.save_weights('w.h5') writes it: layer groups at the root, no model_config. */
export async function weightsOnly(bytes: Uint8Array): Promise<Uint8Array> {
  const k = await readKerasFile(bytes);
  const { bytes: out } = await withH5File(null, (f) => {
    f.create_attribute('keras_version', k.kerasVersion!);
    f.create_attribute('backend', k.backend!);
    f.create_attribute('layer_names', k.layers.map((l) => l.layer));
    for (const l of k.layers) {
      const g = f.create_group(l.layer);
      g.create_attribute('weight_names', l.weights.length ? l.weights.map((w) => w.name) : new Float64Array(0));
      for (const w of l.weights) writeFloat32(g, w.name, w.values, w.shape);
    }
  });
  return out;
}
