// The one contract between the renderer, the main process / browser-mode server, and the engine
// process. Defined once here with zod: TypeScript types are inferred from the schemas, and every
// message that crosses a process or socket boundary is validated against them on arrival.
import { z } from 'zod';
import { CLASSES, MAX_CLASSES, MIN_CLASSES, PIXELS } from './domain.js';
import { MODEL_NAME_MAX, MODEL_NAME_RE, MODEL_NAME_RULE } from './model-name.js';
import { AUGMENTS, EXPLAIN_METHODS, OPTIMIZERS, PRESETS, SCHEDULES } from './types.js';
import { networkTextSchema } from './network/schema.js';

/** Largest serialized message accepted on any transport (bytes): room for model files of up to MAX_FILE_BYTES as
 *  base64 (models.import / models.export / models.importKeras / models.exportKeras; the shipped default is at most 5 MB). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Largest file (or set of files) sent as base64 (4/3 larger) in one message, with room left for the envelope. */
export const MAX_FILE_BYTES = Math.floor((MAX_MESSAGE_BYTES * 3) / 4) - 64 * 1024;

/** Every bound of a request's numbers, defined once: the schemas below, the CLI's option parsers and the Train form's
 *  fields use these. `learningRate` must be above its `min` (0); every other range includes both ends. */
export const BOUNDS = {
  epochs: { min: 1, max: 200 },
  batchSize: { min: 1, max: 4096 },
  learningRate: { min: 0, max: 10 },
  trainSize: { min: 0, max: 60_000 },
  validationSize: { min: 0, max: 30_000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  /** Fine-tuning: training steps, and MNIST test images scored before and after. */
  finetuneSteps: { min: 1, max: 10_000 },
  finetuneTestSize: { min: 0, max: 10_000 },
  /** Test images drawn per `samples` request. */
  samples: { min: 1, max: 500 },
} as const;
type Bound = { readonly min: number; readonly max: number };

/** A drawing of the user's own handwriting: at most MAX_STROKES strokes of at most MAX_STROKE_POINTS points each. */
export const MAX_STROKES = 100;
export const MAX_STROKE_POINTS = 20_000;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const bounded = (b: Bound) => int(b.min, b.max);
const modelName = z.string().min(1).max(MODEL_NAME_MAX).regex(MODEL_NAME_RE, MODEL_NAME_RULE);
/** One probability per class: ten for digits, MIN_CLASSES to MAX_CLASSES for other datasets. */
const probs = z.array(z.number()).min(MIN_CLASSES).max(MAX_CLASSES);
/** Class names, in label order. */
const classNames = z.array(z.string().min(1).max(100)).min(MIN_CLASSES).max(MAX_CLASSES);
/** A folder on the engine's machine (an IDX dataset or an image folder). */
const folderPath = z.string().min(1).max(4096);
/** A caller-chosen id for a long request's progress events (`evalProgress`), so each client follows only its own. */
const progressId = z.string().min(1).max(64).optional();
const pixels784 = z.array(z.number().min(0).max(255)).length(PIXELS);

/** Hyperparameters of one training run. */
export const trainConfigSchema = z.object({
  preset: z.enum(PRESETS),
  epochs: bounded(BOUNDS.epochs),
  batchSize: bounded(BOUNDS.batchSize),
  learningRate: z.number().gt(BOUNDS.learningRate.min).max(BOUNDS.learningRate.max),
  optimizer: z.enum(OPTIMIZERS),
  /** Augmentation of training images (AUGMENTS: off, affine, pen). */
  augment: z.enum(AUGMENTS),
  /** Number of training images used (0 = all left after the validation split). */
  trainSize: bounded(BOUNDS.trainSize),
  /** Images held out of the training set for validation. */
  validationSize: bounded(BOUNDS.validationSize),
  seed: bounded(BOUNDS.seed),
  schedule: z.enum(SCHEDULES).optional(),
  /** Adam's β₁ and β₂ (absent: 0.9 and 0.999, tf.train.adam's). */
  adamBetas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).optional(),
  /** The preset's dropout layers (absent: kept). */
  dropout: z.boolean().optional(),
  /** A designed network in the text form (docs/networks.md) instead of the preset's; the preset still gives the
   *  training defaults. Read back as its canonical form; an impossible network is refused with its one line. */
  layers: networkTextSchema.optional(),
  /** Name to save the model under; generated from preset and date when absent. */
  name: modelName.optional(),
  from: modelName.optional(),
  /** The dataset's folder (`datasets.list`'s `dir`: IDX files or an image folder); absent: the engine's dataset. */
  data: folderPath.optional(),
});

