// The `digit-lab` command line: train, evaluate (also on pen-drawn digits), sample, predict, models,
// import / export (Keras .h5), samples, finetune, explain, compare.
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { argmax, CLASSES, className, DIGIT_NAMES, formatPercent as percent } from '../../src-shared/domain.js';
import { firstLine } from '../../src-shared/errors.js';
import { preprocessToMnist } from '../../src-shared/preprocess.js';
import { BOUNDS } from '../../src-shared/protocol.js';
import {
  AUGMENTS, BACKEND_CHOICES, EXPLAIN_METHODS, DEFAULT_TRAIN_CONFIG, OPTIMIZERS, PRESET_INFO, PRESETS, SCHEDULES, trainConfigFor,
} from '../../src-shared/types.js';
import { GPU_TRAIN_DEFAULTS } from '../engine/backend.js';
import { loadPenDigits, PEN_HELDOUT_WRITERS, PEN_TUNING_WRITERS, tabletSide } from '../engine/data/pendigits.js';
import { renderPenDigits } from '../engine/data/pen-render.js';
import { createEngine, defaultHome, defaultShippedDir, type DigitLabEngine } from '../engine/engine.js';
import { penProbs, penReport } from '../engine/pen-eval.js';
import { datasetOfMeta } from '../engine/data/dataset-info.js';
import { ModelStore } from '../engine/store.js';
import { appVersion } from '../resources.js';
import { betasArg, boundedArg, intArg, nameArg, rateArg } from './args.js';
import { runExplain, type ExplainCliOptions } from './explain.js';
import { readImage } from './image.js';
import { runExport, runImport } from './keras.js';
import { penText } from './pen.js';
import { digitLines, probBars, sideBySide, table } from './render.js';
import { addCompareCommand } from './compare.js';
import { addSampleCommands } from './samples.js';
import { addNetworkCommands } from './networks.js';
import { NetworkStore } from '../engine/network-store.js';
import { networkTextSchema } from '../../src-shared/network/schema.js';
import { summariseNetwork, trainingLimitProblem } from '../../src-shared/network/index.js';
import { trainingMemoryLimit } from '../engine/train-config.js';
import { runTrain } from './train.js';

const program = new Command()
  .name('digit-lab')
  .description('Train, evaluate and test convolutional networks on MNIST handwritten digits.')
  .version(appVersion())
  .addOption(new Option('--backend <name>', 'TF.js backend (env DIGIT_LAB_BACKEND)').choices(BACKEND_CHOICES))
  .option('--data <dir>', 'dataset: a folder with MNIST-format IDX files (e.g. Fashion-MNIST) or an image folder, one sub-folder per class (env DIGIT_LAB_DATA)')
  .showSuggestionAfterError(true)
  .configureOutput({ outputError: (str, write) => write(`digit-lab: ${str.replace(/^error: /, '')}`) });

async function engine(): Promise<DigitLabEngine> {
  const opts = program.opts<{ backend?: (typeof BACKEND_CHOICES)[number]; data?: string }>();
  const tty = Boolean(process.stderr.isTTY);
  const e = await createEngine({
    backend: opts.backend, dataDir: opts.data, explicitData: opts.data !== undefined,
    onDataProgress: (done, total) => tty && process.stderr.write(`\rreading images: ${done}/${total}${done === total ? '\n' : ''}`),
  });
  if (e.dataset.info.kind === 'images') process.stderr.write(importReport(e.dataset));
  return e;
}

/** What reading an image folder kept per class and what it skipped, for stderr. */
function importReport(d: DigitLabEngine['dataset']): string {
  const counts = d.report.counts.map((c) => `${c.class} ${c.train}+${c.test}`).join(', ');
  const skipped = d.report.skipped.map((s) => `  skipped ${s.file}: ${s.reason}\n`).join('');
  return pc.dim(`${d.name}: ${d.classes.length} classes, ${d.train} training + ${d.test} test images (${counts})\n${skipped}`);
}

