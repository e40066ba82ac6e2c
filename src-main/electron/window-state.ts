// Remembers the window's size, position and maximized state between runs (userData/window-state.json, written
// atomically). A saved position that is no longer on any display is dropped.
import { app, screen, type BrowserWindow, type Rectangle } from 'electron';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface WindowState {
  bounds: Partial<Rectangle> & { width: number; height: number };
  maximized: boolean;
}

const DEFAULT: WindowState = { bounds: { width: 1360, height: 900 }, maximized: false };

function file(): string {
  return path.join(app.getPath('userData'), 'window-state.json');
}

function visible(b: Partial<Rectangle>): boolean {
  if (b.x === undefined || b.y === undefined) return false;
  return screen.getAllDisplays().some(({ workArea: w }) =>
    b.x! < w.x + w.width - 50 && b.x! + (b.width ?? 0) > w.x + 50 && b.y! >= w.y - 10 && b.y! < w.y + w.height - 50,
  );
}

export function loadWindowState(): WindowState {
  try {
    const s = JSON.parse(readFileSync(file(), 'utf8')) as WindowState;
    const { width, height, x, y } = s.bounds ?? {};
    if (!Number.isFinite(width) || !Number.isFinite(height) || width < 640 || height < 480) return DEFAULT;
    const bounds = visible({ x, y, width, height }) ? { x, y, width, height } : { width, height };
    return { bounds, maximized: !!s.maximized };
  } catch {
    return DEFAULT;
  }
}

export function trackWindowState(win: BrowserWindow): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed() || win.isMinimized()) return;
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      const tmp = `${file()}.tmp`;
      writeFileSync(tmp, JSON.stringify(state));
      renameSync(tmp, file());
    } catch {
      // not fatal: the window opens at the default size next time
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', () => {
    clearTimeout(timer);
    save();
  });
}
