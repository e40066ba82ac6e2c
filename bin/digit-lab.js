#!/usr/bin/env node
// Entry point of the `digit-lab` command: runs the compiled CLI (built into dist/ by `npm install`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src-main', 'cli', 'index.js');
if (!existsSync(cli)) {
  process.stderr.write("digit-lab: not built yet — run 'npm install' (or 'npm run build:node') in the project folder\n");
  process.exit(1);
}
await import(pathToFileURL(cli).href);
