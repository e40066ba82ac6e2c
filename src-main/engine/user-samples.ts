// The user's own handwriting: <home>/samples/<id>.json, one file per drawing (its strokes in pad
// units when it was drawn, its 28×28 image as grey levels 0-255, its label and date), each written
// atomically. Files that cannot be read are reported by list(), never deleted.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PIXELS } from '../../src-shared/domain.js';
import { MAX_STROKE_POINTS, MAX_STROKES, type ParsedParams, type UserSample } from '../../src-shared/protocol.js';
import { jsonReadError, readJsonFolder, writeJsonAtomic } from './fsutil.js';

/** A point of a stroke in pad units: 0-1 on both axes, origin top-left (as the sketchpad stores it). */
type PadPoint = NonNullable<UserSample['strokes']>[number][number];

/** `userSamples.add`'s params; `pixels`: 784 grey levels 0-255, or 0-1 floats when every value is ≤ 1. */
export type NewUserSample = Omit<ParsedParams<'userSamples.add'>, 'pixels'> & { pixels: ArrayLike<number> };

export class SampleError extends Error {}

const ID_RE = /^s-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;

function validId(id: string): string {
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new SampleError(`invalid sample id '${String(id).slice(0, 40)}'`);
  return id;
}

function validLabel(label: unknown): number {
  if (!Number.isInteger(label) || (label as number) < 0 || (label as number) > 9) {
    throw new SampleError(`the label must be a digit 0-9, got ${String(label).slice(0, 20)}`);
  }
  return label as number;
}

/** 784 grey levels 0-255 (integers) from 0-255 levels or 0-1 floats. */
function validPixels(pixels: ArrayLike<number>): number[] {
  if (!pixels || pixels.length !== PIXELS) throw new SampleError(`the image must have ${PIXELS} values (28×28), got ${pixels?.length ?? 0}`);
  const values = Array.from(pixels);
  if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 255)) {
    throw new SampleError('the image values must be numbers from 0 to 255 (or 0 to 1)');
  }
  const scale = values.every((v) => v <= 1) ? 255 : 1;
  if (values.every((v) => v === 0)) throw new SampleError('the image is blank');
  return values.map((v) => Math.round(v * scale));
}

function validStrokes(strokes: unknown): PadPoint[][] | null {
  if (strokes == null) return null;
  if (!Array.isArray(strokes) || strokes.length > MAX_STROKES) throw new SampleError(`strokes must be a list of at most ${MAX_STROKES} strokes`);
  return strokes.map((s) => {
    if (!Array.isArray(s)) throw new SampleError('each stroke must be a list of points');
    if (s.length > MAX_STROKE_POINTS) throw new SampleError(`a stroke may have at most ${MAX_STROKE_POINTS} points`);
    return s.map((p: unknown) => {
      const { x, y } = (p ?? {}) as PadPoint;
      if (![x, y].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= -1 && v <= 2)) {
        throw new SampleError('stroke points must be {x, y} in pad units (0-1)');
      }
      return { x, y };
    });
  });
}

/** Read one sample file, validating it as strictly as add() does. */
function parseSample(text: string, id: string): UserSample {
  const raw = JSON.parse(text) as Partial<UserSample>;
  if (raw.id !== id) throw new SampleError(`its id '${String(raw.id)}' does not match its file name`);
  return {
    id, label: validLabel(raw.label), pixels: validPixels(raw.pixels ?? []), strokes: validStrokes(raw.strokes),
    createdAt: String(raw.createdAt ?? ''), ...(raw.source ? { source: String(raw.source) } : {}),
  };
}

export class SampleStore {
  readonly dir: string;

  constructor(home: string) {
    this.dir = path.join(home, 'samples');
  }

  private file(id: string): string {
    return path.join(this.dir, `${validId(id)}.json`);
  }

  add(input: NewUserSample): UserSample {
    if (!input || typeof input !== 'object') throw new SampleError('a sample needs a label and a 28×28 image');
    const now = new Date();
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const sample: UserSample = {
      id: `s-${stamp}-${randomBytes(3).toString('hex')}`,
      label: validLabel(input.label),
      pixels: validPixels(input.pixels),
      strokes: validStrokes(input.strokes),
      createdAt: now.toISOString(),
      ...(input.source ? { source: String(input.source).slice(0, 200) } : {}),
    };
    fs.mkdirSync(this.dir, { recursive: true });
    writeJsonAtomic(this.file(sample.id), sample);
    return sample;
  }

  /** Every readable sample, oldest first, and the files that could not be read. */
  list(): { samples: UserSample[]; errors: { file: string; error: string }[] } {
    const { items: samples, errors } = readJsonFolder(this.dir, (id) => (ID_RE.test(id) ? id : null), parseSample);
    samples.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return { samples, errors };
  }

  get(id: string): UserSample {
    const file = this.file(id);
    if (!fs.existsSync(file)) throw new SampleError(`no sample '${id}' (see 'digit-lab samples list')`);
    try {
      return parseSample(fs.readFileSync(file, 'utf8'), id);
    } catch (err) {
      throw new SampleError(`sample '${id}' is corrupt: ${jsonReadError(err)}`);
    }
  }

  remove(id: string): void {
    const file = this.file(id);
    if (!fs.existsSync(file)) throw new SampleError(`no sample '${id}' (see 'digit-lab samples list')`);
    fs.rmSync(file);
  }
}
