// The one live-answer class that the Sketchpad (predict) and the Inside view (activations) share,
// src-renderer/lib/live.svelte.ts, run in chromium as the app runs it: bundled with the Svelte plugin, the drawing
// rasterised on the page's canvas. A stand-in for the engine holds every request until the test answers it, so the
// test decides the order: at most one request in flight, the trailing one reads the newest drawing, an answer to a
// request made before a clear is dropped, a failure clears the answer, too little ink asks nothing, a pinned image
// (the Inside view's "Look inside") is asked about instead of the drawing.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Point, Sketch } from '../../src-shared/sketch/strokes.js';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from '../helpers/browser.js';

const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install -y chromium)`;
if (missing) console.warn(`live-answer tests skipped: ${missing}`);

/** A request the stand-in engine holds until the test answers it. */
interface Call {
  pixels: number[];
  model: string | null;
  resolve(answer: string): void;
  reject(error: Error): void;
}
type Ask = (pixels: number[], model: string | null) => Promise<string>;
/** The part of LiveAnswer the test reads (the page runs the real class). */
interface Live {
  model: string | null;
  result: string | null;
  input: number[] | null;
  error: string;
  latencyMs: number | null;
  strokes: number;
  attach(): () => void;
  refresh(): void;
}
/** What PAGE_SETUP puts on the page's globalThis.t. */
interface Tools {
  LiveAnswer: new (ask: Ask, sketch: Sketch) => Live;
  Sketch: new () => Sketch;
  LIVE_INTERVAL_MS: number;
  calls: Call[];
  ask: Ask;
  sleep(ms: number): Promise<void>;
  until(what: string, f: () => boolean): Promise<void>;
  p(x: number, y: number): Point;
  settle(): Promise<void>;
}

/** What the page's script exposes: the class, a Sketch, and the held requests. */
const PAGE_SETUP = `
  const { LiveAnswer, Sketch, LIVE_INTERVAL_MS } = globalThis.live;
  const calls = [];
  const ask = (pixels, model) => new Promise((resolve, reject) => calls.push({ pixels, model, resolve, reject }));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (what, f) => {
    for (let t = 0; t < 500; t++) { if (f()) return; await sleep(10); }
    throw new Error('timed out waiting for ' + what);
  };
  const p = (x, y) => ({ x, y, pressure: 0.5 });
  /** Let the class's promise handlers run. */
  const settle = () => sleep(0);
  globalThis.t = { LiveAnswer, Sketch, LIVE_INTERVAL_MS, calls, ask, sleep, until, p, settle };
