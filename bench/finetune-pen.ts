// `tsx bench/finetune-pen.ts`: does fine-tuning on a person's own handwriting help that person?
// Real pen-drawn digits (UCI pendigits, training writers only: tests/data/pendigits/pendigits-orig.tra;
// E. Alpaydin, F. Alimoglu, 1998, CC BY 4.0), rendered as the sketchpad would and preprocessed like
// MNIST. Per writer and k: the first k drawings of each digit become the examples, the shipped
// default model is fine-tuned on them (engine.finetune, the product path, defaults), and the writer's
// OTHER drawings are scored before and after; MNIST test accuracy after checks nothing was forgotten.
// Env: WRITERS (how many writers, default all), KS (default "5,20"), STEPS, MNIST_TEST (default 2000).
// Run it under `flock /tmp/digit-lab-timing.lock` on a shared machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../src-main/engine/engine.js';
import type { LabelledImage } from '../src-main/engine/finetune.js';
import { argmax, PIXELS } from '../src-shared/domain.js';
// The drawing → 28×28 renderer: swap this one import for the shared sketchpad-exact one when it lands.
import { loadPenDigits } from '../src-main/engine/data/pendigits.js';
import { renderPenDigits } from '../src-main/engine/data/pen-render.js';
import { PEN_FILE as IN_REPO_PEN_FILE } from '../tests/helpers/data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PEN_FILE = process.env.PENDIGITS ?? IN_REPO_PEN_FILE;
const KS = (process.env.KS ?? '5,20').split(',').map(Number);
const WRITERS = Number(process.env.WRITERS ?? 0);
const STEPS = process.env.STEPS ? Number(process.env.STEPS) : undefined;
const MNIST_TEST = Number(process.env.MNIST_TEST ?? 2000);

type Drawing = LabelledImage & { writer: number };

/** Every drawing, drawn as the sketchpad draws it (engine/data/pen-render.ts), grouped by writer. */
async function load(): Promise<Map<number, Drawing[]>> {
  const byWriter = new Map<number, Drawing[]>();
  const digits = loadPenDigits(PEN_FILE);
  const images = await renderPenDigits(digits);
  digits.forEach((d, i) => {
    const x = images.subarray(i * PIXELS, (i + 1) * PIXELS);
    if (!x.some((v) => v > 0)) return; // no ink
    const list = byWriter.get(d.writer) ?? [];
    list.push({ label: d.label, writer: d.writer, pixels: Uint8Array.from(x, (v) => Math.round(v * 255)) });
    byWriter.set(d.writer, list);
  });
  return byWriter;
}

/** The first k drawings of each digit (in the order written) and all the others. */
function split(drawings: Drawing[], k: number): { examples: Drawing[]; others: Drawing[] } {
  const seen = new Array<number>(10).fill(0);
  const examples: Drawing[] = [];
  const others: Drawing[] = [];
  for (const d of drawings) (seen[d.label]++ < k ? examples : others).push(d);
  return { examples, others };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-finetune-pen-'));
  const engine = await createEngine({ home, shippedDir: path.join(ROOT, 'models') });
  const accuracy = async (model: string, set: Drawing[]) => {
    const { probs } = await engine.predict({ inputs: set.map((d) => Float32Array.from(d.pixels, (v) => v / 255)), model });
    return probs.filter((p, i) => argmax(p) === set[i].label).length / set.length;
  };
  const t0 = performance.now();
  const byWriter = await load();
  // Writers the shipped default already trained on (its meta.json) would flatter the "before" column: left out.
  const seen = new Set(engine.store.readMeta('default')?.config?.penWriters ?? []);
  const writers = [...byWriter.keys()].filter((w) => !seen.has(w)).sort((a, b) => a - b).slice(0, WRITERS || undefined);
  if (seen.size) console.log(`left out: writers ${[...seen].join(', ')} (the default model trained on their digits)`);
  console.log(
    `pendigits: ${[...byWriter.values()].reduce((n, l) => n + l.length, 0)} drawings by ${byWriter.size} writers rendered in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s; measuring ${writers.length} writers, k = ${KS.join(', ')}; ` +
      `backend ${engine.backend.kind}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  const rows: { writer: number; k: number; others: number; before: number; after: number; mnistBefore: number | null; mnistAfter: number | null; ms: number }[] = [];
  for (const writer of writers) {
    for (const k of KS) {
      const { examples, others } = split(byWriter.get(writer)!, k);
      const before = await accuracy('default', others);
      const r = await engine.finetune({
        model: 'default', name: `w${writer}-k${k}`, examples, holdout: 0, testSize: MNIST_TEST, activate: false, steps: STEPS,
      });
      const after = await accuracy(r.model, others);
      engine.dispose(); // drop the cached tuned model
      rows.push({ writer, k, others: others.length, before, after, mnistBefore: r.before.mnist, mnistAfter: r.after.mnist, ms: r.durationMs });
      console.log(
        `writer ${String(writer).padStart(2)} k=${String(k).padStart(2)}: ${examples.length} examples, ${others.length} others: ` +
          `${pct(before)} → ${pct(after)} · MNIST ${pct(r.before.mnist ?? NaN)} → ${pct(r.after.mnist ?? NaN)} · ${(r.durationMs / 1000).toFixed(1)} s`,
      );
    }
  }
  console.log('\n| k | writers | their other drawings | before (mean) | after (mean) | helped / same / hurt | MNIST test before → after | s per fine-tune |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const k of KS) {
    const of = rows.filter((r) => r.k === k);
    const mean = (f: (r: (typeof rows)[number]) => number) => of.reduce((s, r) => s + f(r), 0) / of.length;
    const helped = of.filter((r) => r.after > r.before).length;
    const hurt = of.filter((r) => r.after < r.before).length;
    console.log(
      `| ${k} | ${of.length} | ${of.reduce((n, r) => n + r.others, 0)} | ${pct(mean((r) => r.before))} | ${pct(mean((r) => r.after))} | ` +
        `${helped} / ${of.length - helped - hurt} / ${hurt} | ${pct(mean((r) => r.mnistBefore ?? NaN))} → ${pct(mean((r) => r.mnistAfter ?? NaN))} | ` +
        `${(mean((r) => r.ms) / 1000).toFixed(1)} |`,
    );
  }
  engine.dispose();
  fs.rmSync(home, { recursive: true, force: true });
}

await main();
