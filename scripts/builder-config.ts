// electron-builder.yml as data: loading it, and deriving the GPU edition's configuration from it
// (electron-builder's `extends` concatenates file lists, so it cannot drop the standard edition's
// exclusion of tfjs-node-gpu: the GPU config is derived here instead, one source of truth).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUILDER_CONFIG = path.join(ROOT, 'electron-builder.yml');

/** The standard edition's pattern that keeps the CUDA build of TensorFlow out of its installers. */
export const GPU_PACKAGE_EXCLUDE = '!node_modules/@tensorflow/tfjs-node-gpu{,/**}';
export const GPU_ARTIFACT_NAME = 'digit-lab-gpu-${version}-${os}-${arch}.${ext}';

export type BuilderConfig = Record<string, any>;

export function loadBuilderConfig(file: string = BUILDER_CONFIG): BuilderConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as Error).message})`);
  }
  const config = parse(text) as unknown;
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error(`${file}: not a YAML mapping`);
  return config as BuilderConfig;
}

/** The GPU edition: the same app with @tensorflow/tfjs-node-gpu kept in, under its own artifact names. */
export function gpuEdition(base: BuilderConfig): BuilderConfig {
  const config = structuredClone(base);
  const files = config.files as unknown[] | undefined;
  if (!files?.includes(GPU_PACKAGE_EXCLUDE)) throw new Error(`electron-builder.yml: files has no '${GPU_PACKAGE_EXCLUDE}' to drop`);
  config.files = files.filter((f) => f !== GPU_PACKAGE_EXCLUDE);
  config.artifactName = GPU_ARTIFACT_NAME;
  return config;
}
