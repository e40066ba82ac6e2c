// The application menu: standard roles plus Digit Lab's own items (restart the engine process, the views).
// View switching is done by the renderer (Ctrl/Cmd+1…7); the menu lists the shortcuts without stealing them.
import { Menu, shell, type MenuItemConstructorOptions } from 'electron';
import { viewShortcutsText } from '../../src-shared/views.js';

export function buildMenu(actions: { restartEngine(): void; showDataFolder(): void }): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Show Models Folder', click: () => actions.showDataFolder() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Engine',
      submenu: [{ label: 'Restart Engine Process', click: () => actions.restartEngine() }],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: `Keyboard shortcuts: ${viewShortcutsText()}`, enabled: false },
        { label: 'TensorFlow.js', click: () => void shell.openExternal('https://www.tensorflow.org/js') },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
