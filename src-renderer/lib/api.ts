// The renderer's one door to the engine. Every view talks only to `api`, whichever transport is underneath:
//   - in Electron: the preload bridge `window.digitLab` (contextBridge, structured-clone messages);
//   - in browser mode (`npm run serve`): a WebSocket to the server, authenticated with the token from the page URL.
//
// Usage:
//   import { api } from '../lib/api';
//   const { probs } = await api.call('predict', { inputs: [pixels] });      // params and result typed from protocol.ts
//   const off = api.on('epoch', ({ progress }) => { ... });                 // returns an unsubscribe function
//   onDestroy(off)   (or return it from an $effect)
// Calls reject with an Error whose message is one readable line (bad params, engine error, engine crashed, offline).
// `api.on('engine', ...)` reports the engine process state (ready / crashed / restarting); App.svelte shows it.
import {
  events, isEvent, isMethod, methods, parseMessage,
  type EventData, type EventName, type MethodName, type Params, type Result,
} from '../../src-shared/protocol.js';

/** What the Electron preload exposes on `window.digitLab` (see src-main/electron/preload.ts). */
export interface DigitLabBridge {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

declare global {
  interface Window {
    digitLab?: DigitLabBridge;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface Transport {
  send(message: unknown): boolean;
  readonly state: ConnectionState;
}

type Handler = (data: unknown) => void;
interface Pending {
  method: MethodName;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const CALL_TIMEOUT_MS = 10 * 60_000;

export class Api {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private handlers = new Map<string, Set<Handler>>();
  private connectionHandlers = new Set<(state: ConnectionState) => void>();
  private transport: Transport;
  /** In the Electron app (the preload bridge is there), not browser mode: the desktop-only methods answer. */
  readonly desktop = !!window.digitLab;

  constructor() {
    this.transport = window.digitLab ? this.bridgeTransport(window.digitLab) : this.socketTransport();
  }

  get connection(): ConnectionState {
    return this.transport.state;
  }

  /** Call an engine method. Params are validated here first, so a typo fails fast with a clear message. */
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const checked = methods[method].params.safeParse(params);
    if (!checked.success) {
      return Promise.reject(new Error(`invalid params for ${method}: ${checked.error.issues[0]?.message ?? 'bad value'}`));
    }
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error(`${method} timed out`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(timer); resolve(v as Result<M>); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      if (!this.transport.send({ type: 'request', id, method, params })) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new Error('not connected to the engine'));
      }
    });
  }

  /** Subscribe to an engine event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  /** Subscribe to connection changes of the transport (browser mode reconnects by itself). */
  onConnection(handler: (state: ConnectionState) => void): () => void {
    this.connectionHandlers.add(handler);
    return () => this.connectionHandlers.delete(handler);
  }

  private receive(raw: unknown): void {
    let msg;
    try {
      msg = parseMessage(raw);
    } catch (e) {
      console.warn('digit-lab: dropped message:', (e as Error).message);
      return;
    }
    if (msg.type === 'response') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (!msg.ok) return p.reject(new Error(msg.error));
      const r = isMethod(p.method) ? methods[p.method].result.safeParse(msg.result) : null;
      if (r && !r.success) return p.reject(new Error(`unexpected ${p.method} result: ${r.error.issues[0]?.message}`));
      p.resolve(r ? r.data : msg.result);
    } else if (msg.type === 'event') {
      if (!isEvent(msg.event)) return;
      const r = events[msg.event].safeParse(msg.data);
      if (!r.success) return console.warn(`digit-lab: bad ${msg.event} event dropped`);
      for (const h of this.handlers.get(msg.event) ?? []) {
        try {
          h(r.data);
        } catch (e) {
          console.error(e);
        }
      }
    }
  }

  private setConnection(state: ConnectionState): void {
    if (state === 'closed') {
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new Error('connection to the engine lost'));
      }
    }
    for (const h of this.connectionHandlers) h(state);
  }

  private bridgeTransport(bridge: DigitLabBridge): Transport {
    bridge.onMessage((m) => this.receive(m));
    return { send: (m) => (bridge.send(m), true), state: 'open' };
  }

  private socketTransport(): Transport {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
    const t: Transport & { state: ConnectionState; ws: WebSocket | null } = {
      state: 'connecting',
      ws: null,
      send: (m) => {
        if (!t.ws || t.ws.readyState !== WebSocket.OPEN) return false;
        t.ws.send(JSON.stringify(m));
        return true;
      },
    };
    let delay = 250;
    const connect = () => {
      const ws = new WebSocket(url);
      t.ws = ws;
      ws.onopen = () => {
        delay = 250;
        t.state = 'open';
        this.setConnection('open');
      };
      ws.onmessage = (e) => this.receive(typeof e.data === 'string' ? e.data : '');
      ws.onclose = () => {
        const was = t.state;
        t.state = 'closed';
        if (was !== 'closed') this.setConnection('closed');
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 5000);
      };
    };
    connect();
    return t;
  }
}

/** Wait until the transport is open (immediately in Electron). */
export function whenConnected(a: Api): Promise<void> {
  if (a.connection === 'open') return Promise.resolve();
  return new Promise((resolve) => {
    const off = a.onConnection((s) => {
      if (s === 'open') {
        off();
        resolve();
      }
    });
  });
}

export const api = new Api();

/** `activations` with its one base64 buffer turned back into Float32Array views: each layer's `data` is a view of
 *  one Float32Array (as in the engine), the first conv layer's kernel a Float32Array of its own. */
export async function callActivations(params: Params<'activations'>) {
  const r = await api.call('activations', params);
  const all = base64Floats(r.base64);
  return {
    model: r.model,
    layers: r.layers.map(({ offset, length, ...l }) => ({ ...l, data: all.subarray(offset, offset + length) })),
    filters: r.filters && { layer: r.filters.layer, shape: r.filters.shape, data: base64Floats(r.filters.base64) },
    skipped: r.skipped,
  };
}
export type DecodedActivations = Awaited<ReturnType<typeof callActivations>>;
export type DecodedLayer = DecodedActivations['layers'][number];

export function base64Floats(text: string): Float32Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}
