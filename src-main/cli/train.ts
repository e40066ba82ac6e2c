// `digit-lab train`: a Keras-fit-like progress bar per epoch, then the test accuracy and the saved name.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { PenTrainingOptions, TrainConfig } from '../../src-shared/types.js';
import type { DigitLabEngine } from '../engine/engine.js';
import { formatDuration as duration, formatPercent as percent } from '../../src-shared/domain.js';

/** The source commit, when run from a git checkout (recorded in meta.json). */
export function gitCommit(): string | undefined {
  try {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return undefined;
  }
}

export async function runTrain(engine: DigitLabEngine, config: Partial<TrainConfig> & PenTrainingOptions): Promise<number> {
  const tty = Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    process.stderr.write('\nstopping after this batch (Ctrl+C again to quit at once)…\n');
  };
  process.on('SIGINT', onSigint);

  const newBar = (epoch: number, epochs: number, total: number) => {
    bar = new cliProgress.SingleBar(
      {
        format: `Epoch ${epoch}/${epochs} |{bar}| {value}/{total} · loss {loss} · acc {acc} · {ips} img/s · ETA {eta_formatted}`,
        barCompleteChar: '█', barIncompleteChar: '░', barsize: 24, hideCursor: true, etaBuffer: 50, stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: '-', acc: '-', ips: '-' });
  };

  try {
    const result = await engine.train(config, {
      signal: controller.signal,
      provenance: { command: ['digit-lab', ...process.argv.slice(2)].join(' '), commit: gitCommit() },
      onLog: (m) => process.stderr.write(pc.dim(m) + '\n'),
      onBatch: (p) => {
        if (!tty) return;
        if (!bar) newBar(p.epoch, p.epochs, p.batchesPerEpoch);
        bar!.update(p.batch, { loss: p.loss.toFixed(4), acc: p.accuracy.toFixed(4), ips: Math.round(p.imagesPerSec) });
      },
      onEpoch: (e) => {
        if (bar) bar.stop();
        bar = null;
        process.stderr.write(
          `epoch ${e.epoch}/${e.epochs} - ${duration(e.elapsedMs)} - loss: ${e.loss.toFixed(4)} - acc: ${e.accuracy.toFixed(4)}` +
            `${Number.isNaN(e.valAccuracy) ? '' : ` - val_loss: ${e.valLoss.toFixed(4)} - val_acc: ${e.valAccuracy.toFixed(4)}`}` +
            ` - ${Math.round(e.imagesPerSec)} img/s\n`,
        );
      },
    });
    (bar as cliProgress.SingleBar | null)?.stop();
    if (result.model === null) {
      process.stderr.write('stopped before the first batch finished: nothing saved\n');
      return 130;
    }
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const of = engine.dataset.name === 'MNIST' ? '' : ` for ${engine.dataset.name}`; // each dataset has its own active model
    process.stdout.write(
      // classifier.py's own report: Keras' model.evaluate → print('Test loss:', …), print('Test accuracy:', …)
      `Test loss: ${result.testLoss?.toFixed(4) ?? '-'}\nTest accuracy: ${result.testAccuracy.toFixed(4)}\n` +
        `${result.stopped ? 'stopped early; ' : ''}test accuracy: ${percent(result.testAccuracy)}\n` +
        `saved model: ${result.model}  (${duration(result.durationMs)}, peak memory ${peakMb.toFixed(0)} MB)` +
        `${result.activated ? `, now the active model${of}` : `, not made active: it does not beat the active model${of} (choose it in the app)`}\n`,
    );
    return result.stopped ? 130 : 0;
  } finally {
    (bar as cliProgress.SingleBar | null)?.stop();
    process.off('SIGINT', onSigint);
  }
}
