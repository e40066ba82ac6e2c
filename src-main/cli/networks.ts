// `digit-lab layers "<text>|<preset>|<saved network>"`: a Keras-summary-like table of a network (each layer's output
// shape, parameters, multiply-adds per image, the totals), and `digit-lab networks list|save|rm|measure` ("My
// networks", <home>/networks/). `train --preset NAME` and `--layers` resolve through `networkArg`.
import type { Command } from 'commander';
import pc from 'picocolors';
import { formatDuration, formatShape } from '../../src-shared/domain.js';
import {
  INPUT_SHAPE, NetworkError, PRESET_LAYERS, problemLine, summariseNetwork, tryParseNetwork, type NetworkSummary,
} from '../../src-shared/network/index.js';
import { isModelName } from '../../src-shared/model-name.js';
import { BOUNDS } from '../../src-shared/protocol.js';
import { PRESETS, type PresetName } from '../../src-shared/types.js';
import { defaultHome, type DigitLabEngine } from '../engine/engine.js';
import { NetworkStore } from '../engine/network-store.js';
import { boundedArg, intArg, nameArg } from './args.js';
import { table } from './render.js';

const isPreset = (name: string): name is PresetName => (PRESETS as readonly string[]).includes(name);
const count = (n: number) => n.toLocaleString('en-US');

/** A preset's name, a saved network's name (My networks) or a text form → its text form and what it is called. */
export function networkArg(value: string, store = new NetworkStore(defaultHome())): { layers: string; label: string; preset?: PresetName } {
  if (isPreset(value)) return { layers: PRESET_LAYERS[value], label: `preset ${value}`, preset: value };
  const saved = store.list().networks.find((n) => n.name === value);
  if (saved) return { layers: saved.layers, label: `network '${saved.name}'` };
  const parsed = tryParseNetwork(value);
  if (parsed.problem && !value.includes(',') && isModelName(value)) {
    throw new Error(`no preset or saved network named '${value}' (see 'digit-lab networks list'), and as a network: ${problemLine(parsed.problem)}`);
  }
  return { layers: value, label: 'network' };
}

/** The summary as a table; throws a one-line NetworkError for an impossible network. */
export function summaryText(summary: NetworkSummary, label: string): string {
  if (summary.problem) throw new NetworkError(summary.problem);
  const rows = [
    ['input', 'InputLayer', formatShape(INPUT_SHAPE), '0', '0'],
    ...summary.rows.map((r) => [
      `${r.index === 'output' ? 'out' : r.index} ${r.text}`, r.className, formatShape(r.shape ?? []), count(r.params), count(r.macs),
    ]),
  ];
  return [
    `${label}: ${summary.text || '(no layers)'}`,
    table(['layer', 'type', 'output shape', 'params', 'multiply-adds'], rows),
    `total params: ${count(summary.params)}`,
    `multiply-adds per image: ${count(summary.macs)} (convolutions and dense layers)`,
  ].join('\n');
}

export function addNetworkCommands(program: Command, engine: () => Promise<DigitLabEngine>): void {
  const store = () => new NetworkStore(defaultHome());
  program
    .command('layers <network>')
    .description('a network\'s layers, output shapes, parameters and multiply-adds: a text form (e.g. "conv16k5-relu,maxpool2,flatten,dense64-relu"), a preset or a saved network')
    .action((value: string) => {
      const { layers, label } = networkArg(value, store());
      process.stdout.write(summaryText(summariseNetwork(layers), label) + '\n');
    });

  const networks = program.command('networks').description('"My networks": designed networks saved under a name (train them with --preset NAME)');
  networks
    .command('list')
    .description('saved networks (unreadable files listed as such)')
    .action(() => {
      const { networks: list, errors } = store().list();
      if (!list.length && !errors.length) {
        process.stdout.write("no saved networks yet: 'digit-lab networks save NAME \"<text>\"'\n");
        return;
      }
      const rows = list.map((n) => {
        const s = summariseNetwork(n.layers);
        return [n.name, count(s.params), count(s.macs), n.layers];
      });
      process.stdout.write(
        table(['name', 'params', 'multiply-adds', 'layers'], rows) +
          errors.map((e) => `\n${pc.red(`unreadable: ${e.file}: ${e.error}`)}`).join('') + `\n\nfolder: ${store().dir}\n`,
      );
    });
  networks
    .command('save <name> <network>')
    .description('save a network (a text form, a preset or another saved network) under a name')
    .option('-f, --force', 'replace a saved network of that name')
    .action((name: string, value: string, o: { force?: boolean }) => {
      nameArg(name);
      const { layers } = networkArg(value, store());
      const saved = store().save(name, layers, o.force);
      process.stdout.write(`saved network '${saved.name}': ${saved.layers}\n`);
    });
  networks
    .command('rm <name>')
    .description('delete a saved network')
    .action((name: string) => {
      store().delete(name);
      process.stdout.write(`deleted network '${name}'\n`);
    });
  networks
    .command('measure <network>')
    .description('train a few real batches of a network on this machine\'s backend: images per second and an epoch\'s time')
    .option('-b, --batch-size <n>', 'images per batch (default: the training default)', boundedArg(BOUNDS.batchSize))
    .option('--batches <n>', 'batches timed (after one warm-up)', intArg(1, 50))
    .action(async (value: string, o: { batchSize?: number; batches?: number }) => {
      const { layers, label } = networkArg(value, store());
      const summary = summariseNetwork(layers);
      if (summary.problem) throw new Error(problemLine(summary.problem));
      const e = await engine();
      const r = await e.networks.measure({ layers: summary.text, batchSize: o.batchSize, batches: o.batches });
      process.stdout.write(
        `${label}: ${r.layers}\n${Math.round(r.imagesPerSec)} images/s on ${r.backend} (batch ${r.batchSize}, ${r.batches} batches timed)` +
          ` · an epoch of ${count(r.epochImages)} images ≈ ${formatDuration(r.epochMs)}\nkernels: ${r.kernels.note}\n`,
      );
    });
}
