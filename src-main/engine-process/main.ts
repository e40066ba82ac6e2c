// Engine process entry. Started by the Electron main process (utilityProcess.fork) or by the browser-mode server
// (child_process.fork of dist/src-main/engine-process/main.js). It owns the one Engine and answers protocol
// requests from its parent; training runs here so the UI never freezes and a crash takes only this process down.
// Configuration comes through the environment: DIGIT_LAB_HOME, DIGIT_LAB_BACKEND, DIGIT_LAB_DATA.
import {
  MAX_MESSAGE_BYTES, isMethod, isRelayMethod, parseMessage, parseParams, quote, utf8Bytes, type Emit, type EngineMethod, type Message,
} from '../../src-shared/protocol.js';
import { firstLine } from '../../src-shared/errors.js';
import type { Engine } from '../engine/api.js';
import { createEngine } from '../engine/engine.js';
import { createHandlers, type Handlers } from './handlers.js';
import { parentLink } from './port.js';
import { finiteOrNull } from './sanitize.js';
import { Trainer } from './trainer.js';

const link = parentLink();

const emit: Emit = (event, data) => link.send({ type: 'event', event, data: finiteOrNull(data) });

function reply(id: number, result: { ok: true; value: unknown } | { ok: false; error: string }): void {
  if (result.ok) {
    // Every transport refuses messages over MAX_MESSAGE_BYTES: say so instead of sending what would be dropped.
    const size = utf8Bytes(JSON.stringify(result.value) ?? '');
    if (size > MAX_MESSAGE_BYTES) {
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      result = { ok: false, error: `result too large (${mb(size)} MiB > ${mb(MAX_MESSAGE_BYTES)} MiB): ask for fewer items` };
    }
  }
  link.send(
    result.ok
      ? { type: 'response', id, ok: true, result: result.value }
      : { type: 'response', id, ok: false, error: result.error },
  );
}

let enginePromise: Promise<Engine> | null = null;
function engine(): Promise<Engine> {
  enginePromise ??= createEngine({
    home: process.env.DIGIT_LAB_HOME || undefined,
    dataDir: process.env.DIGIT_LAB_DATA || undefined,
  });
  return enginePromise;
}

const trainer = new Trainer(emit);
const handlers = createHandlers(engine, trainer, emit);

/** Validate the params and run the method's handler; the generic keeps params and handler of one method together. */
async function call<M extends EngineMethod>(method: M, params: unknown): Promise<unknown> {
  const handler: Handlers[M] = handlers[method];
  return handler(parseParams(method, params));
}

async function handle(msg: Message): Promise<void> {
  if (msg.type !== 'request') return; // the parent sends only requests
  const { id, method } = msg;
  try {
    if (!isMethod(method)) throw new Error(`unknown method: ${quote(method)}`);
    if (isRelayMethod(method)) throw new Error(`method ${method} is answered by the relay, not the engine`);
    reply(id, { ok: true, value: await call(method, msg.params) });
  } catch (err) {
    reply(id, { ok: false, error: oneLine(err) });
  }
}

function oneLine(err: unknown): string {
  return firstLine(err).slice(0, 500) || 'unknown error';
}

link.onMessage((raw) => {
  let msg: Message;
  try {
    msg = parseMessage(raw);
  } catch (err) {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'number' && Number.isInteger(id)) reply(id, { ok: false, error: oneLine(err) });
    else emit('log', { level: 'warn', message: `engine dropped a message: ${oneLine(err)}` });
    return;
  }
  void handle(msg);
});

// Browser mode: when the server goes away, so does its engine.
if (link.kind === 'fork') process.on('disconnect', () => process.exit(0));

process.on('unhandledRejection', (reason) => {
  emit('log', { level: 'error', message: `engine: unhandled rejection: ${oneLine(reason)}` });
});

emit('engine', { state: 'starting', message: 'loading MNIST and selecting a backend' });
engine().then(
  (e) => emit('engine', { state: 'ready', message: `${e.backend.device} (${e.backend.kind})` }),
  (err) => {
    // Stay up and answer every request with this error, so the UI can show it; Restart tries again.
    emit('engine', { state: 'crashed', message: `engine failed to start: ${oneLine(err)}` });
  },
);
