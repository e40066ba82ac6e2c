// Protocol methods → Engine calls. Params arrive already validated against protocol.ts; results are plain data.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emit, EngineMethod, ParsedParams, ResultOut } from '../../src-shared/protocol.js';
import type { Engine } from '../engine/api.js';
import { findAppRoot } from '../resources.js';
import { finiteOrNull } from './sanitize.js';
import type { Trainer } from './trainer.js';

/** One handler per engine method, typed from the protocol: a missing or mistyped handler does not compile. */
export type Handlers = {
  [M in EngineMethod]: (params: ParsedParams<M>) => Promise<ResultOut<M>> | ResultOut<M>;
};

function appVersion(): string {
  try {
    const root = findAppRoot(path.dirname(fileURLToPath(import.meta.url)));
    return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

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
  const toFiles = (files: { path: string; data: Uint8Array }[]) =>
    files.map((f) => ({ path: f.path, base64: Buffer.from(f.data).toString('base64') }));

  return {
    status: async () => {
      const e = await engine();
      return finiteOrNull({
        backend: e.backend,
        job: trainer.snapshot(),
        activeModel: await e.activeModel(),
        dataset: { name: e.dataset.name, train: e.dataset.train, test: e.dataset.test },
        version,
        trainDefaults: e.trainDefaults(),
      });
    },
    train: async (p) => trainer.start(await engine(), p),
    stop: () => trainer.stop(),
    evaluate: async (p) => (await engine()).evaluate(p.model, evalProgress(p.jobId)),
    predict: async (p) => {
      // The protocol carries grey levels 0-255 (as the images are stored); the engine wants 0-1.
      const inputs = p.inputs.map((row) => Float32Array.from(row, (v) => v / 255));
      return (await engine()).predict(inputs, p.model);
    },
    samples: async (p) => (await engine()).samples(p.n, p.seed, p.model),
    testImages: async (p) => ({ images: (await engine()).testImages(p.indices) }),
    'models.list': async () => finiteOrNull({ models: await (await engine()).listModels() }),
    'models.setActive': async (p) => {
      await (await engine()).setActiveModel(p.name);
      return { active: p.name };
    },
    'models.rename': async (p) => {
      return { name: await (await engine()).renameModel(p.from, p.to) };
    },
    'models.delete': async (p) => {
      await (await engine()).deleteModel(p.name);
      return { deleted: p.name };
    },
    'models.import': async (p) => {
      const files = p.files.map((f) => ({ path: f.path, data: new Uint8Array(Buffer.from(f.base64, 'base64')) }));
      return { name: await (await engine()).importModel(p.name, files) };
    },
    'models.export': async (p) => ({ files: toFiles(await (await engine()).exportModel(p.name)) }),
    // Keras .h5 (issue 14)
    'models.importKeras': async (p) => {
      const bytes = new Uint8Array(Buffer.from(p.base64, 'base64'));
      const r = await (await engine()).importKeras(bytes, { fileName: p.fileName, name: p.name, onProgress: evalProgress(p.jobId) });
      return finiteOrNull(r);
    },
    // The inside view and the user's handwriting (issue 13)
    activations: async (p) => {
      const a = await (await engine()).activations(Float32Array.from(p.pixels, (v) => v / 255), p.model);
      const all = a.layers[0]?.data.buffer ?? new ArrayBuffer(0); // every layer is a view of this one buffer
      const f32 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
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
    'userSamples.add': async (p) => (await engine()).addUserSample({ ...p, source: p.source ?? 'sketchpad' }),
    'userSamples.list': async () => (await engine()).listUserSamples(),
    'userSamples.remove': async (p) => {
      await (await engine()).removeUserSample(p.id);
      return { removed: p.id };
    },
    finetune: async (p) => trainer.startFinetune(await engine(), p),
    'models.exportKeras': async (p) => {
      const bytes = await (await engine()).exportKeras(p.name);
      return { fileName: `${p.name}.h5`, base64: Buffer.from(bytes).toString('base64') };
    },
  };
}
