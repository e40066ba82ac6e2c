// The Electron menu's shortcut line (src-main/electron/menu.ts, which needs Electron to load) names the views that
// App.svelte lays out, in its order and with its count: both come from src-shared/views.ts or this fails.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VIEW_LABELS, viewShortcutsText } from '../../src-shared/views.js';
import { ROOT } from '../helpers/browser.js';

describe('view shortcuts', () => {
  it('lists App.svelte’s views in its order, and the menu shows that line', () => {
    const app = readFileSync(path.join(ROOT, 'src-renderer/App.svelte'), 'utf8');
    const list = /const views = \[([\s\S]*?)\] as const;/.exec(app)?.[1] ?? '';
    const labels = [...list.matchAll(/label: '([^']+)'/g)].map((m) => m[1]);
    expect(labels).toEqual([...VIEW_LABELS]);
    expect(viewShortcutsText()).toBe('Ctrl/Cmd+1…7 switch between Train, Gallery, Sketchpad, Mistakes, Models, Inside and Compare');
    const menu = readFileSync(path.join(ROOT, 'src-main/electron/menu.ts'), 'utf8');
    expect(menu).toContain('label: `Keyboard shortcuts: ${viewShortcutsText()}`');
    expect(menu).not.toMatch(/1…5|1\.\.5/);
  });
});
