// The one contract between the renderer, the main process / browser-mode server, and the engine
// process. Defined once here with zod: TypeScript types are inferred from the schemas, and every
// message that crosses a process or socket boundary is validated against them on arrival.
import { z } from 'zod';
import { AUGMENTS, OPTIMIZERS, PRESETS, SCHEDULES } from './types.js';

/** Largest serialized message accepted on any transport (bytes): room for a model of up to 5 MB as base64
 *  (models.import / models.export; the shipped default is at most 5 MB). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const modelName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, dot, dash and underscore only');
const probs = z.array(z.number()).length(10);
const pixels784 = z.array(z.number().min(0).max(255)).length(784);

export const trainConfigSchema = z.object({
  preset: z.enum(PRESETS),
  epochs: int(1, 200),
  batchSize: int(1, 4096),
  learningRate: z.number().positive().max(10),
  optimizer: z.enum(OPTIMIZERS),
  augment: z.union([z.boolean(), z.enum(AUGMENTS)]),
  trainSize: int(0, 60000),
  validationSize: int(0, 30000),
  seed: int(0, 2 ** 31 - 1),
  schedule: z.enum(SCHEDULES).optional(),
  name: modelName.optional(),
  from: modelName.optional(),
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
const backendSchema = z.object({
  name: z.string(), kind: z.enum(['gpu', 'native-cpu', 'pure-js']), device: z.string(), fastKernels: z.boolean(),
  skipped: z.array(z.object({ backend: z.string(), reason: z.string() })), hint: z.string(),
});
const metaSchema = z.object({
  name: z.string(), preset: z.string(), config: z.any(), history: z.array(epochSchema),
  testAccuracy: z.number().nullable(), confusion: z.array(z.array(z.number())).nullable(), backend: z.string(),
  device: z.string(), durationMs: z.number(), createdAt: z.string(), params: z.number(),
  command: z.string().optional(), commit: z.string().optional(), dataset: z.string().optional(),
});
const modelInfoSchema = z.object({
  name: z.string(), shipped: z.boolean(), active: z.boolean(), meta: metaSchema.nullable(), error: z.string().optional(),
});
const mistakeSchema = z.object({
  index: z.number(), label: z.number(), predicted: z.number(), confidence: z.number(), probs,
});
const evalSchema = z.object({
  model: z.string(), count: z.number(), correct: z.number(), accuracy: z.number(),
  perClassAccuracy: z.array(z.number()), confusion: z.array(z.array(z.number())), mistakes: z.array(mistakeSchema),
  durationMs: z.number(),
});
const sampleSchema = z.object({
  index: z.number(), label: z.number(), predicted: z.number(), confidence: z.number(), probs, pixels: pixels784,
});
const trainResultSchema = z.object({
  model: z.string(), testAccuracy: metric, testLoss: metric.optional(), activated: z.boolean().optional(), stopped: z.boolean(),
  history: z.array(epochSchema), durationMs: z.number(),
});
/** A training job as seen by a (re-)attaching client: its config and everything it reported so far. */
const jobSchema = z.object({
  id: z.string(),
  state: z.enum(['running', 'stopping', 'done', 'stopped', 'failed']),
  config: trainConfigSchema,
  startedAt: z.string(),
  batches: z.array(batchSchema),
  epochs: z.array(epochSchema),
  result: trainResultSchema.nullable(),
  error: z.string().nullable(),
});
const fileSchema = z.object({ path: z.string().min(1).max(200), base64: z.string() });

/** Request methods: params schema and result schema for each. */
export const methods = {
  status: {
    params: z.object({}),
    result: z.object({
      backend: backendSchema, job: jobSchema.nullable(), activeModel: z.string().nullable(),
      dataset: z.object({ name: z.string(), train: z.number(), test: z.number() }),
      version: z.string(),
    }),
  },
  train: { params: trainConfigSchema.partial(), result: z.object({ jobId: z.string() }) },
  stop: { params: z.object({}), result: z.object({ stopping: z.boolean() }) },
  evaluate: { params: z.object({ model: modelName.optional() }), result: evalSchema },
  predict: {
    params: z.object({ model: modelName.optional(), inputs: z.array(pixels784).min(1).max(256) }),
    result: z.object({ model: z.string(), probs: z.array(probs) }),
  },
  samples: {
    params: z.object({ model: modelName.optional(), n: int(1, 500), seed: int(0, 2 ** 31 - 1).optional() }),
    result: z.object({ model: z.string(), seed: z.number(), samples: z.array(sampleSchema) }),
  },
  testImages: {
    params: z.object({ indices: z.array(int(0, 9999)).max(1000) }), // 1000 images ≈ 2.7 MB of JSON
    result: z.object({ images: z.array(pixels784) }),
  },
  'models.list': { params: z.object({}), result: z.object({ models: z.array(modelInfoSchema) }) },
  'models.setActive': { params: z.object({ name: modelName }), result: z.object({ active: z.string() }) },
  'models.rename': { params: z.object({ from: modelName, to: modelName }), result: z.object({ name: z.string() }) },
  'models.delete': { params: z.object({ name: modelName }), result: z.object({ deleted: z.string() }) },
  'models.import': {
    params: z.object({ name: modelName, files: z.array(fileSchema).min(2).max(64) }),
    result: z.object({ name: z.string() }),
  },
  'models.export': { params: z.object({ name: modelName }), result: z.object({ files: z.array(fileSchema) }) },
  /** Answered by the relay (main process / browser-mode server), not the engine: start a fresh engine process. */
  'engine.restart': { params: z.object({}), result: z.object({ restarted: z.boolean() }) },
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]['result']>;
/** A training job as `status` returns it: config, state and everything reported so far. */
export type TrainJob = z.output<typeof jobSchema>;

/** Events pushed from the engine to every attached client. */
export const events = {
  batch: z.object({ jobId: z.string(), progress: batchSchema }),
  epoch: z.object({ jobId: z.string(), progress: epochSchema }),
  done: z.object({ jobId: z.string(), result: trainResultSchema }),
  error: z.object({ jobId: z.string().nullable(), message: z.string() }),
  log: z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  evalProgress: z.object({ done: z.number(), total: z.number() }),
  engine: z.object({ state: z.enum(['starting', 'ready', 'crashed', 'restarting']), message: z.string() }),
} as const;

export type EventName = keyof typeof events;
export type EventData<E extends EventName> = z.output<(typeof events)[E]>;

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
    .join('; ');
}

/** Validate an incoming request's params. Throws an Error with a one-line message. */
export function parseParams<M extends MethodName>(method: M, params: unknown): z.output<(typeof methods)[M]['params']> {
  const r = methods[method].params.safeParse(params ?? {});
  if (!r.success) throw new Error(`invalid params for ${method}: ${describeIssues(r.error)}`);
  return r.data as z.output<(typeof methods)[M]['params']>;
}

/** Parse a raw wire message (string or object) into a validated envelope. Throws a one-line Error. */
export function parseMessage(raw: unknown): Message {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_MESSAGE_BYTES) throw new Error(`message too large (${raw.length} bytes > ${MAX_MESSAGE_BYTES})`);
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