/** The header of a class column: 'digit' for the digits, else 'class'. */
const classHeader = (classes: readonly string[]) => (classes.join() === DIGIT_NAMES.join() ? 'digit' : 'class');

/** "pure-js · pure JavaScript on … · fast kernels", plus why faster backends were skipped when verbose. */
function backendLine(e: DigitLabEngine): string {
  const b = e.backend;
  const skipped = process.env.DIGIT_LAB_VERBOSE ? b.skipped.map((s) => `\n  skipped ${s.backend}: ${s.reason}`).join('') : '';
  return `backend: ${b.kind} · ${b.device}${b.fastKernels ? ' · fast kernels' : ''}${skipped}`;
}

const d = DEFAULT_TRAIN_CONFIG;
program
  .command('train')
  .description('train a model on the training set, evaluate it on the test set and save it')
  .option('-p, --preset <name>', `network and its training defaults (default: ${d.preset}, or --from's): ${PRESETS.map((p) => `${p} = ${PRESET_INFO[p].title}`).join(', ')}, or a saved network's name (digit-lab networks list)`, presetArg)
  .option('--layers <text>', 'a designed network in the text form, e.g. "conv16k5-relu,maxpool2,flatten,dense128-relu" (docs/networks.md; check it with digit-lab layers)')
  .option('-e, --epochs <n>', `passes over the training set (default: ${d.epochs}; seed: 5)`, boundedArg(BOUNDS.epochs))
  .option('-b, --batch-size <n>', `images per batch (default: ${d.batchSize}; seed: 32; ${GPU_TRAIN_DEFAULTS.batchSize} on a GPU)`, boundedArg(BOUNDS.batchSize))
  .option('--lr <rate>', `learning rate (default: ${d.learningRate}; seed: 0.001; ${GPU_TRAIN_DEFAULTS.learningRate} on a GPU without --batch-size)`, rateArg)
  .addOption(new Option('--optimizer <name>', `optimizer (default: ${d.optimizer})`).choices(OPTIMIZERS))
  .addOption(new Option('--schedule <name>', `learning-rate schedule (default: ${d.schedule}; seed: constant)`).choices(SCHEDULES))
  .option('--adam-betas <b1,b2>', `Adam's β₁,β₂ (default: ${d.adamBetas?.join(',')}; seed: 0.9,0.999)`, betasArg)
  .option('--dropout', "keep the preset's dropout layers (default: off; on for seed and keras-cnn)")
  .option('--no-dropout', "train without the preset's dropout layers")
  .addOption(
    new Option('--augment [level]', "augment training images: 'affine' (shifts, small rotations, scaling; the level without a value) or 'pen' (also slant, aspect, elastic distortion, stroke thickness)")
      .choices(AUGMENTS),
  )
  .option('--train-size <n>', 'training images to use (0 = all)', boundedArg(BOUNDS.trainSize))
  .option('--validation-size <n>', `training images held out for validation (default: ${d.validationSize}; seed: 0)`, boundedArg(BOUNDS.validationSize))
  .option('--seed <n>', `seed for the split, shuffling and augmentation (default: ${d.seed})`, boundedArg(BOUNDS.seed))
  .option('-n, --name <name>', 'save under this name (default: preset and date)', nameArg)
  .option('--from <model>', "start from this saved model's weights (fine-tune) instead of a fresh network", nameArg)
  .option('--pen-data <file>', 'add the tuning writers of a UNIPEN pen-digit file (e.g. UCI pendigits), drawn as the sketchpad draws them, to the training images')
  .option('--pen-writers <list>', 'with --pen-data: only these tuning writers, e.g. 1-15 (default: all tuning writers)', rangeList)
  .option('--pen-repeat <n>', 'with --pen-data: add each pen digit this many times (default 1)', intArg(1, 20))
  .action(async (o) => {
    if (o.from) new ModelStore(defaultHome(), defaultShippedDir()).readMeta(o.from); // no such model: one line, before the engine starts
    const network = trainNetworkArgs(o.preset, o.layers, o.batchSize); // a bad network: one line, before the engine starts
    const e = await engine();
    process.stderr.write(pc.dim(backendLine(e)) + '\n');
    process.exitCode = await runTrain(e, {
      ...network, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.lr, optimizer: o.optimizer,
      schedule: o.schedule, adamBetas: o.adamBetas, dropout: o.dropout, augment: o.augment === true ? 'affine' : o.augment, trainSize: o.trainSize,
      validationSize: o.validationSize, seed: o.seed, name: o.name, from: o.from, penData: o.penData, penWriters: o.penWriters,
      penRepeat: o.penRepeat,
    });
  });

