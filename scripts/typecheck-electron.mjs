// Part of `npm run typecheck`: type-check src-main/electron (main process, preload) against Electron's types.
// They ship inside the electron package, an optional dependency that npm leaves out where its binary download
// fails (no access to GitHub); there this check is skipped with that reason, and everything else is checked.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let types = null;
try {
  types = path.join(path.dirname(require.resolve('electron/package.json')), 'electron.d.ts');
} catch {
  types = null;
}
if (!types || !existsSync(types)) {
  console.log('typecheck: src-main/electron skipped: the electron package (its types) is not installed; `npm install electron` where GitHub is reachable');
  process.exit(0);
}
const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'src-main', 'electron', 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
