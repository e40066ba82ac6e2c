// Real-handwriting benchmark (part of `npm run bench`; alone: `npx tsx bench/pen.ts [model]`): the shipped
// default model (or the one named) on the UCI pendigits training file in tests/data/pendigits, every digit
// drawn as the sketchpad draws it. Reported on the held-out writers, per class and per writer; the tuning
// writers' figure is printed beside it (models may have been tuned or trained on those).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classRows, penText, topConfusions, writerRows, CLASS_HEADER, WRITER_HEADER } from '../src-main/cli/pen.js';
import { formatPercent as percent } from '../src-shared/domain.js';
import { loadPenDigits, PEN_HELDOUT_WRITERS, PEN_TUNING_WRITERS } from '../src-main/engine/data/pendigits.js';
import { renderPenDigits } from '../src-main/engine/data/pen-render.js';
import { createEngine } from '../src-main/engine/engine.js';
import { penProbs, penReport } from '../src-main/engine/pen-eval.js';
import { PEN_FILE } from '../tests/helpers/data.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const md = (header: string[], rows: (string | number)[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** Run the benchmark, print its tables, and return them as a markdown section (empty when the data is missing). */
export async function penSection(model = 'default'): Promise<string> {
  if (!fs.existsSync(PEN_FILE)) {
    console.error(`pen benchmark skipped: ${PEN_FILE} not found`);
    return '';
  }
  console.error(`measuring real handwriting (pendigits) with '${model}'…`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-pen-bench-'));
  const engine = await createEngine({ home, shippedDir: path.resolve(here, '../models') });
  try {
    const digits = loadPenDigits(PEN_FILE);
    const t0 = performance.now();
    const images = await renderPenDigits(digits);
    const renderSec = (performance.now() - t0) / 1000;
    const probs = await penProbs(images, async (x) => (await engine.predict({ inputs: x, model })).probs);
    const held = penReport(digits, probs, PEN_HELDOUT_WRITERS);
    const tuning = penReport(digits, probs, PEN_TUNING_WRITERS);
    console.log(`\n${penText(held, `real handwriting, '${model}', held-out writers`)}`);
    console.log(`tuning writers ${PEN_TUNING_WRITERS[0]}-${PEN_TUNING_WRITERS.at(-1)}: ${percent(tuning.accuracy)} (${tuning.correct}/${tuning.count})\n`);
    return `## Real handwriting (pendigits)

The model \`${model}\` on real pen-drawn digits: the UCI pendigits training file (E. Alpaydin, F. Alimoglu,
1998; 7 494 digits by 30 writers, none of them in MNIST), each trajectory drawn as the sketchpad draws it
(the renderer's stroke rendering, model pen width and \`preprocessToMnist\`, on a Skia canvas in Node;
\`tests/browser/pendigits.test.ts\` checks it pixel for pixel against Chromium). Drawing all ${digits.length} took
${renderSec.toFixed(1)} s. The writers are split once (\`src-main/engine/data/pendigits.ts\`): tuning writers
${PEN_TUNING_WRITERS[0]}-${PEN_TUNING_WRITERS.at(-1)} (levers were measured on them, and the default model
may train on them), held-out writers ${PEN_HELDOUT_WRITERS[0]}-${PEN_HELDOUT_WRITERS.at(-1)} (reported here, never trained or tuned on).
Any model, any UNIPEN digit file: \`digit-lab evaluate [model] --pen FILE [--writers held-out]\`.

**Held-out writers: ${percent(held.accuracy)}** (${held.correct}/${held.count}); tuning writers: ${percent(tuning.accuracy)}
(${tuning.correct}/${tuning.count}). Commonest mistakes on held-out writers (actual→predicted): ${topConfusions(held)}.

${md(CLASS_HEADER, classRows(held))}

${md(WRITER_HEADER, writerRows(held))}
`;
  } finally {
    engine.dispose();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await penSection(process.argv[2]);
}
