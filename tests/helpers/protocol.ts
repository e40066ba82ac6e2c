// A protocol client for engine tests: the relay (src-main/ipc/relay.ts) in front of a real engine process forked from
// the compiled dist/ (rebuilt first when a source is newer), and `call`, which sends one request and waits for its
// response. Every message the relay sent back is kept in `received` (events included).
//
//   const engine = engineOverRelay({ DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' });
//   const r = await engine.call('status', {});   // { ok, result } or { ok: false, error }
//   engine.close();
import path from 'node:path';
import { forkEngine } from '../../src-main/ipc/fork-engine.js';
import { Relay } from '../../src-main/ipc/relay.js';
import { ROOT } from './browser.js';
import { ensureNodeBuild } from './build.js';

export const ENGINE_ENTRY = path.join(ROOT, 'dist/src-main/engine-process/main.js');
ensureNodeBuild();

/** A response as the tests read it (results are checked by the tests, or parsed with the protocol's schemas). */
export interface Reply {
  ok: boolean;
  error?: string;
  result?: any;
}
/** A message the relay sent to the client. */
export interface Received {
  type: string;
  id?: number;
  event?: string;
  data?: any;
}

export type EngineOverRelay = ReturnType<typeof engineOverRelay>;

/** The relay connected to one client, its engine process started with `env` over this process's environment. */
export function engineOverRelay(env: Record<string, string>, replyTimeoutMs = 240_000) {
  const received: Received[] = [];
  const client = { send: (m: unknown) => received.push(m as Received) };
  const relay = new Relay(() => forkEngine(ENGINE_ENTRY, { ...process.env, ...env }));
  relay.start();
  relay.connect(client);
  let nextId = 1;
  return {
    relay,
    client,
    received,
    /** Sends `method` with `params` and waits for its response. */
    async call(method: string, params: unknown): Promise<Reply> {
      const id = nextId++;
      relay.receive(client, { type: 'request', id, method, params });
      for (const end = Date.now() + replyTimeoutMs; Date.now() < end; ) {
        const r = received.find((m) => m.type === 'response' && m.id === id);
        if (r) return r as unknown as Reply;
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`no reply to ${method}`);
    },
    /** The data of every `event` received so far, in order. */
    events(event: string) {
      return received.filter((m) => m.type === 'event' && m.event === event).map((m) => m.data);
    },
    close: () => relay.close(),
  };
}