/** Training on rendered pen digits too (`digit-lab train --pen-data`): CLI only, never a request's params (`penData`
 *  is a path on the engine's machine); a saved model's meta.json records them. `penWriters`: which of the tuning
 *  writers (default all); `penRepeat`: how many times each pen digit is added (default 1). */
const penTrainingSchema = z.object({
  penData: z.string().optional(), penWriters: z.array(z.number()).optional(), penRepeat: z.number().optional(),
});

/** A training metric: JSON has no NaN/Infinity, so senders write null (a diverged loss) and readers get NaN back. */
const metric = z.number().nullable().transform((v) => v ?? NaN);
const epochSchema = z.object({
  epoch: z.number(), epochs: z.number(), loss: metric, accuracy: metric,
  valLoss: metric, valAccuracy: metric, imagesPerSec: metric, elapsedMs: z.number(), etaMs: metric,
});
const batchSchema = z.object({
  epoch: z.number(), epochs: z.number(), batch: z.number(), batchesPerEpoch: z.number(), loss: metric,
  accuracy: metric, imagesPerSec: metric, elapsedMs: z.number(), etaMs: metric,
});
/** Which TF.js backend runs ('tensorflow' native or 'cpu' pure JS), on what device, whether the fast CPU kernels
 *  are registered, which faster backends were skipped and why, and a one-line hint ('' when already on a GPU). */
const backendSchema = z.object({
  name: z.string(), kind: z.enum(['gpu', 'native-cpu', 'wasm', 'pure-js']), device: z.string(), fastKernels: z.boolean(),
  skipped: z.array(z.object({ backend: z.string(), reason: z.string() })), hint: z.string(),
});
/** An imported Keras HDF5 file, as recorded in meta.json: `layers` are "ClassName layer_name" in config order;
 *  `inputScaleSource` 'file' (a Digit Lab export says) or 'detected' (the better of 0-1 and 0-255 on training images). */
const originSchema = z.object({
  format: z.literal('keras-h5'), fileName: z.string(), sha256: z.string(), kerasVersion: z.string().nullable(),
  backend: z.string().nullable(), layers: z.array(z.string()), inputScaleSource: z.enum(['file', 'detected']),
  inputScaleCheck: z.object({ images: z.number(), accuracy01: z.number(), accuracy0255: z.number() }).optional(),
});
const userMnist = z.object({ user: z.number().nullable(), mnist: z.number().nullable() });
/** Fine-tuning on the user's examples: examples trained on / held out, steps, batch, lr, the share of each batch
 *  replayed from MNIST, MNIST test images scored, and held-out-example and MNIST accuracy before and after. */
const finetuneSchema = z.object({
  samples: z.number(), heldOut: z.number(), steps: z.number(), batchSize: z.number(), learningRate: z.number(),
  replay: z.number(), testSize: z.number(), before: userMnist, after: userMnist,
});
/** A saved run's config: meta.json files written before `augment` was one enum hold true (affine) or false (off). */
const savedConfigSchema = trainConfigSchema.extend(penTrainingSchema.shape).extend({
  augment: z.union([z.enum(AUGMENTS), z.boolean().transform((on) => (on ? 'affine' : 'off'))]),
  layers: z.string().optional(),
});
/** What a model was trained on (meta.json's `trainedOn`; absent: MNIST, or the set `dataset` names): the dataset's
 *  name and kind, its class names in label order, its image side, a fingerprint (a hash of its test files) and the
 *  folder it was read from. */
