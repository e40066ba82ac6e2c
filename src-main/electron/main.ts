// Electron main process: one window, the app menu, and the relay between the window and the engine process.
// No TensorFlow here. The renderer is sandboxed (contextIsolation, sandbox, no nodeIntegration, strict CSP);
// navigation, new windows, webviews and permission requests are refused; IPC is accepted only from our own page.
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, type IpcMainEvent } from 'electron';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Relay, type Client } from '../ipc/relay.js';
import { resolveResources, userHome } from '../resources.js';
import { CHANNEL } from './channel.js';
import { forkUtilityEngine } from './engine.js';
import { buildMenu } from './menu.js';
import { loadWindowState, trackWindowState } from './window-state.js';

const resources = resolveResources({ appRoot: app.getAppPath(), isPackaged: app.isPackaged });
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const indexFile = resources.rendererIndex;
const preloadFile = resources.preload;
const appUrl = devUrl ? new URL(devUrl).origin : pathToFileURL(indexFile).href;

/** Is this URL our own renderer page (file:// index.html, or the dev server in development)? */
function trusted(url: string): boolean {
  try {
    if (devUrl) return new URL(url).origin === appUrl;
    const u = new URL(url);
    return u.protocol === 'file:' && `file://${u.host}${u.pathname}` === appUrl;
  } catch {
    return false;
  }
}

app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | null = null;
const relay = new Relay(() => forkUtilityEngine(resources), (line) => console.error(`digit-lab: ${line}`), {
  // The system's folder picker, over our window: the folder for "Your own images" (the engine reads it).
  'dialog.openFolder': async () => {
    const options = { title: 'A folder of images, one sub-folder per class', properties: ['openDirectory' as const] };
    const r = await (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options));
    return { path: r.canceled ? null : (r.filePaths[0] ?? null) };
  },
});
let disconnect: (() => void) | null = null;

function createWindow(): void {
  const state = loadWindowState();
  win = new BrowserWindow({ // eng-disable AUXCLICK_JS_CHECK — middle-click opens go to setWindowOpenHandler, which denies them
    ...state.bounds,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Digit Lab',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: preloadFile, // eng-disable PRELOAD_JS_CHECK — our own bundled preload: exposes one validated message channel
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  trackWindowState(win);
  const w = win;
  const client: Client = {
    send: (m) => {
      if (!w.isDestroyed()) w.webContents.send(CHANNEL, m);
    },
  };
  // (Re)connect on every load, so a reloaded page is told the engine's state again.
  w.webContents.on('did-finish-load', () => {
    disconnect?.();
    disconnect = relay.connect(client);
  });
  w.once('ready-to-show', () => w.show());
  w.on('closed', () => {
    disconnect?.();
    disconnect = null;
    win = null;
  });
  if (devUrl) void w.loadURL(devUrl);
  else void w.loadFile(indexFile);
}

ipcMain.on(CHANNEL, (event: IpcMainEvent, message: unknown) => {
  // Only the main frame of our window, showing our page, may talk to the engine.
  if (!win || event.sender !== win.webContents || !event.senderFrame || event.senderFrame !== win.webContents.mainFrame) return;
  if (!trusted(event.senderFrame.url)) return;
  relay.receive({
    send: (m) => {
      if (!event.sender.isDestroyed()) event.sender.send(CHANNEL, m);
    },
  }, message);
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!trusted(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!trusted(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK — https: links only, in the browser
    return { action: 'deny' };
  });
});

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  const home = userHome();
  Menu.setApplicationMenu(buildMenu({
    restartEngine: () => relay.restart(),
    showDataFolder: () => {
      mkdirSync(home, { recursive: true });
      void shell.openPath(home);
    },
  }));
  relay.start();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', () => relay.close());