program
  .command('evaluate [model]')
  .description('accuracy, per-class accuracy and confusion matrix on the 10 000 test images')
  .option('--pen <file>', 'instead: real pen-drawn digits in UNIPEN format (e.g. UCI pendigits), drawn as the sketchpad draws them')
  .option('--writers <list>', "with --pen: 'all', 'held-out', 'tuning' (pendigits' per-writer split) or writer ids, e.g. 21,22", 'all')
  .action(async (model: string | undefined, o: { pen?: string; writers: string }) => {
    if (o.pen) return evaluatePen(model, o.pen, o.writers);
    const e = await engine();
    const r = await e.evaluate({ model });
    const out = [
      `model: ${r.model} · ${r.dataset} test set · ${backendLine(e)}`,
      `accuracy: ${percent(r.accuracy)}  (${r.correct}/${r.count} correct, ${r.mistakes.length} wrong, ${(r.durationMs / 1000).toFixed(2)} s)`,
      '',
      table([classHeader(r.classes), 'images', 'correct', 'accuracy'], r.confusion.map((row, k) => [r.classes[k], row.reduce((a, b) => a + b, 0), row[k], percent(r.perClassAccuracy[k])])),
      '',
      'confusion matrix (rows: actual, columns: predicted)',
      table(['', ...r.classes], r.confusion.map((row, k) => [r.classes[k], ...row])),
    ];
    process.stdout.write(out.join('\n') + '\n');
  });

async function evaluatePen(model: string | undefined, file: string, writerList: string): Promise<void> {
  const writers = parseWriters(writerList);
  const all = loadPenDigits(file); // a bad file fails here, before the engine starts
  const digits = writers ? all.filter((d) => writers.includes(d.writer)) : all;
  const e = await engine();
  const t0 = performance.now();
  const images = await renderPenDigits(digits, tabletSide(all));
  let name = '';
  const probs = await penProbs(images, async (x) => {
    const r = await e.predict({ inputs: x, model });
    name = r.model;
    return r.probs;
  });
  const report = penReport(digits, probs, writers);
  process.stdout.write(
    `model: ${name} · ${path.basename(file)}: ${all.length} pen-drawn digits, drawn as the sketchpad draws them · ${backendLine(e)}\n` +
      `${penText(report, `accuracy on ${writerList === 'all' ? 'all writers' : `${writerList} writers`}`)}\n` +
      `(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
}

function parseWriters(list: string): readonly number[] | undefined {
  if (list === 'all') return undefined;
  if (list === 'held-out') return PEN_HELDOUT_WRITERS;
  if (list === 'tuning') return PEN_TUNING_WRITERS;
  try {
    return rangeList(list);
  } catch {
    throw new InvalidArgumentError(`--writers: expected all, held-out, tuning or writer ids like 21,22 or 1-15, got '${list}'`);
  }
}

/** Writer ids: '21,22' or '1-15' or a mix. */
function rangeList(list: string): number[] {
  const ids = list.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m || (m[2] && Number(m[2]) < Number(m[1]))) throw new InvalidArgumentError(`expected writer ids like 21,22 or 1-15, got '${list}'`);
    return Array.from({ length: Number(m[2] ?? m[1]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
  });
  return ids;
}

program
  .command('sample [model]')
  .description('random test digits drawn in the terminal, predicted vs actual')
  .option('--n <count>', 'how many', intArg(1, 200), 10)
  .option('--seed <n>', 'seed (default: random)', boundedArg(BOUNDS.seed))
  .option('--per-row <n>', 'digits per row', intArg(1, 20), 5)
  .action(async (model: string | undefined, o: { n: number; seed?: number; perRow: number }) => {
    const e = await engine();
    const { samples, seed, model: name, dataset, classes } = await e.samples({ n: o.n, seed: o.seed, model });
    const lines: string[] = [`model: ${name} · ${dataset} test set · seed ${seed}`, ''];
    for (let i = 0; i < samples.length; i += o.perRow) {
      const row = samples.slice(i, i + o.perRow).map((s) => {
        const ok = s.predicted === s.label;
        const caption = `${ok ? pc.green('✓') : pc.red('✗')} #${s.index} ${className(classes, s.label)}→${className(classes, s.predicted)} ${(s.confidence * 100).toFixed(0)}%`;
        return [...digitLines(s.pixels), caption];
      });
      lines.push(...sideBySide(row, '  '), '');
    }
    const right = samples.filter((s) => s.predicted === s.label).length;
    lines.push(`${right}/${samples.length} right (${percent(right / samples.length, 0)})`);
    process.stdout.write(lines.join('\n') + '\n');
  });