export const datasetInfoSchema = z.object({
  name: z.string(), kind: z.enum(['idx', 'images']), classes: classNames, imageSide: z.number(), fingerprint: z.string(),
  dir: z.string().optional(),
});
export const metaSchema = z.object({
  name: z.string(), preset: z.union([z.enum(PRESETS), z.literal('imported')]), config: savedConfigSchema.nullable(),
  history: z.array(epochSchema),
  testAccuracy: z.number().nullable(), confusion: z.array(z.array(z.number())).nullable(), backend: z.string(),
  device: z.string(), durationMs: z.number(), createdAt: z.string(), params: z.number(),
  command: z.string().optional(), commit: z.string().optional(), dataset: z.string().optional(),
  /** What a white pixel is fed as: 1 (0-1 floats, the default when absent) or 255 (0-255). */
  inputScale: z.number().optional(), origin: originSchema.optional(),
  /** A fine-tuned model: the model it started from, and what it was tuned on with its accuracy before and after. */
  base: z.string().optional(), finetune: finetuneSchema.optional(),
  /** The network trained, in the text form (docs/networks.md): the layers model.json has, between input and output. */
  layers: z.string().optional(),
  trainedOn: datasetInfoSchema.optional(),
});
/** A model in the store: `shipped` = read-only, came with the app; `error` when its folder cannot be read. */
const modelInfoSchema = z.object({
  name: z.string(), shipped: z.boolean(), active: z.boolean(), meta: metaSchema.nullable(), error: z.string().optional(),
});
const mistakeSchema = z.object({
  index: z.number(), label: z.number(), predicted: z.number(), confidence: z.number(), probs,
});
/** Accuracy overall, per class, and confusion[actual][predicted]. */
const confusionSchema = z.object({
  accuracy: z.number(), perClassAccuracy: z.array(z.number()).min(MIN_CLASSES).max(MAX_CLASSES),
  confusion: z.array(z.array(z.number())),
});
const evalSchema = confusionSchema.extend({
  model: z.string(), dataset: z.string(), classes: classNames, count: z.number(), correct: z.number(), mistakes: z.array(mistakeSchema), durationMs: z.number(),
});
/** A test image (`pixels`: 784 grey levels 0-255) with the model's prediction. */
const sampleSchema = z.object({
  index: z.number(), label: z.number(), predicted: z.number(), confidence: z.number(), probs, pixels: pixels784,
});
/** `model` is null when nothing was saved (stopped before the first batch). */
const trainResultSchema = z.object({
  model: z.string().nullable(), testAccuracy: metric, testLoss: metric.optional(), activated: z.boolean().optional(), stopped: z.boolean(),
  history: z.array(epochSchema), durationMs: z.number(),
});
/** A training job as seen by a (re-)attaching client: its config and everything it reported so far. */
const jobSchema = z.object({
  id: z.string(),
  /** 'finetune' jobs run through the same machinery; the Train view shows only 'train' jobs. */
  kind: z.enum(['train', 'finetune']),
  state: z.enum(['running', 'stopping', 'done', 'stopped', 'failed']),
  config: trainConfigSchema,
  startedAt: z.string(),
  batches: z.array(batchSchema),
  epochs: z.array(epochSchema),
  result: trainResultSchema.nullable(),
  error: z.string().nullable(),
});
const fileSchema = z.object({ path: z.string().min(1).max(200), base64: z.string() });

const base64 = z
  .string()
  .max(Math.ceil(MAX_FILE_BYTES / 3) * 4, `files up to ${(MAX_FILE_BYTES / 1e6).toFixed(1)} MB (use the CLI for larger ones)`)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const layerSliceSchema = z.object({
  name: z.string(), className: z.string(), shape: z.array(z.number()), offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(), min: metric, max: metric,
});
const padPoint = z.object({ x: z.number().min(-1).max(2), y: z.number().min(-1).max(2) });
const strokesSchema = z.array(z.array(padPoint).max(MAX_STROKE_POINTS)).max(MAX_STROKES);
/** One of the user's examples: 784 grey levels 0-255, the strokes it was drawn with (null: from an image file). */
const userSampleSchema = z.object({
  id: z.string(), label: z.number(), pixels: pixels784, strokes: strokesSchema.nullable(), createdAt: z.string(),
  source: z.string().optional(),
});
const finetuneResultSchema = z.object({
  /** The new model ('' when stopped before saving) and the one it started from (never changed). */
  model: z.string(), base: z.string(), trained: z.number(), heldOut: z.number(), steps: z.number(), images: z.number(),
  before: userMnist, after: userMnist, stopped: z.boolean(), durationMs: z.number(),
});

