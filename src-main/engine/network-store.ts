// "My networks": designed networks saved under a name, <home>/networks/<name>.json each (the name, the text form,
// the date), written atomically like the model store's files (fsutil.ts). A file that cannot be read is listed as
// unreadable, never deleted; a preset's name is not a network's, so `train --preset NAME` means one thing.
import fs from 'node:fs';
import path from 'node:path';
import { isModelName, MODEL_NAME_RULE } from '../../src-shared/model-name.js';
import { networkTextSchema } from '../../src-shared/network/schema.js';
import { describeIssues, type SavedNetwork } from '../../src-shared/protocol.js';
import { PRESETS } from '../../src-shared/types.js';
import { jsonReadError, readJsonFolder, writeJsonAtomic } from './fsutil.js';

export class NetworkStoreError extends Error {}

function validName(name: string): string {
  if (!isModelName(name)) throw new NetworkStoreError(`invalid network name ${JSON.stringify(String(name).slice(0, 80))}: ${MODEL_NAME_RULE}`);
  if ((PRESETS as readonly string[]).includes(name)) throw new NetworkStoreError(`'${name}' is a preset's name; choose another`);
  return name;
}

/** The canonical text form of a network, or a one-line refusal naming the layer. */
function validLayers(layers: string): string {
  const r = networkTextSchema.safeParse(layers);
  if (!r.success) throw new NetworkStoreError(r.error.issues[0]?.message ?? describeIssues(r.error));
  return r.data;
}

function parseFile(text: string, name: string): SavedNetwork {
  const raw = JSON.parse(text) as Partial<SavedNetwork>;
  if (raw.name !== name) throw new NetworkStoreError(`its name '${String(raw.name).slice(0, 64)}' does not match its file name`);
  if (typeof raw.layers !== 'string') throw new NetworkStoreError('it has no layers');
  return { name, layers: validLayers(raw.layers), createdAt: String(raw.createdAt ?? '') };
}

export class NetworkStore {
  readonly dir: string;

  constructor(home: string) {
    this.dir = path.join(home, 'networks');
  }

  private file(name: string): string {
    return path.join(this.dir, `${validName(name)}.json`);
  }

  /** Save a network; a taken name is refused unless `replace`. Nothing is written for a bad name or text. */
  save(name: string, layers: string, replace = false): SavedNetwork {
    const file = this.file(name);
    const network: SavedNetwork = { name, layers: validLayers(layers), createdAt: new Date().toISOString() };
    if (!replace && fs.existsSync(file)) throw new NetworkStoreError(`a network named '${name}' already exists`);
    fs.mkdirSync(this.dir, { recursive: true });
    writeJsonAtomic(file, network);
    return network;
  }

  /** Every readable network by name, and the files that could not be read. */
  list(): { networks: SavedNetwork[]; errors: { file: string; error: string }[] } {
    // A file whose name is not a valid network name is listed as unreadable, not skipped.
    const { items, errors } = readJsonFolder(this.dir, (name) => name, (text, name) => parseFile(text, validName(name)));
    return { networks: items, errors };
  }

  get(name: string): SavedNetwork {
    const file = this.file(name);
    if (!fs.existsSync(file)) throw new NetworkStoreError(`no network named '${name}'`);
    try {
      return parseFile(fs.readFileSync(file, 'utf8'), name);
    } catch (err) {
      throw new NetworkStoreError(`network '${name}' is unreadable: ${jsonReadError(err)}`);
    }
  }

  delete(name: string): void {
    const file = this.file(name);
    if (!fs.existsSync(file)) throw new NetworkStoreError(`no network named '${name}'`);
    fs.rmSync(file);
  }
}
