// Browser mode: one HTTP server on loopback that serves the built renderer and relays the protocol over a
// WebSocket (/ws) to the same engine process the Electron app uses. Everything needs the access token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../src-shared/protocol.js';
import { forkEngine } from '../ipc/fork-engine.js';
import { Relay, type EngineChild } from '../ipc/relay.js';
import { resolveResources } from '../resources.js';
import { cookieName, hostAllowed, hostsFor, newToken, originAllowed, tokenOk, type Gate } from './auth.js';
import { resolveAsset, securityHeaders, sendFile } from './static.js';

export interface ServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Built renderer folder; default dist/renderer (resources.ts). */
  rendererDir?: string;
  spawnEngine?: () => EngineChild;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  token: string;
  relay: Relay;
  close(): Promise<void>;
}

function deny(res: ServerResponse, status: number, text: string): void {
  securityHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text + '\n');
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const rendererDir = path.resolve(opts.rendererDir ?? resolveResources().webRendererDir);
  const log = opts.log ?? ((line: string) => console.error(line));
  if (!resolveAsset(rendererDir, '/index.html')) {
    throw new Error(`renderer not built: ${path.join(rendererDir, 'index.html')} is missing (run npm run build:renderer)`);
  }

  const relay = new Relay(opts.spawnEngine ?? (() => forkEngine()), log);
  const gate: Gate = { token, port: 0, hosts: new Set() };

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(gate, req)) return deny(res, 403, '403 forbidden: unexpected Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, '405 method not allowed');
    const auth = tokenOk(gate, req, url);
    if (!auth) return deny(res, 401, '401 unauthorized: open the URL printed by `npm run serve` (it carries the access token)');
    const file = resolveAsset(rendererDir, url.pathname);
    if (!file) return deny(res, 404, '404 not found');
    securityHeaders(res);
    if (auth === 'query') {
      // Assets referenced by the page carry no token: remember it in a cookie only this origin sends.
      res.setHeader('Set-Cookie', `${cookieName(gate.port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    sendFile(res, file, req.method === 'HEAD');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_MESSAGE_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/ws') return refuse('404 Not Found');
    if (!hostAllowed(gate, req)) return refuse('403 Forbidden');
    if (!tokenOk(gate, req, url)) return refuse('401 Unauthorized');
    if (!originAllowed(gate, req)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const client = {
      send(message: unknown) {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
    };
    const disconnect = relay.connect(client);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return client.send({ type: 'response', id: -1, ok: false, error: 'binary messages are not supported' });
      relay.receive(client, data.toString('utf8'));
    });
    ws.on('close', disconnect);
    ws.on('error', (err) => log(`socket error: ${err.message}`));
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  gate.port = port;
  gate.hosts = hostsFor(host, port);
  relay.start();

  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    relay,
    close: async () => {
      relay.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
