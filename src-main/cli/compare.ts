// `digit-lab compare A B [C…] [--json]`: the runs table with what differs marked, and for the first two models the
// test images one gets right and the other wrong.
import type { Command } from 'commander';
import pc from 'picocolors';
import { compareTable } from '../../src-shared/compare-table.js';
import type { DigitLabEngine } from '../engine/engine.js';
import { table } from './render.js';

export function addCompareCommand(program: Command, engine: () => Promise<DigitLabEngine>): void {
  program
    .command('compare <models...>')
    .description('2 to 5 saved models side by side (differences marked with *) and, for the first two, the test images fixed and broken')
    .option('--json', 'print the runs and the fixed/broken images as JSON')
    .action(async (models: string[], o: { json?: boolean }) => {
      const e = await engine();
      const bar = process.stderr.isTTY && !o.json ? progressLine() : undefined;
      const { runs } = await e.compare.runs({ models, onProgress: bar });
      const diff = await e.compare.diff({ a: models[0], b: models[1] });
      if (bar) process.stderr.write('\r\x1b[K');
      const counts = { fixed: diff.fixed.length, broken: diff.broken.length, bothRight: diff.bothRight, bothWrong: diff.bothWrong };
      if (o.json) {
        process.stdout.write(JSON.stringify({ runs, diff: { ...diff, counts } }) + '\n');
        return;
      }
      const rows = compareTable(runs).map((r) => [`${r.differs ? pc.yellow('*') : ' '} ${r.label}`, ...r.values]);
      const out = [
        table(['', ...runs.map((r) => r.name)], rows),
        '',
        '* differs between the runs',
        ...runs.flatMap((r) => r.notes.map((n) => pc.dim(n))),
        ...runs.filter((r) => r.scored).map((r) => pc.dim(`'${r.name}' was scored on the test set now; its predictions are kept`)),
        '',
        `${diff.a} → ${diff.b} on the ${diff.total} test images:`,
        `  fixed (${diff.a} wrong, ${diff.b} right)   ${counts.fixed}`,
        `  broken (${diff.a} right, ${diff.b} wrong)  ${counts.broken}`,
        `  both right                 ${counts.bothRight}`,
        `  both wrong                 ${counts.bothWrong}`,
      ];
      process.stdout.write(out.join('\n') + '\n');
    });
}

/** "scoring 4 200/20 000 test images" on one rewritten stderr line. */
function progressLine() {
  return (done: number, total: number) => process.stderr.write(`\rscoring the test set: ${done}/${total}`);
}
