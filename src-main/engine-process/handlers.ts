// Protocol methods → the engine's methods of the same name (api.ts). Params arrive already validated against
// protocol.ts; the handlers only convert transport formats: base64 ↔ bytes, pixels 0-255 ↔ 0-1, NaN → null,
// progress callbacks → `evalProgress` events.
import { mapColumns, type Emit, type EngineMethod, type ParsedParams, type ResultOut } from '../../src-shared/protocol.js';
import type { Engine } from '../engine/api.js';
import { appVersion } from '../resources.js';
import { finiteOrNull } from './sanitize.js';
import type { Trainer } from './trainer.js';

/** One handler per engine method, typed from the protocol: a missing or mistyped handler does not compile. */
export type Handlers = {
  [M in EngineMethod]: (params: ParsedParams<M>) => Promise<ResultOut<M>> | ResultOut<M>;
};

export function createHandlers(
  engine: () => Promise<Engine>,
  trainer: Trainer,
  emit: Emit,
): Handlers {
  const version = appVersion();
  /** Reports evaluation progress as `evalProgress` events, at most one per 100 ms (and always the last). */
  const evalProgress = (jobId: string | undefined) => {
    let last = 0;
    return (done: number, total: number) => {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      emit('evalProgress', { jobId: jobId ?? null, done, total });
    };
  };
  const toBase64 = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
  /** The wire carries grey levels 0-255 (as the images are stored); the engine takes 0-1 floats. */
  const unitPixels = (row: number[]) => Float32Array.from(row, (v) => v / 255);

  return {
    status: async () => finiteOrNull({ ...(await (await engine()).status()), job: trainer.snapshot(), version }),
    train: async (p) => (p.data ? trainer.startOn(await engine(), p) : trainer.start(await engine(), p)),
    finetune: async (p) => trainer.startFinetune(await engine(), p),
    stop: () => trainer.stop(),
    evaluate: async ({ jobId, ...p }) => finiteOrNull(await (await engine()).evaluate({ ...p, onProgress: evalProgress(jobId) })),
    predict: async (p) => (await engine()).predict({ ...p, inputs: p.inputs.map(unitPixels) }),
    samples: async (p) => (await engine()).samples(p),
    testImages: async (p) => (await engine()).testImages(p),
    'models.list': async () => finiteOrNull(await (await engine()).models.list({})),
    'models.setActive': async (p) => (await engine()).models.setActive(p),
    'models.rename': async (p) => (await engine()).models.rename(p),
    'models.delete': async (p) => (await engine()).models.delete(p),
    'models.import': async (p) =>
      (await engine()).models.import({ ...p, files: p.files.map((f) => ({ path: f.path, data: fromBase64(f.base64) })) }),
    'models.export': async (p) => {
      const { files } = await (await engine()).models.export(p);
      return { files: files.map((f) => ({ path: f.path, base64: toBase64(f.data) })) };
    },
    'models.importKeras': async ({ base64, jobId, ...p }) =>
      finiteOrNull(await (await engine()).models.importKeras({ ...p, bytes: fromBase64(base64), onProgress: evalProgress(jobId) })),
    'models.exportKeras': async (p) => {
      const { fileName, bytes } = await (await engine()).models.exportKeras(p);
      return { fileName, base64: toBase64(bytes) };
    },
    activations: async (p) => {
      const a = await (await engine()).activations({ ...p, pixels: unitPixels(p.pixels) });
      const all = a.layers[0]?.data.buffer ?? new ArrayBuffer(0); // every layer is a view of this one buffer
      const f32 = (v: Float32Array) => toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return finiteOrNull({
        model: a.model,
        base64: f32(new Float32Array(all)),
        layers: a.layers.map((l) => ({
          name: l.name, className: l.className, shape: l.shape, offset: l.data.byteOffset / 4, length: l.data.length,
          min: l.min, max: l.max,
        })),
        filters: a.filters && { layer: a.filters.layer, shape: a.filters.shape, base64: f32(a.filters.data) },
        skipped: a.skipped,
      });
    },
    explain: async (p) => {
      const r = await (await engine()).explain({ ...p, pixels: unitPixels(p.pixels) });
      return { ...r, map: Array.from(r.map) };
    },
    'userSamples.add': async (p) => (await engine()).userSamples.add({ ...p, source: p.source ?? 'sketchpad' }),
    'userSamples.list': async (p) => (await engine()).userSamples.list(p),
    'userSamples.remove': async (p) => (await engine()).userSamples.remove(p),
    'compare.runs': async ({ jobId, ...p }) => {
      const { runs } = await (await engine()).compare.runs({ ...p, onProgress: evalProgress(jobId) });
      const column = (values: number[]) => toBase64(new Uint8Array(Float32Array.from(values).buffer));
      return finiteOrNull({ runs: runs.map((run) => ({ ...run, curve: run.curve && mapColumns(run.curve, column) })) });
    },
    'compare.diff': async ({ jobId, ...p }) => (await engine()).compare.diff({ ...p, onProgress: evalProgress(jobId) }),
    'networks.list': async (p) => (await engine()).networks.list(p),
    'networks.save': async (p) => (await engine()).networks.save(p),
    'networks.delete': async (p) => (await engine()).networks.delete(p),
    'networks.measure': async (p) => (await engine()).networks.measure(p),
    'datasets.list': async (p) => (await engine()).datasets.list(p),
    'datasets.add': async ({ jobId, ...p }) => (await engine()).datasets.add({ ...p, onProgress: evalProgress(jobId) }),
  };
}
