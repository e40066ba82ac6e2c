// Browser mode's access control: a random token (in the printed URL, then an HttpOnly cookie) is required for
// the page, its assets and the socket; Host must be the loopback address we listen on (no DNS rebinding) and a
// socket's Origin must be our own page.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function cookieName(port: number): string {
  return `digit_lab_token_${port}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

export interface Gate {
  token: string;
  port: number;
  /** Host header values accepted, e.g. 127.0.0.1:5180 and localhost:5180. */
  hosts: Set<string>;
}

export function hostsFor(host: string, port: number): Set<string> {
  const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  if (host === '0.0.0.0' || host === '::') names.clear(); // listening everywhere: any Host (token still required)
  return new Set([...names].map((h) => `${h}:${port}`));
}

export function hostAllowed(gate: Gate, req: IncomingMessage): boolean {
  return gate.hosts.size === 0 || gate.hosts.has(req.headers.host ?? '');
}

/** The token from the query string (?token=) or our cookie, checked in constant time. */
export function tokenOk(gate: Gate, req: IncomingMessage, url: URL): 'query' | 'cookie' | null {
  const q = url.searchParams.get('token');
  if (q && same(q, gate.token)) return 'query';
  const c = cookie(req, cookieName(gate.port));
  if (c && same(c, gate.token)) return 'cookie';
  return null;
}

/** A socket's Origin must be the page we served: http://<allowed host>. */
export function originAllowed(gate: Gate, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:') return false;
    return gate.hosts.size === 0 ? u.host === req.headers.host : gate.hosts.has(u.host);
  } catch {
    return false;
  }
}
