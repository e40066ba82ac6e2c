// Transport-neutral relay between UI clients (Electron windows, browser-mode sockets) and the engine process.
// It owns the engine child: validates every client message against protocol.ts before it goes anywhere, maps
// request ids per client, routes responses back to the client that asked, broadcasts engine events to all, and
// notices when the engine dies (pending calls fail, clients get an `engine: crashed` event and can Restart).
// No TensorFlow work happens here.
import {
  MAX_MESSAGE_BYTES, events, isEvent, isMethod, isRelayMethod, parseMessage, parseParams, quote, utf8Bytes,
  type EventData, type HostMethod, type MethodName, type ParsedParams, type ResultOut,
} from '../../src-shared/protocol.js';
import { firstLine } from '../../src-shared/errors.js';

/** The engine process, however it was started (utilityProcess in Electron, child_process.fork in browser mode). */
export interface EngineChild {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone; `reason` is one readable line. */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

/** One UI connection. `send` gets plain objects; the transport serializes them. */
export interface Client {
  send(message: unknown): void;
}

type EngineState = EventData<'engine'>;

interface Pending {
  client: Client;
  clientId: number;
  method: MethodName;
}

/** What the relay's host answers itself (the Electron main process: its folder picker); browser mode has none. */
export type HostHandlers = {
  [M in HostMethod]?: (params: ParsedParams<M>) => Promise<ResultOut<M>>;
};

export class Relay {
  private child: EngineChild | null = null;
  private clients = new Set<Client>();
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private state: EngineState = { state: 'starting', message: 'starting the engine process' };

  constructor(
    private readonly spawn: () => EngineChild,
    private readonly log: (line: string) => void = () => {},
    private readonly host: HostHandlers = {},
  ) {}

  get engineState(): EngineState {
    return this.state;
  }

  start(): void {
    this.launch();
  }

  /** Register a client; it is told the engine's current state right away. Returns the disconnect function. */
  connect(client: Client): () => void {
    this.clients.add(client);
    client.send({ type: 'event', event: 'engine', data: this.state });
    return () => {
      this.clients.delete(client);
      for (const [id, p] of this.pending) if (p.client === client) this.pending.delete(id);
    };
  }

  /** A raw message from a client: a JSON string (socket) or a structured-clone object (Electron IPC). */
  receive(client: Client, raw: unknown): void {
    const fail = (id: number, error: string) => client.send({ type: 'response', id, ok: false, error });
    const size = typeof raw === 'string' ? utf8Bytes(raw) : safeSize(raw);
    if (size > MAX_MESSAGE_BYTES) return fail(guessId(raw), `message too large (${size} bytes > ${MAX_MESSAGE_BYTES})`);

    let msg;
    try {
      msg = parseMessage(raw);
    } catch (err) {
      return fail(guessId(raw), (err as Error).message);
    }
    if (msg.type !== 'request') return fail(-1, `clients may only send requests, not ${msg.type}s`);
    if (!isMethod(msg.method)) return fail(msg.id, `unknown method: ${quote(msg.method)}`);
    let params: unknown;
    try {
      params = parseParams(msg.method, msg.params);
    } catch (err) {
      return fail(msg.id, (err as Error).message);
    }

    if (msg.method === 'engine.restart') {
      this.restart();
      client.send({ type: 'response', id: msg.id, ok: true, result: { restarted: true } });
      return;
    }
    if (isRelayMethod(msg.method)) return this.answerHost(client, msg.id, msg.method, msg.params);
    if (!this.child) return fail(msg.id, `the engine process is not running (${this.state.message}); restart it`);
    const id = this.nextId++;
    this.pending.set(id, { client, clientId: msg.id, method: msg.method });
    this.child.send({ type: 'request', id, method: msg.method, params });
  }

  /** A method the host answers (validated params), or a one-line refusal where the host has none. */
  private answerHost<M extends HostMethod>(client: Client, id: number, method: M, raw: unknown): void {
    const handler = this.host[method];
    if (!handler) {
      client.send({ type: 'response', id, ok: false, error: `${method} is available only in the desktop app` });
      return;
    }
    handler(parseParams(method, raw)).then(
      (result) => client.send({ type: 'response', id, ok: true, result }),
      (err: unknown) => client.send({ type: 'response', id, ok: false, error: firstLine(err) || `${method} failed` }),
    );
  }

  /** Kill the engine process (if any) and start a fresh one. */
  restart(): void {
    this.setState({ state: 'restarting', message: 'restarting the engine process' });
    const old = this.child;
    this.child = null;
    this.failPending('the engine process was restarted');
    old?.kill();
    this.launch();
  }

  close(): void {
    const old = this.child;
    this.child = null;
    this.failPending('Digit Lab is shutting down');
    old?.kill();
    this.clients.clear();
  }

  private launch(): void {
    let child: EngineChild;
    try {
      child = this.spawn();
    } catch (err) {
      this.setState({ state: 'crashed', message: `could not start the engine process: ${(err as Error).message}` });
      return;
    }
    this.child = child;
    child.onMessage((m) => {
      if (this.child === child) this.fromEngine(m);
    });
    child.onExit((reason) => {
      if (this.child !== child) return; // killed on purpose (restart/close)
      this.child = null;
      this.log(`engine process stopped: ${reason}`);
      this.failPending(`the engine process stopped (${reason})`);
      this.setState({ state: 'crashed', message: reason });
    });
  }

  private fromEngine(raw: unknown): void {
    let msg;
    try {
      msg = parseMessage(raw);
    } catch (err) {
      this.log(`dropped a malformed engine message: ${(err as Error).message}`);
      return;
    }
    if (msg.type === 'response') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      p.client.send({ ...msg, id: p.clientId });
    } else if (msg.type === 'event') {
      if (!isEvent(msg.event)) return;
      if (msg.event === 'engine') {
        const state = events.engine.safeParse(msg.data);
        if (!state.success) return;
        this.state = state.data;
      }
      this.broadcast(msg);
    }
  }

  private setState(state: EngineState): void {
    this.state = state;
    this.broadcast({ type: 'event', event: 'engine', data: state });
  }

  private broadcast(message: unknown): void {
    for (const c of this.clients) c.send(message);
  }

  private failPending(error: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.client.send({ type: 'response', id: p.clientId, ok: false, error });
    }
  }
}

function guessId(raw: unknown): number {
  let value = raw;
  if (typeof raw === 'string') {
    const m = /"id"\s*:\s*(\d{1,15})\b/.exec(raw.slice(0, 2000));
    return m ? Number(m[1]) : -1;
  }
  const id = (value as { id?: unknown } | null)?.id;
  value = id;
  return typeof value === 'number' && Number.isInteger(value) ? value : -1;
}

function safeSize(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : utf8Bytes(text);
  } catch {
    return Infinity;
  }
}
