// Print vitest's summary from a saved log as one plain line: "<label>: N passed, N failed, N skipped".
// Usage: node .ci/tally.mjs LOG [LABEL]   (LABEL defaults to "tests")
import { readFileSync } from 'node:fs';

const [file, label = 'tests'] = process.argv.slice(2);
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'); // colour codes
const text = readFileSync(file, 'utf8').replace(ansi, '');
const line = text.split('\n').reverse().find((l) => /^\s*Tests\s/.test(l)) ?? '';
const n = (word) => Number((line.match(new RegExp(`(\\d+) ${word}`)) ?? [0, 0])[1]);
if (line) console.log(`${label}: ${n('passed')} passed, ${n('failed')} failed, ${n('skipped') + n('todo')} skipped`);
else console.log(`${label}: no vitest summary in the log`);
