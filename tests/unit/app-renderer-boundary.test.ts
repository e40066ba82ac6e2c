// The renderer runs sandboxed (Electron) or in a plain browser: it must never import Node built-ins or
// Node-side code, and must talk to the engine only through lib/api.ts. The other direction: the engine, CLI and
// Electron main never import the renderer (what both sides need lives in src-shared/), and src-shared, which both
// import, depends on neither.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/browser.js';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : /\.(ts|svelte)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('renderer boundary', () => {
  const sources = files(path.join(ROOT, 'src-renderer'));

  it('finds the renderer sources', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it('imports no Node built-ins, no src-main code and no transport other than lib/api.ts', () => {
    const problems: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (builtins.has(spec) || builtins.has(spec.split('/')[0])) problems.push(`${rel}: Node built-in '${spec}'`);
        if (spec.includes('src-main')) problems.push(`${rel}: Node-side code '${spec}'`);
        if (['electron', 'ws', '@tensorflow/tfjs'].includes(spec)) problems.push(`${rel}: '${spec}'`);
      }
      if (!rel.endsWith(path.join('lib', 'api.ts')) && /new WebSocket\(|window\.digitLab|ipcRenderer/.test(text)) {
        problems.push(`${rel}: talks to a transport directly (use lib/api.ts)`);
      }
    }
    expect(problems).toEqual([]);
  });
});

/** Each import of `file` that reaches into one of `dirs` (by its specifier, resolved against the file). */
function importsInto(file: string, dirs: string[]): string[] {
  const found: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    const target = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
    const hit = dirs.find((d) => target.startsWith(path.join(ROOT, d) + path.sep) || spec.includes(d));
    if (hit) found.push(`${path.relative(ROOT, file)}: '${spec}'`);
  }
  return found;
}

describe('engine and shared boundary', () => {
  const main = files(path.join(ROOT, 'src-main'));
  const shared = files(path.join(ROOT, 'src-shared'));

  it('finds the engine and shared sources', () => {
    expect(main.length).toBeGreaterThan(10);
    expect(shared.length).toBeGreaterThan(5);
  });

  it('src-main imports nothing from src-renderer', () => {
    expect(main.flatMap((f) => importsInto(f, ['src-renderer']))).toEqual([]);
  });

  it('src-shared imports neither src-main nor src-renderer, nor Node built-ins', () => {
    const problems = shared.flatMap((f) => importsInto(f, ['src-main', 'src-renderer']));
    for (const file of shared) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (builtins.has(spec) || builtins.has(spec.split('/')[0])) problems.push(`${path.relative(ROOT, file)}: Node built-in '${spec}'`);
      }
    }
    expect(problems).toEqual([]);
  });
});
