// `npm start`: build and launch the Electron app with electron-vite — or, where Electron is not installed (it is
// an optional dependency: npm leaves it out when its binary cannot be downloaded from GitHub), say so in one line.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

let binary = null;
try {
  binary = createRequire(import.meta.url)('electron');
} catch {
  binary = null;
}
if (typeof binary !== 'string' || !existsSync(binary)) {
  console.error(
    'npm start: Electron is not installed (its download from GitHub failed): run `npm install electron` where ' +
      'GitHub is reachable, or use the same app in your browser: npm run serve',
  );
  process.exit(1);
}
// The bin is not in electron-vite's exports map: find it next to its package.json.
const pkg = createRequire(import.meta.url).resolve('electron-vite/package.json');
const cli = path.join(path.dirname(pkg), 'bin', 'electron-vite.js');
const result = spawnSync(process.execPath, [cli, 'preview', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
