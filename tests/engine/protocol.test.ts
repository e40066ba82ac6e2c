// Protocol and browser-mode security against the real server and engine process: every bad message gets an
// error reply (or the connection is refused), and the engine keeps answering afterwards.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '../../src-shared/protocol.js';
import { ensureServerBuilt, startServerOnly, type ServerHandle } from '../helpers/browser.js';

ensureServerBuilt();

interface Reply {
  type: string;
  id?: number;
  ok?: boolean;
  error?: string;
  result?: any;
  event?: string;
  data?: any;
}

class Conn {
  messages: Reply[] = [];
  private waiters: { match: (m: Reply) => boolean; resolve: (m: Reply) => void }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Reply;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
  }
  next(match: (m: Reply) => boolean, timeoutMs = 60_000): Promise<Reply> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no matching message')), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  }
  reply(id: number): Promise<Reply> {
    return this.next((m) => m.type === 'response' && m.id === id);
  }
  async call(id: number, method: string, params: unknown): Promise<Reply> {
    this.ws.send(JSON.stringify({ type: 'request', id, method, params }));
    return this.reply(id);
  }
}

function connect(srv: ServerHandle, opts: { token?: string; origin?: string | null } = {}): Promise<Conn> {
  const token = opts.token ?? srv.token;
  const headers: Record<string, string> = {};
  const origin = opts.origin === undefined ? srv.origin : opts.origin;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws?token=${encodeURIComponent(token)}`, {
      headers,
      ...(origin === null ? {} : { origin }),
    });
    const conn = new Conn(ws);
    ws.once('open', () => resolve(conn));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** GET with node:http (fetch cannot set Host). */
function httpStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('browser-mode protocol and access control', () => {
  let srv: ServerHandle;
  let conn: Conn;
  let nextId = 100;

  beforeAll(async () => {
    srv = await startServerOnly();
    conn = await connect(srv);
    await conn.next((m) => m.event === 'engine' && m.data.state === 'ready');
  });
  afterAll(async () => {
    conn?.ws.close();
    await srv?.close();
  });

  async function engineStillAnswers(): Promise<void> {
    const r = await conn.call(nextId++, 'status', {});
    expect(r.ok).toBe(true);
    expect(r.result.dataset.test).toBe(10000);
  }

  it('serves the page only with the token (query, then cookie) and refuses everything else with 401', async () => {
    const base = `http://127.0.0.1:${srv.port}`;
    expect(await httpStatus(`${base}/`)).toBe(401);
    expect(await httpStatus(`${base}/index.html?token=wrong`)).toBe(401);
    const page = await fetch(`${base}/?token=${srv.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
    expect(await httpStatus(`${base}/${asset}`)).toBe(401);
    expect(await httpStatus(`${base}/${asset}`, { cookie })).toBe(200);
    expect(await httpStatus(`${base}/${asset}`, { cookie: cookie.replace(/=.*/, '=nope') })).toBe(401);
    // No escaping the renderer folder, no other methods, no foreign Host (DNS rebinding).
    expect(await httpStatus(`${base}/..%2f..%2fpackage.json?token=${srv.token}`)).toBe(404);
    expect((await fetch(`${base}/?token=${srv.token}`, { method: 'POST' })).status).toBe(405);
    expect(await httpStatus(`${base}/?token=${srv.token}`, { host: `evil.example:${srv.port}` })).toBe(403);
  });

  it('refuses sockets without the token or from a foreign Origin', async () => {
    await expect(connect(srv, { token: '' })).rejects.toThrow('HTTP 401');
    await expect(connect(srv, { token: 'x'.repeat(32) })).rejects.toThrow('HTTP 401');
    await expect(connect(srv, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect(srv, { origin: `http://127.0.0.1:${srv.port + 1}` })).rejects.toThrow('HTTP 403');
    await expect(connect(srv, { origin: null })).rejects.toThrow('HTTP 403');
    await engineStillAnswers();
  });

  it('answers unknown methods, wrong types and malformed messages with one-line errors', async () => {
    const unknown = await conn.call(nextId++, 'trainHarder', {});
    expect(unknown).toMatchObject({ ok: false, error: 'unknown method: "trainHarder"' });
    const twoLines = await conn.call(nextId++, 'predict\n', {});
    expect(twoLines).toMatchObject({ ok: false, error: 'unknown method: "predict\\n"' });

    const wrong = await conn.call(nextId++, 'predict', { inputs: [[1, 2, 3]] });
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatch(/^invalid params for predict: inputs\.0: .*784/);

    const badType = await conn.call(nextId++, 'train', { epochs: 'many', batchSize: -1 });
    expect(badType.ok).toBe(false);
    expect(badType.error).toMatch(/^invalid params for train: epochs: .*number/);

    const notAModel = await conn.call(nextId++, 'models.delete', { name: '../../etc' });
    expect(notAModel.ok).toBe(false);
    expect(notAModel.error).toContain('name');

    const id = nextId++;
    conn.ws.send(`{"type":"request","id":${id},"method":`);
    expect(await conn.reply(id)).toMatchObject({ ok: false, error: 'message is not valid JSON' });

    conn.ws.send(JSON.stringify({ type: 'event', event: 'done', data: {} }));
    const spoofed = await conn.next((m) => m.type === 'response' && m.id === -1 && /only send requests/.test(m.error ?? ''));
    expect(spoofed.ok).toBe(false);

    const noType = nextId++;
    conn.ws.send(JSON.stringify({ id: noType, method: 'status' }));
    expect((await conn.reply(noType)).error).toMatch(/^malformed message/);
    for (const m of conn.messages.filter((x) => x.type === 'response' && x.ok === false)) {
      expect(m.error).not.toContain('\n');
    }
    await engineStillAnswers();
  });

  it('refuses oversized payloads: error reply above the limit, connection closed far above it', async () => {
    const id = nextId++;
    const big = JSON.stringify({ type: 'request', id, method: 'predict', params: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    conn.ws.send(big);
    const r = await conn.reply(id);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^message too large/);
    await engineStillAnswers();

    const other = await connect(srv);
    const closed = new Promise<number>((resolve) => other.ws.once('close', (code) => resolve(code)));
    other.ws.send('x'.repeat(2 * MAX_MESSAGE_BYTES + 10));
    expect(await closed).toBe(1009);
    await engineStillAnswers();
  });

  it('reports an engine crash to clients and restarts it on request', async () => {
    const pids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(srv.server.pid)], { encoding: 'utf8' })
      .split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
    expect(pids.length).toBe(1);
    const crashed = conn.next((m) => m.event === 'engine' && m.data.state === 'crashed');
    process.kill(pids[0], 'SIGKILL');
    expect((await crashed).data.message).toMatch(/SIGKILL/);

    const refused = await conn.call(nextId++, 'status', {});
    expect(refused).toMatchObject({ ok: false });
    expect(refused.error).toMatch(/engine process is not running/);

    const before = conn.messages.length;
    const restarted = await conn.call(nextId++, 'engine.restart', {});
    expect(restarted).toMatchObject({ ok: true, result: { restarted: true } });
    await conn.next((m) => conn.messages.indexOf(m) >= before && m.event === 'engine' && m.data.state === 'ready');
    await engineStillAnswers();
  });
});
