// The relay against an in-memory engine child (no process is forked): what it validates before anything reaches
// the engine, how it maps request ids per client, broadcasts events, and what clients see when the engine dies or
// is restarted. tests/engine/protocol-relay.test.ts runs the same relay against a real engine process.
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_MESSAGE_BYTES } from '../../src-shared/protocol.js';
import { Relay, type Client, type EngineChild, type HostHandlers } from '../../src-main/ipc/relay.js';

/** An engine child in memory: records what the relay sends and lets the test answer, emit and exit. */
class FakeEngine implements EngineChild {
  sent: Record<string, unknown>[] = [];
  killed = false;
  private messageListeners: ((m: unknown) => void)[] = [];
  private exitListeners: ((reason: string) => void)[] = [];
  send(message: unknown): void {
    this.sent.push(message as Record<string, unknown>);
  }
  onMessage(listener: (m: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.killed = true;
  }
  /** A message from the engine to the relay. */
  push(message: unknown): void {
    for (const l of this.messageListeners) l(message);
  }
  exit(reason: string): void {
    for (const l of this.exitListeners) l(reason);
  }
  /** The last request the relay forwarded. */
  get lastRequest(): { id: number; method: string; params: unknown } {
    return this.sent.at(-1) as { id: number; method: string; params: unknown };
  }
}

class FakeClient implements Client {
  received: Record<string, unknown>[] = [];
  send(message: unknown): void {
    this.received.push(message as Record<string, unknown>);
  }
  responses() {
    return this.received.filter((m) => m.type === 'response');
  }
  events(name?: string) {
    return this.received.filter((m) => m.type === 'event' && (!name || m.event === name));
  }
}

function setup(host: HostHandlers = {}) {
  const engines: FakeEngine[] = [];
  const logged: string[] = [];
  const relay = new Relay(() => {
    const e = new FakeEngine();
    engines.push(e);
    return e;
  }, (line) => logged.push(line), host);
  relay.start();
  const client = new FakeClient();
  relay.connect(client);
  return { relay, engines, client, logged, engine: () => engines.at(-1)! };
}

const request = (id: number, method: string, params: unknown = {}) => ({ type: 'request', id, method, params });

describe('relay (in-memory engine)', () => {
  it('refuses bad client messages with a one-line error reply and forwards nothing', () => {
    const { relay, engine, client } = setup();
    relay.receive(client, 'x'.repeat(MAX_MESSAGE_BYTES + 1));
    relay.receive(client, '{"type":"request","id":7,');
    relay.receive(client, { type: 'event', event: 'batch', data: {} });
    relay.receive(client, request(8, 'rm -rf'));
    relay.receive(client, request(9, 'predict', { inputs: [[1, 2, 3]] }));
    relay.receive(client, request(10, 'samples', { n: 0 }));
    const errors = client.responses().map((r) => [r.id, r.ok, r.error]);
    expect(errors).toEqual([
      [-1, false, expect.stringMatching(/^message too large \(\d+ bytes > 8388608\)$/)],
      [7, false, 'message is not valid JSON'],
      [-1, false, 'clients may only send requests, not events'],
      [8, false, 'unknown method: "rm -rf"'],
      [9, false, expect.stringMatching(/^invalid params for predict: inputs\.0: /)],
      [10, false, expect.stringMatching(/^invalid params for samples: n: /)],
    ]);
    for (const r of client.responses()) expect(String(r.error)).not.toContain('\n');
    expect(engine().sent).toEqual([]);
  });

  it('forwards valid requests with the parsed params under its own ids, and routes each answer to its client', () => {
    const { relay, engine, client } = setup();
    const other = new FakeClient();
    relay.connect(other);
    relay.receive(client, JSON.stringify(request(1, 'samples', { n: 3, seed: 5 })));
    relay.receive(other, request(1, 'stop'));
    const [a, b] = engine().sent as { id: number; method: string; params: unknown }[];
    expect([a.method, b.method]).toEqual(['samples', 'stop']);
    expect(a.params).toEqual({ n: 3, seed: 5 });
    expect(a.id).not.toBe(b.id); // both clients used id 1

    engine().push({ type: 'response', id: b.id, ok: true, result: { stopping: false } });
    engine().push({ type: 'response', id: a.id, ok: false, error: 'no model yet: train one first' });
    expect(other.responses()).toEqual([{ type: 'response', id: 1, ok: true, result: { stopping: false } }]);
    expect(client.responses()).toEqual([{ type: 'response', id: 1, ok: false, error: 'no model yet: train one first' }]);
    // an answer to nothing pending is dropped
    engine().push({ type: 'response', id: a.id, ok: true, result: {} });
    expect(client.responses()).toHaveLength(1);
  });

  it('broadcasts engine events to every client, keeps the engine state for late clients, drops unknown events', () => {
    const { relay, engine, client, logged } = setup();
    expect(client.events('engine').at(-1)?.data).toEqual({ state: 'starting', message: 'starting the engine process' });
    const other = new FakeClient();
    relay.connect(other);
    engine().push({ type: 'event', event: 'log', data: { level: 'info', message: 'hello' } });
    engine().push({ type: 'event', event: 'engine', data: { state: 'ready', message: 'pure JavaScript (cpu)' } });
    engine().push({ type: 'event', event: 'nonsense', data: {} });
    engine().push('not json');
    for (const c of [client, other]) {
      expect(c.events('log').map((e) => e.data)).toEqual([{ level: 'info', message: 'hello' }]);
      expect(c.events('nonsense')).toEqual([]);
    }
    expect(relay.engineState).toEqual({ state: 'ready', message: 'pure JavaScript (cpu)' });
    const late = new FakeClient();
    relay.connect(late);
    expect(late.events('engine').map((e) => e.data)).toEqual([{ state: 'ready', message: 'pure JavaScript (cpu)' }]);
    expect(logged).toEqual(['dropped a malformed engine message: message is not valid JSON']);
  });

  it('fails pending calls and reports crashed when the engine dies; restart starts a fresh one', () => {
    const { relay, engines, engine, client } = setup();
    relay.receive(client, request(1, 'evaluate'));
    engine().exit('exit code 134');
    expect(client.responses()).toEqual([{ type: 'response', id: 1, ok: false, error: 'the engine process stopped (exit code 134)' }]);
    expect(client.events('engine').at(-1)?.data).toEqual({ state: 'crashed', message: 'exit code 134' });

    relay.receive(client, request(2, 'status'));
    expect(client.responses().at(-1)).toMatchObject({ id: 2, ok: false, error: expect.stringMatching(/^the engine process is not running \(exit code 134\); restart it$/) });

    relay.receive(client, request(3, 'engine.restart'));
    expect(engines).toHaveLength(2);
    expect(client.responses().at(-1)).toEqual({ type: 'response', id: 3, ok: true, result: { restarted: true } });
    relay.receive(client, request(4, 'status'));
    expect(engine().lastRequest.method).toBe('status');
  });

  it('on restart kills the old engine, fails its pending calls once, and ignores whatever it still says', () => {
    const { relay, engines, client } = setup();
    relay.receive(client, request(1, 'evaluate'));
    const old = engines[0];
    const pendingId = old.lastRequest.id;
    relay.restart();
    expect(old.killed).toBe(true);
    expect(client.responses()).toEqual([{ type: 'response', id: 1, ok: false, error: 'the engine process was restarted' }]);
    old.push({ type: 'response', id: pendingId, ok: true, result: {} });
    old.push({ type: 'event', event: 'log', data: { level: 'info', message: 'from the old engine' } });
    old.exit('killed by SIGKILL');
    expect(client.responses()).toHaveLength(1);
    expect(client.events('log')).toEqual([]);
    expect(client.events('engine').map((e) => (e.data as { state: string }).state)).toEqual(['starting', 'restarting']);
  });

  it('drops the answers of a client that disconnected, and reports an engine that cannot start', () => {
    const { relay, engine, client } = setup();
    const gone = new FakeClient();
    const disconnect = relay.connect(gone);
    relay.receive(gone, request(1, 'status'));
    const id = engine().lastRequest.id;
    disconnect();
    engine().push({ type: 'response', id, ok: true, result: {} });
    engine().push({ type: 'event', event: 'log', data: { level: 'info', message: 'after' } });
    expect(gone.responses()).toEqual([]);
    expect(gone.events('log')).toEqual([]);
    expect(client.events('log')).toHaveLength(1);

    const broken = new Relay(() => {
      throw new Error('spawn ENOENT');
    });
    broken.start();
    expect(broken.engineState).toEqual({ state: 'crashed', message: 'could not start the engine process: spawn ENOENT' });
  });

  it('checks Keras files before the engine sees them: base64 only, and no larger than one message holds', () => {
    const { relay, engine, client } = setup();
    const tooLong = 'A'.repeat(Math.ceil(MAX_FILE_BYTES / 3) * 4 + 4); // the message itself is still under the limit
    relay.receive(client, request(1, 'models.importKeras', { fileName: 'x.h5', base64: 'not base64!' }));
    relay.receive(client, request(2, 'models.importKeras', { fileName: 'x.h5', base64: tooLong }));
    relay.receive(client, request(3, 'models.importKeras', { fileName: '', base64: 'AAAA' }));
    relay.receive(client, request(4, 'models.exportKeras', { name: '../x' }));
    expect(client.responses().map((r) => [r.id, r.error])).toEqual([
      [1, 'invalid params for models.importKeras: base64: not base64'],
      [2, expect.stringMatching(/^invalid params for models\.importKeras: base64: files up to 6\.2 MB/)],
      [3, expect.stringMatching(/^invalid params for models\.importKeras: fileName: /)],
      [4, expect.stringMatching(/^invalid params for models\.exportKeras: name: /)],
    ]);
    expect(engine().sent).toEqual([]);
    relay.receive(client, request(5, 'models.importKeras', { fileName: 'x.h5', base64: 'iUhERg0KGgo=', name: 'x' }));
    expect(engine().lastRequest).toMatchObject({ method: 'models.importKeras', params: { fileName: 'x.h5', base64: 'iUhERg0KGgo=', name: 'x' } });
  });

  it('answers the host\'s methods through its handlers (the desktop folder picker), never the engine; refuses them without', async () => {
    const asked: unknown[] = [];
    const answers = [{ path: '/home/me/shapes' }, { path: null }];
    const { relay, engine, client } = setup({
      'dialog.openFolder': (params) => {
        asked.push(params);
        const next = answers.shift();
        return next ? Promise.resolve(next) : Promise.reject(new Error('no window\nstack'));
      },
    });
    for (const id of [1, 2, 3]) relay.receive(client, request(id, 'dialog.openFolder'));
    relay.receive(client, request(4, 'dialog.openFolder', 'nope'));
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual([{}, {}, {}]);
    expect(client.responses()).toEqual([
      { type: 'response', id: 4, ok: false, error: expect.stringMatching(/^invalid params for dialog\.openFolder: /) },
      { type: 'response', id: 1, ok: true, result: { path: '/home/me/shapes' } },
      { type: 'response', id: 2, ok: true, result: { path: null } },
      { type: 'response', id: 3, ok: false, error: 'no window' },
    ]);
    expect(engine().sent).toEqual([]);

    const browser = setup();
    browser.relay.receive(browser.client, request(5, 'dialog.openFolder'));
    expect(browser.client.responses()).toEqual([
      { type: 'response', id: 5, ok: false, error: 'dialog.openFolder is available only in the desktop app' },
    ]);
    expect(browser.engine().sent).toEqual([]);
  });
});