// The methods, by domain. Model files travel as base64; pixels as grey levels 0-255; metrics as number | null.

/** The engine process: its backend, the current or last job, the active model, the dataset. */
const engineMethods = {
  status: {
    params: z.object({}),
    result: z.object({
      backend: backendSchema, job: jobSchema.nullable(), activeModel: z.string().nullable(),
      dataset: z.object({ name: z.string(), train: z.number(), test: z.number(), classes: classNames.optional(), dir: z.string().optional() }),
      version: z.string(),
      /** What a run of each preset gets when nothing else is given, on this backend (the Train form's defaults). */
      trainDefaults: z.record(z.enum(PRESETS), trainConfigSchema),
    }),
  },
  /** Answered by the relay (main process / browser-mode server), not the engine: start a fresh engine process. */
  'engine.restart': { params: z.object({}), result: z.object({ restarted: z.boolean() }) },
  /** Answered by the Electron main process's relay only (browser mode refuses it): the system's folder picker; `path`
   *  null when the user cancelled. */
  'dialog.openFolder': { params: z.object({}), result: z.object({ path: z.string().nullable() }) },
} as const;

/** Training jobs, one at a time: `train` and `finetune` return a job id at once; `batch` / `epoch` events stream, the
 *  end comes as `done` (`finetuneDone` for a fine-tune) or `error`; `stop` stops either within one batch. */
const jobMethods = {
  /** Resolved by the engine (preset defaults, the backend's batch and rate, a `from` run's preset, the name to save
   *  under): `config` is what the run uses, as the job's `config` in `status` is. */
  train: { params: trainConfigSchema.partial(), result: z.object({ jobId: z.string(), config: trainConfigSchema }) },
  /** Fine-tune a model on the user's examples (userSamples.*) into a new model `<model>-tuned-<n>`. */
  finetune: {
    params: z.object({
      model: modelName.optional(), name: modelName.optional(), steps: bounded(BOUNDS.finetuneSteps).optional(),
      testSize: bounded(BOUNDS.finetuneTestSize).optional(), seed: bounded(BOUNDS.seed).optional(),
    }),
    result: z.object({ jobId: z.string() }),
  },
  stop: { params: z.object({}), result: z.object({ stopping: z.boolean() }) },
} as const;

/** A model on the test set: scored, sampled, asked about drawings. */
const predictionMethods = {
  /** `jobId`: the caller's name for this evaluation, carried by its `evalProgress` events. */
  evaluate: { params: z.object({ model: modelName.optional(), jobId: progressId }), result: evalSchema },
  predict: {
    params: z.object({ model: modelName.optional(), inputs: z.array(pixels784).min(1).max(256) }),
    result: z.object({ model: z.string(), probs: z.array(probs), classes: classNames }),
  },
  samples: {
    params: z.object({ model: modelName.optional(), n: bounded(BOUNDS.samples), seed: bounded(BOUNDS.seed).optional() }),
    result: z.object({ model: z.string(), seed: z.number(), samples: z.array(sampleSchema), dataset: z.string(), classes: classNames }),
  },
  /** Test images of a model's dataset (default: the active model's). */
  testImages: {
    params: z.object({ indices: z.array(int(0, 9999)).max(1000), model: modelName.optional() }), // 1000 images ≈ 2.7 MB of JSON
    result: z.object({ images: z.array(pixels784) }),
  },
} as const;

/** The model store. Keras .h5 in and out (docs/keras.md): `models.importKeras` reads, checks and evaluates the file
 *  (`evalProgress` events, with the request's `jobId`, while it scores the test set), then saves it; nothing is
 *  saved on error. */
