// `digit-lab samples add|list|show|rm` (the user's own handwriting examples) and `digit-lab finetune`.
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { preprocessToMnist } from '../../src-shared/preprocess.js';
import { BOUNDS } from '../../src-shared/protocol.js';
import type { DigitLabEngine } from '../engine/engine.js';
import { defaultHome } from '../engine/engine.js';
import { SampleStore } from '../engine/user-samples.js';
import { boundedArg, fractionArg, intArg, nameArg, rateArg } from './args.js';
import { readImage } from './image.js';
import { strokesToMnist } from '../../src-shared/sketch/rasterize.js';
import { loadPenDigits, tabletSide, toSketch } from '../engine/data/pendigits.js';
import { nodeRasterContext } from '../engine/data/pen-render.js';
import { CLASSES, formatPercent as percent } from '../../src-shared/domain.js';
import { digitLines, table } from './render.js';
import { gitCommit } from './train.js';

/** The image and strokes of a new example: a PNG/JPEG file, or digit `index` of a UNIPEN file (drawn as the
 *  sketchpad draws it: engine/data/pen-render.ts). */
async function readExample(image: string | undefined, o: { fromPen?: string; index: number }) {
  if (image && o.fromPen) throw new Error('give an image file or --from-pen, not both');
  if (o.fromPen) {
    const digits = loadPenDigits(o.fromPen); // one-line errors for a missing or malformed file
    const digit = digits[o.index];
    if (!digit) throw new Error(`${o.fromPen} has ${digits.length} digits; --index ${o.index} is out of range`);
    const strokes = toSketch(digit, tabletSide(digits));
    const pre = strokesToMnist(await nodeRasterContext(), strokes);
    return { pre, strokes: strokes.map((s) => s.map(({ x, y }) => ({ x, y }))), label: digit.label, source: `${path.basename(o.fromPen)}#${o.index}` };
  }
  if (!image) throw new Error('give an image file (PNG or JPEG) or --from-pen <unipen file>');
  const img = readImage(image);
  return { pre: preprocessToMnist(img.data, img.width, img.height), strokes: null, label: undefined, source: path.basename(image) };
}

const fmtScore = (x: number | null) => (x == null ? '-' : percent(x, 1));

export function addSampleCommands(program: Command, engine: () => Promise<DigitLabEngine>): void {
  const store = () => new SampleStore(defaultHome());
  const samples = program.command('samples').description('your own handwriting examples, for fine-tuning');

  samples
    .command('add [image]')
    .description('add a PNG/JPEG of a digit (preprocessed like MNIST), or a pen drawing from a UNIPEN file')
    .option('-l, --label <digit>', 'the digit it shows (required for images)', intArg(0, 9))
    .option('--from-pen <file>', 'a UNIPEN file of pen trajectories (e.g. UCI pendigits)')
    .option('--index <n>', 'which digit of the UNIPEN file (0-based)', intArg(0, 1_000_000), 0)
    .action(async (image: string | undefined, o: { label?: number; fromPen?: string; index: number }) => {
      const ex = await readExample(image, o);
      const label = o.label ?? ex.label;
      if (label === undefined) throw new Error('say which digit it is: --label <0-9>');
      if (ex.pre.empty) throw new Error('no digit found in the image (no ink)');
      const s = store().add({ label, pixels: ex.pre.pixels, strokes: ex.strokes, source: ex.source });
      process.stdout.write(`added ${s.id}: a ${s.label} (${s.source})\n`);
    });

  samples
    .command('list')
    .description('list your examples')
    .action(() => {
      const st = store();
      const { samples: all, errors } = st.list();
      for (const e of errors) process.stderr.write(pc.yellow(`unreadable: ${e.file}: ${e.error}`) + '\n');
      if (!all.length) {
        process.stdout.write(`no examples yet: add some with 'digit-lab samples add'\nfolder: ${st.dir}\n`);
        return;
      }
      const rows = all.map((s) => [s.id, s.label, s.strokes ? `${s.strokes.length}` : '-', s.createdAt.slice(0, 16).replace('T', ' '), s.source ?? '']);
      const counts = Array.from({ length: CLASSES }, (_, k) => `${k}: ${all.filter((s) => s.label === k).length}`).join('  ');
      process.stdout.write(`${table(['id', 'label', 'strokes', 'added', 'source'], rows)}\n\n${all.length} examples · ${counts}\nfolder: ${st.dir}\n`);
    });

  samples
    .command('show <id>')
    .description('draw one example as the model sees it')
    .action((id: string) => {
      const s = store().get(id);
      process.stdout.write([`${s.id}: a ${s.label}`, ...digitLines(s.pixels), ''].join('\n'));
    });

  samples
    .command('rm <id...>')
    .description('delete examples')
    .action((ids: string[]) => {
      const st = store();
      for (const id of ids) {
        st.remove(id);
        process.stdout.write(`removed ${id}\n`);
      }
    });

  program
    .command('finetune [model]')
    .description('fine-tune a model on your examples mixed with MNIST images; saves a new model')
    .option('--steps <n>', 'training steps (batches)', boundedArg(BOUNDS.finetuneSteps))
    .option('-n, --name <name>', "the new model's name (default <model>-tuned-<n>)", nameArg)
    .option('--lr <rate>', 'learning rate (small: the model should adapt, not forget)', rateArg)
    .option('--holdout <fraction>', 'fraction of your examples held out to measure the effect', fractionArg)
    .option('--replay <fraction>', 'fraction of each batch taken from MNIST', fractionArg)
    .option('--test-size <n>', 'MNIST test images scored before and after (0 = skip)', boundedArg(BOUNDS.finetuneTestSize))
    .action(async (model: string | undefined, o: { steps?: number; name?: string; lr?: number; holdout?: number; replay?: number; testSize?: number }) => {
      const e = await engine();
      const r = await e.finetune(
        { model, name: o.name, steps: o.steps, learningRate: o.lr, holdout: o.holdout, replay: o.replay, testSize: o.testSize },
        {
          onLog: (m) => process.stderr.write(pc.dim(m) + '\n'),
          provenance: { command: ['digit-lab', ...process.argv.slice(2)].join(' '), commit: gitCommit() },
        },
      );
      const rows = [
        [`your held-out examples (${r.heldOut})`, fmtScore(r.before.user), fmtScore(r.after.user)],
        [`MNIST test (${r.options.testSize})`, fmtScore(r.before.mnist), fmtScore(r.after.mnist)],
      ];
      process.stdout.write(
        `${table(['accuracy', `before (${r.base})`, 'after'], rows)}\n\n` +
          `trained on ${r.trained} examples + MNIST replay: ${r.options.steps} steps of ${r.options.batchSize} in ${(r.durationMs / 1000).toFixed(1)} s\n` +
          `saved model: ${r.model} (now active; '${r.base}' is unchanged)\n`,
      );
    });
}
