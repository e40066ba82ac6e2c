// A benchmark's own section of docs/benchmarks.md, between `<!-- name:start -->` and `<!-- name:end -->`:
// replaced with the latest result (or appended), the rest of the file left as it is; written atomically.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../tests/helpers/browser.js';

/** Put `lines` into section `name` of docs/benchmarks.md; returns the file's path relative to the checkout. */
export function writeDocSection(name: string, lines: string[]): string {
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const section = [start, ...lines, end].join('\n');
  const file = path.join(ROOT, 'docs/benchmarks.md');
  let doc = '';
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc = '# Benchmarks\n';
  }
  const s = doc.indexOf(start);
  const e = doc.indexOf(end);
  doc = s >= 0 && e > s ? doc.slice(0, s) + section + doc.slice(e + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(`${file}.tmp`, doc);
  renameSync(`${file}.tmp`, file);
  return path.relative(ROOT, file);
}
