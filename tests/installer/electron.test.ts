// Electron: the electron-vite build (always), and the app itself via Playwright's _electron where the Electron
// binary is installed (it cannot be downloaded on every machine: then the launch test is skipped, saying why).
// DIGIT_LAB_ELECTRON_APP=<executable> launches a packaged app instead of the dev build: the release workflow
// runs this file again on the AppImage it built.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/browser.js';

/** A packaged app's executable (the AppImage), launched as it is: it holds its own app, data and models. */
const PACKAGED = process.env.DIGIT_LAB_ELECTRON_APP || null;

function electronBinary(): { path: string | null; reason: string } {
  if (PACKAGED) return { path: PACKAGED, reason: '' }; // named on purpose: a missing file fails the launch, not skips it
  try {
    const p = createRequire(import.meta.url)('electron') as string;
    if (existsSync(p)) return { path: p, reason: '' };
    return { path: null, reason: `Electron binary not found at ${p}` };
  } catch (err) {
    return {
      path: null,
      reason: `Electron not installed (${(err as Error).message.split('\n')[0]}): an optional dependency, left out where its download from GitHub fails`,
    };
  }
}

const binary = electronBinary();
const canDisplay = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
const launchSkip = !binary.path ? binary.reason : !canDisplay ? 'no DISPLAY for Electron (run under xvfb-run)' : '';

describe('Electron build', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
  });

  it('bundles main, a CommonJS preload, the engine process entry and the renderer with its CSP', () => {
    const main = readFileSync(path.join(ROOT, 'out/main/index.js'), 'utf8');
    for (const flag of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'enableSandbox()']) {
      expect(main).toContain(flag);
    }
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('utilityProcess.fork');
    const engine = /join\(import\.meta\.dirname, "(\.\/chunks\/[^"]+\.js)"\)/.exec(main);
    expect(engine, 'main should reference the bundled engine-process entry').not.toBeNull();
    expect(existsSync(path.join(ROOT, 'out/main', engine![1]))).toBe(true);
    // The fast kernels start their second-core helper from a URL relative to their own chunk.
    const chunks = path.join(ROOT, 'out/main/chunks');
    const kernelsChunk = readdirSync(chunks).find((f) => readFileSync(path.join(chunks, f), 'utf8').includes('new URL("./conv-worker.js"'));
    expect(kernelsChunk, 'a chunk should load ./conv-worker.js').toBeDefined();
    expect(existsSync(path.join(chunks, 'conv-worker.js'))).toBe(true);
    // The main process must not load TensorFlow itself: only the engine chunk does.
    expect(main).not.toMatch(/from "@tensorflow\/tfjs"/);

    const preload = readFileSync(path.join(ROOT, 'out/preload/index.cjs'), 'utf8');
    expect(preload).toContain('require("electron")');
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload).toContain('exposeInMainWorld("digitLab"');

    const html = readFileSync(path.join(ROOT, 'out/renderer/index.html'), 'utf8');
    expect(html).toMatch(/http-equiv="Content-Security-Policy"\s+content="default-src 'none'; script-src 'self'/);
  });
});

describe.skipIf(!!launchSkip)(`Electron app (${PACKAGED ? `packaged: ${path.basename(PACKAGED)}` : 'dev build'})`, () => {
  let app: ElectronApplication;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-electron-'));
    app = await _electron.launch({
      executablePath: binary.path!,
      // Chromium refuses its OS sandbox as root (containers): the renderer stays sandboxed by webPreferences.
      // The dev build is Electron's binary given the checkout; a packaged app is started from elsewhere, alone.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), ...(PACKAGED ? [] : [ROOT])],
      cwd: PACKAGED ? home : ROOT,
      env: { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' } as Record<string, string>,
    });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('opens a sandboxed window whose only bridge is window.digitLab, and trains', async () => {
    const page = await app.firstWindow();
    const env = await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as { digitLab: object }).digitLab).sort(),
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(env).toEqual({ bridge: ['onMessage', 'send'], require: 'undefined', process: 'undefined' });

    await expect.poll(() => page.getByTestId('backend-badge').textContent(), { timeout: 60_000 }).toMatch(/Pure JS/);
    await page.getByTestId('train-size').fill('256');
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('batch-size').fill('64');
    await page.getByTestId('train').click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="chart-batch-loss"]')?.getAttribute('data-points')) >= 2,
      null,
      { timeout: 90_000 },
    );
    await page.getByTestId('train-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('model-name-result').textContent()).toMatch(/^fast-/);
  });
});

if (launchSkip) {
  it.skip(`Electron app launch: skipped — ${launchSkip}`, () => {});
  console.warn(`electron launch test skipped: ${launchSkip}`);
}