const modelMethods = {
  'models.list': { params: z.object({}), result: z.object({ models: z.array(modelInfoSchema) }) },
  'models.setActive': { params: z.object({ name: modelName }), result: z.object({ active: z.string() }) },
  'models.rename': { params: z.object({ from: modelName, to: modelName }), result: z.object({ name: z.string() }) },
  'models.delete': { params: z.object({ name: modelName }), result: z.object({ deleted: z.string() }) },
  'models.import': {
    params: z.object({ name: modelName, files: z.array(fileSchema).min(2).max(64) }),
    result: z.object({ name: z.string() }),
  },
  'models.export': { params: z.object({ name: modelName }), result: z.object({ files: z.array(fileSchema) }) },
  'models.importKeras': {
    params: z.object({ fileName: z.string().min(1).max(255), base64, name: modelName.optional(), jobId: progressId }),
    result: z.object({ model: z.string(), testAccuracy: metric, inputScale: z.number(), origin: originSchema }),
  },
  'models.exportKeras': { params: z.object({ name: modelName }), result: z.object({ fileName: z.string(), base64: z.string() }) },
} as const;

/** The inside view: every layer's output for one image as ONE little-endian Float32Array in base64, with each
 *  layer's place in it (offset, length in floats); the renderer's api layer turns it back into Float32Array views. */
const insideMethods = {
  activations: {
    params: z.object({ model: modelName.optional(), pixels: pixels784 }),
    result: z.object({
      model: z.string(), base64: z.string(), layers: z.array(layerSliceSchema),
      filters: z.object({ layer: z.string(), shape: z.array(z.number()), base64: z.string() }).nullable(),
      skipped: z.array(z.object({ name: z.string(), className: z.string(), shape: z.array(z.number().nullable()), reason: z.string() })),
    }),
  },
  /** Why this answer: for one image and a class (default: the predicted one), a signed 28×28 attribution map, row-major:
   *  positive = evidence for the class, negative = against (EXPLAIN_METHODS). `probs`: the model's ten probabilities. */
  explain: {
    params: z.object({
      model: modelName.optional(), pixels: pixels784, class: int(0, CLASSES - 1).optional(),
      method: z.enum(EXPLAIN_METHODS).default('gradient'),
    }),
    result: z.object({
      model: z.string(), class: z.number(), probability: z.number(), predicted: z.number(), probs,
      method: z.enum(EXPLAIN_METHODS), map: z.array(z.number()).length(PIXELS),
    }),
  },
} as const;

/** The user's own handwriting examples (what `finetune` trains on). */
const userSampleMethods = {
  'userSamples.add': {
    params: z.object({ label: int(0, 9), pixels: pixels784, strokes: strokesSchema.nullable().optional(), source: z.string().max(100).optional() }),
    result: userSampleSchema,
  },
  'userSamples.list': {
    params: z.object({}),
    result: z.object({ samples: z.array(userSampleSchema), errors: z.array(z.object({ file: z.string(), error: z.string() })) }),
  },
  'userSamples.remove': { params: z.object({ id: z.string().max(64) }), result: z.object({ removed: z.string() }) },
} as const;


/** Comparing saved runs (`compare.*`). A run's per-batch curve is kept beside its meta.json (`history.json`, thinned to
 *  at most MAX_CURVE_POINTS batches) with the test set's predicted labels (`predictions.bin`, one byte an image); a
 *  model saved without them is scored once on demand (`evalProgress` with the request's `jobId`) and the result kept. */
export const MAX_COMPARE = 5;
export const MAX_CURVE_POINTS = 2000;
/** A run's per-batch curve as columns: images seen, wall time, training loss and accuracy, the learning rate. */
export const curveSchema = z.object({
  images: z.array(z.number()), elapsedMs: z.array(z.number()), loss: z.array(metric), accuracy: z.array(metric),
  learningRate: z.array(z.number()),
});
/** A curve's column on the wire: one little-endian Float32Array in base64 (NaN where a value was not finite) — a
 *  fraction of the JSON numbers' size, and one string to check instead of thousands of numbers. */