program
  .command('predict <image>')
  .description('classify a PNG or JPEG of a handwritten digit (preprocessed like MNIST)')
  .option('-m, --model <name>', 'model (default: the active one)')
  .option('--json', 'print the probabilities as JSON')
  .action(async (file: string, o: { model?: string; json?: boolean }) => {
    const img = readImage(file);
    const pre = preprocessToMnist(img.data, img.width, img.height);
    if (pre.empty) {
      process.stdout.write(o.json ? JSON.stringify({ digit: null, probs: null }) + '\n' : 'no digit found in the image (no ink)\n');
      return;
    }
    const e = await engine();
    const { probs: [probs], model, classes } = await e.predict({ inputs: [pre.pixels], model: o.model });
    const digit = argmax(probs, 0, probs.length);
    if (o.json) {
      process.stdout.write(JSON.stringify({ model, digit, class: classes[digit], classes, probs }) + '\n');
      return;
    }
    const seen = digitLines(Array.from(pre.pixels, (v) => Math.round(v * 255)));
    const text = [`model: ${model}`, `prediction: ${pc.bold(classes[digit])} (${percent(probs[digit], 1)})`, '', ...probBars(probs, classes)];
    process.stdout.write([...sideBySide([seen, text], '   '), ''].join('\n'));
  });

program
  .command('explain <image>')
  .description('why this answer: which pixels count for (red) and against (blue) a class, over the digit')
  .option('-m, --model <name>', 'model (default: the active one)')
  .option('-c, --class <digit>', 'the class to explain (default: the predicted one)', intArg(0, CLASSES - 1))
  .addOption(new Option('--method <name>', 'attribution method').choices(EXPLAIN_METHODS).default('gradient'))
  .option('-o, --out <file>', 'write the map over the digit as a PNG')
  .option('--json', 'print the result (with the 784 map values) as JSON')
  .action(async (file: string, o: ExplainCliOptions) => {
    process.stdout.write(await runExplain(await engine(), file, o));
  });