`;

describe.skipIf(missing)('live answers (lib/live.svelte.ts) in the browser', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-live-'));
    const entry = path.join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `export { LiveAnswer, LIVE_INTERVAL_MS } from ${JSON.stringify(path.join(ROOT, 'src-renderer/lib/live.svelte.ts'))};\n` +
        `export { Sketch } from ${JSON.stringify(path.join(ROOT, 'src-shared/sketch/strokes.ts'))};\n`,
    );
    const bundle = await build({
      configFile: false,
      logLevel: 'silent',
      plugins: [svelte()],
      build: { write: false, minify: false, lib: { entry, formats: ['iife'], name: 'live' } },
    });
    const output = (Array.isArray(bundle) ? bundle[0] : bundle) as { output: { code?: string }[] };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.addScriptTag({ content: output.output[0].code! });
    await page.addScriptTag({ content: PAGE_SETUP });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('while drawing: one request in flight, the trailing one reads the newest drawing; an answer from before a clear is dropped', async () => {
    const r = await page.evaluate(async () => {
      const { LiveAnswer, Sketch, LIVE_INTERVAL_MS, calls, ask, sleep, until, p, settle } = (globalThis as unknown as { t: Tools }).t;
      const sketch = new Sketch();
      const live = new LiveAnswer(ask, sketch);
      const detach = live.attach();
      const seen: Record<string, unknown> = { interval: LIVE_INTERVAL_MS };

      sketch.begin(p(0.3, 0.2));
      for (let i = 1; i <= 20; i++) sketch.extend([p(0.3 + i * 0.01, 0.2 + i * 0.03)]);
      await until('the first request', () => calls.length === 1);
      // More drawing while it is in flight: nothing more is asked until it is answered.
      for (let i = 1; i <= 10; i++) sketch.extend([p(0.5 - i * 0.02, 0.8)]);
      await sleep(3 * LIVE_INTERVAL_MS);
      seen.inFlightWhileDrawing = calls.length;
      seen.inputIsFirstRequest = live.input === calls[0].pixels;
      calls[0].resolve('first');
      await until('the trailing request', () => calls.length === 2);
      seen.afterFirst = live.result;
      seen.strokes = live.strokes;
      // The trailing request read the drawing as it was when it started: more ink than the first.
      const ink = (px: number[]) => px.reduce((a, b) => a + b, 0);
      seen.trailingHasMoreInk = ink(calls[1].pixels) > ink(calls[0].pixels);
      seen.greyLevels = calls[1].pixels.length === 784 && calls[1].pixels.every((v: number) => Number.isInteger(v) && v >= 0 && v <= 255);
      calls[1].resolve('second');
      await settle();
      seen.afterSecond = live.result;
      seen.latency = typeof live.latencyMs === 'number' && live.latencyMs >= 0;

      // A stroke's end asks at once; a clear before the answer drops it.
      sketch.end();
      await until('the stroke-end request', () => calls.length === 3);
      sketch.clear();
      seen.clearedAt = { result: live.result, input: live.input, strokes: live.strokes };
      calls[2].resolve('stale');
      await settle();
      seen.afterStale = live.result;
      await sleep(2 * LIVE_INTERVAL_MS);
      seen.callsAfterClear = calls.length;
      detach();
      return seen;
    });
    expect(r.inFlightWhileDrawing).toBe(1);
    expect(r.inputIsFirstRequest).toBe(true);
    expect(r.afterFirst).toBe('first');
    expect(r.strokes).toBe(1);
    expect(r.trailingHasMoreInk).toBe(true);
    expect(r.greyLevels).toBe(true);
    expect(r.afterSecond).toBe('second');
    expect(r.latency).toBe(true);
    expect(r.clearedAt).toEqual({ result: null, input: null, strokes: 0 });
    expect(r.afterStale).toBe(null);
    expect(r.callsAfterClear).toBe(3);
  });

  it('a long drawing answered at once is asked about at most once per LIVE_INTERVAL_MS', async () => {
    const r = await page.evaluate(async () => {
      const { LiveAnswer, Sketch, LIVE_INTERVAL_MS, sleep, p } = (globalThis as unknown as { t: Tools }).t;
      const sketch = new Sketch();
      let asked = 0;
      const live = new LiveAnswer(async () => `answer ${++asked}`, sketch);
      const detach = live.attach();
      const started = performance.now();
      sketch.begin(p(0.1, 0.1));
      for (let i = 1; i <= 120; i++) {
        sketch.extend([p(0.1 + (i % 40) * 0.02, 0.1 + i * 0.007)]);
        await sleep(5);
      }
      const ms = performance.now() - started;
      const whileDrawing = asked;
      sketch.end();
      await sleep(2 * LIVE_INTERVAL_MS);
      detach();
      return { ms, interval: LIVE_INTERVAL_MS, whileDrawing, atEnd: asked, last: live.result };
    });
    expect(r.interval).toBe(100);
    expect(r.whileDrawing).toBeGreaterThanOrEqual(2);
    expect(r.whileDrawing).toBeLessThanOrEqual(Math.ceil(r.ms / r.interval) + 1);
    expect(r.atEnd).toBe(r.whileDrawing + 1); // the stroke's end asks once more, at once
    expect(r.last).toBe(`answer ${r.atEnd}`);
  });

  it('a failure clears the answer and shows its message; too little ink asks nothing; the model goes with each request', async () => {
    const r = await page.evaluate(async () => {
      const { LiveAnswer, Sketch, LIVE_INTERVAL_MS, calls, ask, sleep, until, p, settle } = (globalThis as unknown as { t: Tools }).t;
      calls.length = 0;
      const sketch = new Sketch();
      const live = new LiveAnswer(ask, sketch);
      const detach = live.attach();
      const seen: Record<string, unknown> = {};

      // A single tap: a dot too small to read. Nothing is asked and nothing is shown.
      sketch.begin(p(0.5, 0.5));
      sketch.end();
      await sleep(3 * LIVE_INTERVAL_MS);
      seen.dot = { calls: calls.length, input: live.input, result: live.result };

      sketch.begin(p(0.5, 0.1));
      sketch.extend([p(0.5, 0.5), p(0.5, 0.9)]);
      sketch.end();
      await until('the request for the line', () => calls.length === 1);
      calls[0].resolve('one');
      await settle();
      seen.one = live.result;

      live.model = 'other';
      live.refresh();
      await until('the request for the other model', () => calls.length === 2);
      seen.model = calls[1].model;
      calls[1].reject(new Error('model other not found'));
      await settle();
      seen.failed = { result: live.result, error: live.error };

      live.model = null;
      live.refresh();
      await until('the request after the failure', () => calls.length === 3);
      seen.modelAfter = calls[2].model;
      calls[2].resolve('again');
      await settle();
      seen.again = { result: live.result, error: live.error };
      detach();
      return seen;
    });
    expect(r.dot).toEqual({ calls: 0, input: null, result: null });
    expect(r.one).toBe('one');
    expect(r.model).toBe('other');
    expect(r.failed).toEqual({ result: null, error: 'model other not found' });
    expect(r.modelAfter).toBe(null);
    expect(r.again).toEqual({ result: 'again', error: '' });
  });

  it('a pinned image (Look inside) is asked about instead of the drawing, whose changes are then ignored', async () => {
    const r = await page.evaluate(async () => {
      const { LiveAnswer, Sketch, LIVE_INTERVAL_MS, calls, ask, sleep, until, p } = (globalThis as unknown as { t: Tools }).t;
      calls.length = 0;
      const picture = Array.from({ length: 784 }, (_, i) => i % 256);
      class Pinned extends LiveAnswer {
        picked: number[] | null = picture;
        pinned() {
          return this.picked;
        }
      }
      const sketch = new Sketch();
      const live = new Pinned(ask, sketch);
      const detach = live.attach();
      const seen: Record<string, unknown> = {};
      live.refresh();
      await until('the pinned request', () => calls.length === 1);
      seen.pinned = calls[0].pixels === picture;
      calls[0].resolve('picture');
      sketch.begin(p(0.5, 0.1));
      sketch.extend([p(0.5, 0.5), p(0.5, 0.9)]);
      sketch.end();
      await sleep(3 * LIVE_INTERVAL_MS);
      seen.callsWhilePinned = calls.length;
      seen.result = live.result;
      live.picked = null;
      live.refresh();
      await until('the request for the drawing', () => calls.length === 2);
      seen.drawing = calls[1].pixels !== picture && calls[1].pixels.length === 784;
      calls[1].resolve('drawing');
      detach();
      return seen;
    });
    expect(r).toEqual({ pinned: true, callsWhilePinned: 1, result: 'picture', drawing: true });
  });
});
