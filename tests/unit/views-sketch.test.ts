// Unit tests of the views' plain-TypeScript pieces: the sketch stroke model, the MNIST-matched pen,
// the throttled live-prediction runner and the virtual grid window.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Sketch, boundingBox, type ChangeReason } from '../../src-shared/sketch/strokes.js';
import { MODEL_PEN_FRACTION, modelPenWidth } from '../../src-shared/sketch/pen.js';
import { throttleLatest } from '../../src-renderer/lib/sketch/throttle.js';
import { gridWindow } from '../../src-renderer/components/mistakes/virtual.js';
import { suggestName } from '../../src-renderer/components/models/files.js';

const pt = (x: number, y: number, pressure = 0.5) => ({ x, y, pressure });

describe('Sketch', () => {
  it('records strokes, drops sub-pixel jitter and clamps points to the pad', () => {
    const s = new Sketch();
    const reasons: ChangeReason[] = [];
    s.onChange((r) => reasons.push(r));
    expect(s.isEmpty).toBe(true);
    s.begin(pt(0.1, 0.1));
    s.extend([pt(0.1005, 0.1), pt(0.2, 0.2), pt(1.4, -0.3)]);
    expect(s.drawing).toBe(true);
    s.end();
    expect(s.strokes).toHaveLength(1);
    expect(s.strokes[0]).toEqual([pt(0.1, 0.1), pt(0.2, 0.2), pt(1, 0)]);
    expect(reasons).toEqual(['draw', 'draw', 'stroke-end']);
    expect(boundingBox(s.strokes)).toEqual({ minX: 0.1, minY: 0, maxX: 1, maxY: 0.2 });
  });

  it('undoes the last stroke (or the one being drawn) and clears', () => {
    const s = new Sketch();
    s.begin(pt(0.1, 0.1));
    s.end();
    s.begin(pt(0.5, 0.5));
    s.extend([pt(0.6, 0.6)]);
    s.end();
    s.begin(pt(0.9, 0.9));
    expect(s.count).toBe(3);
    expect(s.undo()).toBe(true); // the stroke in progress
    expect(s.count).toBe(2);
    expect(s.undo()).toBe(true);
    expect(s.strokes).toEqual([[pt(0.1, 0.1)]]);
    expect(s.clear()).toBe(true);
    expect(s.isEmpty).toBe(true);
    expect(s.undo()).toBe(false);
    expect(s.clear()).toBe(false);
  });

  it('ignores moves without a stroke and replaces non-finite pressure', () => {
    const s = new Sketch();
    s.extend([pt(0.3, 0.3)]);
    expect(s.isEmpty).toBe(true);
    s.begin(pt(0.3, 0.3, Number.NaN));
    expect(s.strokes[0][0].pressure).toBe(0.5);
    s.cancel();
    expect(s.isEmpty).toBe(true);
  });
});

describe('model pen', () => {
  it('scales with the digit, small or large, within limits', () => {
    const line = (h: number) => [[pt(0.5, 0.1), pt(0.5, 0.1 + h)]];
    expect(modelPenWidth(line(0.5))).toBeCloseTo(0.5 * MODEL_PEN_FRACTION);
    expect(modelPenWidth(line(0.25))).toBeCloseTo(0.25 * MODEL_PEN_FRACTION);
    expect(modelPenWidth([[pt(0.5, 0.5)]])).toBeGreaterThan(0);
    expect(modelPenWidth([])).toBeGreaterThan(0);
  });
});

describe('throttleLatest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs at most once per interval, never twice at once, and folds requests into one trailing run', async () => {
    let running = 0;
    let maxRunning = 0;
    const starts: number[] = [];
    const task = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      starts.push(Date.now());
      await new Promise((r) => setTimeout(r, 30));
      running--;
    };
    const t = throttleLatest(task, 100);
    const t0 = Date.now();
    for (let ms = 0; ms < 500; ms += 10) {
      t.request();
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(500);
    expect(maxRunning).toBe(1);
    const gaps = starts.slice(1).map((s, i) => s - starts[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(starts.length).toBeGreaterThanOrEqual(5);
    expect(starts.length).toBeLessThanOrEqual(6);
    expect(starts[starts.length - 1] - t0).toBeGreaterThanOrEqual(490); // a trailing run after the last request
  });

  it('flush runs right after the one in flight; cancel drops a pending run', async () => {
    let runs = 0;
    const t = throttleLatest(async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
    }, 1000);
    t.request();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    t.flush();
    await vi.advanceTimersByTimeAsync(60);
    expect(runs).toBe(2);
    t.request();
    t.cancel();
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(2);
  });
});

describe('gridWindow', () => {
  it('renders only the rows on screen plus overscan', () => {
    const w = gridWindow(1000, 800, 160, 100, 2000, 500, 2);
    expect(w.columns).toBe(5);
    expect(w.rows).toBe(200);
    expect(w.totalHeight).toBe(20000);
    expect(w.start).toBe(18 * 5);
    expect(w.end).toBe(27 * 5);
    expect(w.offsetTop).toBe(1800);
  });

  it('handles short lists and narrow containers', () => {
    expect(gridWindow(3, 100, 160, 100, 0, 500)).toMatchObject({ columns: 1, rows: 3, start: 0, end: 3 });
    expect(gridWindow(0, 800, 160, 100, 0, 500)).toMatchObject({ rows: 0, start: 0, end: 0, totalHeight: 0 });
  });
});

describe('suggestName (model import)', () => {
  it('turns any folder name into a valid model name', () => {
    const valid = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
    for (const folder of ['my model', 'tfjs_model (2)', '.hidden', '../../etc', 'ünïcode✓', 'x'.repeat(100), '', 'name. ']) {
      const name = suggestName(folder);
      expect(name, folder).toMatch(valid);
      expect(name.endsWith('.') || name.endsWith(' ')).toBe(false);
    }
    expect(suggestName('my model')).toBe('my model');
    expect(suggestName('')).toBe('imported');
  });
});
