// Browser mode on the backend `auto` picks without tfjs-node: the engine process (child_process.fork)
// loads the WebAssembly backend with its pthread workers, and the Train view's badge says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, startApp, type AppHandle } from '../helpers/browser.js';

const missing = browserMissing();
if (missing) console.warn(`app tests skipped: ${missing}`);

describe.skipIf(!!missing)('browser mode on the wasm backend', () => {
  let app: AppHandle;
  beforeAll(async () => {
    app = await startApp({ env: { DIGIT_LAB_BACKEND: 'auto' } });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('reports WebAssembly SIMD on every core in the badge', async () => {
    const badge = app.page.getByTestId('backend-badge');
    await expect.poll(() => badge.textContent(), { timeout: 60_000 }).toMatch(/WebAssembly · WebAssembly SIMD, \d threads? on /);
  }, 120_000);
});