program
  .command('models')
  .description('list saved models (* = active)')
  .action(async () => {
    const store = new ModelStore(defaultHome(), defaultShippedDir());
    const models = store.list();
    if (!models.length) {
      process.stdout.write("no models yet: train one with 'digit-lab train'\n");
      return;
    }
    const rows = models.map((m) => [
      `${m.active ? '*' : ' '} ${m.name}`,
      m.error ? pc.red(`error: ${m.error}`) : (m.meta?.preset ?? '?'),
      m.meta?.testAccuracy != null ? percent(m.meta.testAccuracy) : '-',
      m.meta ? `${m.meta.history.length}` : '-',
      m.meta?.createdAt?.slice(0, 16).replace('T', ' ') ?? '-',
      m.shipped ? 'shipped' : 'user',
      m.error ? '-' : datasetLabel(datasetOfMeta(m.meta)),
    ]);
    process.stdout.write(
      table(['  name', 'preset', 'test acc', 'epochs', 'created', 'source', 'dataset'], rows) +
        `\n\n* = the active model of its dataset · folder: ${store.modelsDir}\n`,
    );
  });

program
  .command('import <file>')
  .description('import a Keras model saved with model.save(\'model.h5\'): evaluate it on the test set and save it')
  .option('-n, --name <name>', 'save under this name (default: the file name)', nameArg)
  .action(async (file: string, o: { name?: string }) => {
    const e = await engine();
    process.stdout.write((await runImport(e, file, o.name)).join('\n') + '\n');
  });

program
  .command('export <model> <file>')
  .description('write a model as a Keras .h5 file (keras.models.load_model reads it)')
  .option('-f, --force', 'replace the file if it exists')
  .action(async (model: string, file: string, o: { force?: boolean }) => {
    const e = await engine();
    process.stdout.write((await runExport(e, model, file, o.force)).join('\n') + '\n');
  });

/** `--preset`'s value: a preset or a saved network's name. */
function presetArg(value: string): string {
  if ((PRESETS as readonly string[]).includes(value)) return value;
  if (new NetworkStore(defaultHome()).list().networks.some((n) => n.name === value)) return value;
  throw new InvalidArgumentError(`Allowed choices are ${PRESETS.join(', ')} or a saved network's name (see 'digit-lab networks list').`);
}

/** `--preset` (a preset or a saved network's name) and `--layers` → the request's preset and layers; a network that
 *  does not parse or fit is refused here, in one line, before the engine starts (the engine checks it again). */
function trainNetworkArgs(
  preset: string | undefined, layers: string | undefined, batchSize: number | undefined,
): { preset?: (typeof PRESETS)[number]; layers?: string } {
  if (preset !== undefined && !(PRESETS as readonly string[]).includes(preset)) {
    if (layers !== undefined) throw new Error(`--preset ${preset} is not a preset: with --layers, name a preset for the training defaults`);
    return trainNetworkArgs(undefined, new NetworkStore(defaultHome()).get(preset).layers, batchSize);
  }
  const request = { preset: preset as (typeof PRESETS)[number] | undefined };
  if (layers === undefined) return request;
  const checked = networkTextSchema.safeParse(layers);
  if (!checked.success) throw new Error(`--layers: ${checked.error.issues[0].message}`);
  const batch = batchSize ?? trainConfigFor(request).batchSize;
  const problem = trainingLimitProblem(summariseNetwork(checked.data), batch, trainingMemoryLimit());
  if (problem) throw new Error(problem);
  return { ...request, layers: checked.data };
}

addSampleCommands(program, engine);
addNetworkCommands(program, engine);
addCompareCommand(program, engine);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const line = firstLine(err);
  process.stderr.write(`digit-lab: ${line}${cliHint(line)}\n`);
  process.exitCode = 1;
}

/** "Fashion-MNIST (10: T-shirt/top, Trouser, …)": a dataset for the models table. */
function datasetLabel(info: { name: string; classes: readonly string[] }): string {
  const shown = info.classes.slice(0, 3).join(', ');
  return `${info.name} (${info.classes.length}: ${shown}${info.classes.length > 3 ? ', …' : ''})`;
}

/** The engine's errors name no command; the CLI adds where to look next. */
function cliHint(message: string): string {
  if (/^no model named /.test(message)) return " (see 'digit-lab models')";
  if (/^no model yet/.test(message)) return " with 'digit-lab train'";
  return '';
}