const curveColumn = z
  .string()
  .max(Math.ceil((MAX_CURVE_POINTS * 4) / 3) * 4 + 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const curveWireSchema = z.object({
  images: curveColumn, elapsedMs: curveColumn, loss: curveColumn, accuracy: curveColumn, learningRate: curveColumn,
});
const compareRunSchema = z.object({
  name: z.string(), preset: metaSchema.shape.preset, network: z.string(), config: savedConfigSchema.nullable(),
  backend: z.string(), device: z.string(), imagesPerSec: metric, durationMs: z.number(), params: z.number(),
  createdAt: z.string(), testAccuracy: z.number(),
  /** Accuracy on the user's held-out handwriting, where a fine-tune measured it. */
  handwritingAccuracy: z.number().nullable(),
  perClassAccuracy: z.array(z.number()).min(MIN_CLASSES).max(MAX_CLASSES), confusion: z.array(z.array(z.number())),
  /** The runs' dataset's class names. */
  classes: classNames.optional(),
  epochs: z.array(epochSchema), curve: curveWireSchema.nullable(),
  /** True when the test set was scored for this request (a model saved without its predictions). */
  scored: z.boolean(),
  /** What cannot be shown for this run, one line each (an imported model has no curves). */
  notes: z.array(z.string()),
});
/** A test image two runs disagree on: its label and each run's prediction. */
const diffImageSchema = z.object({ index: z.number(), label: z.number(), a: z.number(), b: z.number() });
const compareModels = z
  .array(modelName)
  .min(2, 'compare at least 2 models')
  .max(MAX_COMPARE, `compare at most ${MAX_COMPARE} models`)
  .refine((names) => new Set(names).size === names.length, 'a model is named twice: compare different models');
const compareMethods = {
  /** 2–5 models side by side: config, speed, accuracy, per-digit accuracy, confusion, curves. */
  'compare.runs': {
    params: z.object({ models: compareModels, jobId: progressId }),
    result: z.object({ runs: z.array(compareRunSchema) }),
  },
  /** Two models on the test set: `fixed` (a wrong, b right), `broken` (a right, b wrong); the four counts sum to `total`. */
  'compare.diff': {
    params: z
      .object({ a: modelName, b: modelName, jobId: progressId })
      .refine((p) => p.a !== p.b, 'a model compared with itself: pick two different models'),
    result: z.object({
      a: z.string(), b: z.string(), total: z.number(), fixed: z.array(diffImageSchema), broken: z.array(diffImageSchema),
      bothRight: z.number(), bothWrong: z.number(),
    }),
  },
} as const;

/** "My networks": designed networks saved under a name, one file each (`<home>/networks/<name>.json`), listed beside
 *  the presets; an unreadable file is listed in `errors`, never deleted. `networks.measure` trains a few real batches
 *  of a network on the engine's backend: images per second, an epoch's time, and the kernels it runs on. */
const savedNetworkSchema = z.object({ name: z.string(), layers: z.string(), createdAt: z.string() });
/** Where a network's training runs: on Digit Lab's own kernels (`ownKernels`), and the stock kernels that took a
 *  noticeable share of the measured steps or that ours handed back (a case ours do not cover). */
const kernelReportSchema = z.object({
  ownKernels: z.boolean(), stock: z.array(z.object({ kernel: z.string(), share: z.number(), reason: z.string() })), note: z.string(),
});
const networkMethods = {
  'networks.list': {
    params: z.object({}),
    result: z.object({ networks: z.array(savedNetworkSchema), errors: z.array(z.object({ file: z.string(), error: z.string() })) }),
  },
  /** Save a network (`replace`: over one of the same name; else a taken name is refused). */
  'networks.save': {
    params: z.object({ name: modelName, layers: networkTextSchema, replace: z.boolean().optional() }),
    result: savedNetworkSchema,
  },
  'networks.delete': { params: z.object({ name: modelName }), result: z.object({ deleted: z.string() }) },
  'networks.measure': {
    params: z.object({ layers: networkTextSchema, batchSize: bounded(BOUNDS.batchSize).optional(), batches: int(1, 50).optional() }),
    result: z.object({
      layers: z.string(), backend: z.string(), batchSize: z.number(), batches: z.number(), imagesPerSec: z.number(),
      /** Images in one epoch with the default validation split, and the time it takes at this speed. */
      epochImages: z.number(), epochMs: z.number(), kernels: kernelReportSchema,
    }),
  },
} as const;
/** Datasets (`datasets.*`): MNIST (shipped), Fashion-MNIST where installed, the image folders the user added
 *  (`<home>/datasets.json`). `datasets.add` reads a folder of class sub-folders (docs/datasets.md), with `evalProgress`
 *  (the request's `jobId`) while it decodes; a bad folder is refused in one line and nothing is recorded. */
const datasetEntrySchema = datasetInfoSchema.extend({
  dir: z.string(), train: z.number(), test: z.number(), source: z.enum(['shipped', 'installed', 'user']),
});
const importReportSchema = z.object({
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
  counts: z.array(z.object({ class: z.string(), train: z.number(), test: z.number() })),
});
const datasetMethods = {
  'datasets.list': { params: z.object({}), result: z.object({ datasets: z.array(datasetEntrySchema), current: z.string() }) },
  'datasets.add': {
    params: z.object({ dir: folderPath, jobId: progressId }),
    result: z.object({ dataset: datasetEntrySchema, report: importReportSchema }),
  },
} as const;
export type DatasetInfo = z.output<typeof datasetInfoSchema>;
export type DatasetEntry = z.output<typeof datasetEntrySchema>;
export type ImportReport = z.output<typeof importReportSchema>;

/** Request methods: params schema and result schema for each. */
export const methods = {
  ...engineMethods, ...jobMethods, ...predictionMethods, ...modelMethods, ...insideMethods, ...userSampleMethods,
  ...compareMethods,
  ...networkMethods,
  ...datasetMethods,
} as const;

export type MethodName = keyof typeof methods;
/** Methods the relay answers itself (never forwarded to the engine process). */
export const RELAY_METHODS = ['engine.restart', 'dialog.openFolder'] as const satisfies readonly MethodName[];
export type RelayMethod = (typeof RELAY_METHODS)[number];
export function isRelayMethod(name: MethodName): name is RelayMethod {
  return (RELAY_METHODS as readonly MethodName[]).includes(name);
}
/** Methods the relay's host supplies (the Electron main process), absent in browser mode. */
export type HostMethod = Exclude<RelayMethod, 'engine.restart'>;
/** Methods the engine process answers (all but the relay's own). */
export type EngineMethod = Exclude<MethodName, RelayMethod>;
/** Params as a caller writes them. */
export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
/** Params after validation (defaults applied), as a handler receives them. */
export type ParsedParams<M extends MethodName> = z.output<(typeof methods)[M]['params']>;
/** A result as the engine sends it (metrics may be null on the wire). */
export type ResultOut<M extends MethodName> = z.input<(typeof methods)[M]['result']>;
/** A result as a client reads it (null metrics back as NaN). */
export type Result<M extends MethodName> = z.output<(typeof methods)[M]['result']>;

// Domain types: every one is derived from a schema above, so there is no hand-written twin to drift.
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type PenTrainingOptions = z.output<typeof penTrainingSchema>;
export type BackendInfo = z.output<typeof backendSchema>;
export type BatchProgress = z.output<typeof batchSchema>;
export type EpochProgress = z.output<typeof epochSchema>;
export type ConfusionSummary = z.output<typeof confusionSchema>;
export type Mistake = z.output<typeof mistakeSchema>;
export type EvalResult = z.output<typeof evalSchema>;
export type Sample = z.output<typeof sampleSchema>;
export type ModelMeta = z.output<typeof metaSchema>;
export type ModelOrigin = z.output<typeof originSchema>;
export type FinetuneMeta = z.output<typeof finetuneSchema>;
export type ModelInfo = z.output<typeof modelInfoSchema>;
export type TrainResult = z.output<typeof trainResultSchema>;
export type LayerSlice = z.output<typeof layerSliceSchema>;
export type UserSample = z.output<typeof userSampleSchema>;
export type FinetuneResult = z.output<typeof finetuneResultSchema>;
/** `explain`'s answer: the class explained, its probability, the predicted class, the method and the signed map. */
export type Explanation = z.output<(typeof insideMethods)['explain']['result']>;
export type RunCurve = z.output<typeof curveSchema>;
/** A run's per-batch curve, each measure a column of type C. */
export type CurveColumns<C> = { [K in keyof RunCurve]: C };
/** A compared run, its curve's columns as C: number arrays in the engine, Float32Arrays in the renderer (base64 on the
 *  wire: `WireCompareRun`). */
export type CompareRun<C = Float32Array> = Omit<WireCompareRun, 'curve'> & { curve: CurveColumns<C> | null };
export type WireCompareRun = z.output<typeof compareRunSchema>;
/** A curve with each column converted by `f` (to and from the wire's base64). */
export function mapColumns<A, B>(curve: CurveColumns<A>, f: (column: A) => B): CurveColumns<B> {
  const { images, elapsedMs, loss, accuracy, learningRate } = curve;
  return { images: f(images), elapsedMs: f(elapsedMs), loss: f(loss), accuracy: f(accuracy), learningRate: f(learningRate) };
}
export type SavedNetwork = z.output<typeof savedNetworkSchema>;
export type KernelReport = z.output<typeof kernelReportSchema>;
export type DiffImage = z.output<typeof diffImageSchema>;
/** A training job as `status` returns it: config, state and everything reported so far. */
export type TrainJob = z.output<typeof jobSchema>;
export type JobState = TrainJob['state'];

/** Events pushed from the engine to every attached client. */
export const events = {
  batch: z.object({ jobId: z.string(), progress: batchSchema }),
  epoch: z.object({ jobId: z.string(), progress: epochSchema }),
  done: z.object({ jobId: z.string(), result: trainResultSchema }),
  finetuneDone: z.object({ jobId: z.string(), result: finetuneResultSchema }),
  error: z.object({ jobId: z.string().nullable(), message: z.string() }),
  log: z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  /** Test-set scoring of an `evaluate` or `models.importKeras` request: `jobId` is the one the request gave (null: none). */
  evalProgress: z.object({ jobId: z.string().nullable(), done: z.number(), total: z.number() }),
  engine: z.object({ state: z.enum(['starting', 'ready', 'crashed', 'restarting']), message: z.string() }),
} as const;

export type EventName = keyof typeof events;
/** An event as a client reads it. */
export type EventData<E extends EventName> = z.output<(typeof events)[E]>;
/** An event as the engine sends it. */
export type EventOut<E extends EventName> = z.input<(typeof events)[E]>;
/** Sends one event: the name picks the payload's type. */
export type Emit = <E extends EventName>(event: E, data: EventOut<E>) => void;

export const requestSchema = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  params: z.unknown(),
});
export const responseSchema = z.union([
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);
export const eventSchema = z.object({ type: z.literal('event'), event: z.string().max(64), data: z.unknown() });
export const messageSchema = z.union([requestSchema, responseSchema, eventSchema]);

export type Request = z.infer<typeof requestSchema>;
export type Response = z.infer<typeof responseSchema>;
export type EventMessage = z.infer<typeof eventSchema>;
export type Message = z.infer<typeof messageSchema>;

export function isMethod(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEvent(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** Short, one-line description of why a value failed a schema. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ')
    .replace(/\s+/g, ' ')
    .slice(0, 500);
}

/** Validate an incoming request's params. Throws an Error with a one-line message. */
export function parseParams<M extends MethodName>(method: M, params: unknown): ParsedParams<M> {
  const r = methods[method].params.safeParse(params ?? {});
  if (!r.success) throw new Error(`invalid params for ${method}: ${describeIssues(r.error)}`);
  return r.data as ParsedParams<M>;
}

/** A client-supplied string, made safe to put in a one-line error: JSON-quoted (control and line-separator
 *  characters escaped) and cut to `max` characters. */
export function quote(text: string, max = 64): string {
  return JSON.stringify(text.slice(0, max)).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Size of `text` in UTF-8 bytes (what the limits count), without encoding it. */
export function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair: one 4-byte character
      i++;
    } else n += 3;
  }
  return n;
}

/** Parse a raw wire message (string or object) into a validated envelope. Throws a one-line Error. */
export function parseMessage(raw: unknown): Message {
  let value = raw;
  if (typeof raw === 'string') {
    const bytes = utf8Bytes(raw);
    if (bytes > MAX_MESSAGE_BYTES) throw new Error(`message too large (${bytes} bytes > ${MAX_MESSAGE_BYTES})`);
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error('message is not valid JSON');
    }
  }
  const r = messageSchema.safeParse(value);
  if (!r.success) throw new Error(`malformed message: ${describeIssues(r.error)}`);
  return r.data;
}
