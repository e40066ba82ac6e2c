// Shared helper for browser-mode tests: starts `node dist/src-main/server/main.js` on a free port with a fresh
// DIGIT_LAB_HOME (pure-JS backend unless DIGIT_LAB_BACKEND is set), and opens Debian's chromium on it via
// playwright-core. A missing or stale dist/ (Node build or renderer) is rebuilt first (tests/helpers/build.ts).
//
//   const app = await startApp();            // { url, token, page, browser, home, server, close }
//   await app.page.getByTestId('nav-gallery').click();
//   ...
//   await app.close();
//
// `startServerOnly()` gives the server without a browser (protocol tests, benchmarks).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureNodeBuild, ensureRendererBuild } from './build.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];
const SERVER_ENTRY = path.join(ROOT, 'dist/src-main/server/main.js');

/** Builds what the browser-mode server runs (dist/ and dist/renderer) when missing or stale; throws if a build fails. */
export function ensureServerBuilt(): void {
  ensureNodeBuild();
  ensureRendererBuild();
}

/** Why browser tests cannot run here (no Chromium binary), or null when they can; then the server's build is made
 *  current (rebuilt when missing or stale, a failed build throws: never a skip). */
export function browserMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install -y chromium)`;
  ensureServerBuilt();
  return null;
}

export interface ServerHandle {
  url: string;
  origin: string;
  token: string;
  port: number;
  home: string;
  server: ChildProcess;
  /** Everything the server printed so far (stdout + stderr). */
  output(): string;
  close(): Promise<void>;
}

export interface AppHandle extends ServerHandle {
  browser: Browser;
  page: Page;
  /** Console errors and CSP violations seen in the page. */
  pageErrors: string[];
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse an existing DIGIT_LAB_HOME (kept on close) instead of a fresh temp one (removed on close). */
  home?: string;
}

export async function startServerOnly(opts: StartOptions = {}): Promise<ServerHandle> {
  const home = opts.home ?? mkdtempSync(path.join(os.tmpdir(), 'digit-lab-home-'));
  const server = spawn(process.execPath, [SERVER_ENTRY, '--port', '0', '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: process.env.DIGIT_LAB_BACKEND ?? 'js', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  server.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /Digit Lab is running at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    server.stdout!.on('data', check);
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code}:\n${out}`));
    });
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    token: u.searchParams.get('token') ?? '',
    port: Number(u.port),
    home,
    server,
    output: () => out,
    close: async () => {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      if (!opts.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function startApp(opts: StartOptions = {}): Promise<AppHandle> {
  const srv = await startServerOnly(opts);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (err) {
    await srv.close();
    throw err;
  }
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(srv.url);
  return {
    ...srv,
    browser,
    page,
    pageErrors,
    close: async () => {
      await browser.close().catch(() => {});
      await srv.close();
    },
  };
}
