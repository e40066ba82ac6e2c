// npm run scan:security — Electronegativity over the Electron app's sources; fails on any HIGH
// severity finding (or a file it could not parse). Lower findings are printed: each one is fixed, or
// justified next to the code with an inline `// eng-disable CHECK_ID — why` comment, which
// Electronegativity honours.
// Scanned: src-main/electron/** (main + preload), the renderer's index.html (its CSP) and package.json
// (the Electron version), copied into one temporary folder because the tool takes one input.
// Usage: tsx scripts/scan-security.ts [path ...]   (paths relative to the repository; default above)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scan } from './security/electronegativity.js';
import { failures, summary, table } from './security/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_INPUTS = ['src-main/electron', 'src-renderer/index.html', 'package.json'];

/** The Electron version package.json asks for (the lowest of its range). Electronegativity looks only in
 *  dependencies and devDependencies, and Electron is an optional dependency, so it is passed in. */
export function electronVersion(root: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const range = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? pkg.dependencies?.electron;
    return range ? /\d+\.\d+\.\d+/.exec(range)?.[0] : undefined;
  } catch {
    return undefined;
  }
}

/** Copy the inputs (relative to `root`) into a fresh folder, keeping their relative paths. */
export function stage(root: string, inputs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-scan-'));
  for (const input of inputs) {
    const from = path.resolve(root, input);
    const rel = path.relative(root, from);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${input}: outside ${root}`);
    if (!fs.existsSync(from)) throw new Error(`${input}: not found`);
    fs.cpSync(from, path.join(dir, rel), { recursive: true });
  }
  return dir;
}

export async function main(root: string, inputs: string[]): Promise<number> {
  const sources = inputs.filter((i) => !i.endsWith('.json') && !i.endsWith('.html'));
  const missing = sources.filter((i) => !fs.existsSync(path.resolve(root, i)));
  if (missing.length > 0) {
    console.error(`scan:security: nothing to scan: ${missing.join(', ')} not found`);
    return 1;
  }
  const dir = stage(root, inputs);
  try {
    const result = await scan(dir, electronVersion(root));
    console.log(`Electronegativity over ${inputs.join(', ')}`);
    console.log(table(result.findings));
    console.log(summary(result));
    const why = failures(result);
    for (const w of why) console.error(`scan:security: FAIL: ${w}`);
    if (why.length === 0) console.log('scan:security: passed (no HIGH severity finding)');
    return why.length === 0 ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  main(ROOT, args.length > 0 ? args : DEFAULT_INPUTS).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`scan:security: ${(e as Error).message.split('\n')[0]}`);
      process.exit(1);
    },
  );
}
