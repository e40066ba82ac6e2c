// The GPU check for a bare Linux GPU box (scripts/gpu-check/): pack.sh builds the folder from this checkout
// (a Node binary from the npm registry, the engine bundled, linux-x64 dawn.node, MNIST, the Vulkan loader
// and libglvnd .debs from Debian), and its run.sh, started with an empty environment (no Node on PATH),
// unpacks it and trains, evaluates and reports on WebGPU. Here the adapter is Mesa's lavapipe (forced, on a
// small training set); on a GPU machine the same folder runs scripts/gpu-check/device-run.sh.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findAdapter } from '../../src-main/engine/webgpu/dawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const MiB = 1 << 20;

const probe = await findAdapter().then(
  (adapter) => ({ adapter, reason: '' }),
  (err: Error) => ({ adapter: null, reason: err.message }),
);
if (!probe.adapter) console.log(`skipping the GPU check pack test: ${probe.reason}`);

/** Bytes under `dir`, as du counts files. */
function sizeOf(dir: string): number {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

describe.skipIf(!probe.adapter)('the GPU check pack', { timeout: 600_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-gpu-pack-'));
  const pack = path.join(tmp, 'pack');
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('packs under 60 MiB and, with an empty environment, trains, evaluates and prints its RESULT line', async () => {
    await run('bash', ['scripts/gpu-check/pack.sh', pack], { cwd: ROOT, maxBuffer: 1 << 24 });
    expect(fs.readdirSync(pack).sort()).toEqual(['PACK_ID', 'README.txt', 'app', 'dawn.node.gz', 'debs', 'mnist', 'node.gz', 'run.sh']);
    expect(fs.readdirSync(path.join(pack, 'debs')).map((d) => d.split('_')[0]).sort()).toEqual(['libglvnd0', 'libvulkan1']);
    expect(sizeOf(pack) / MiB).toBeLessThan(60);

    // env -i: no Node, no npm, nothing from this checkout on PATH; the pack brings its own.
    const { stdout, stderr } = await run('env', [
      '-i', 'PATH=/usr/bin:/bin', `HOME=${tmp}`, 'DIGIT_LAB_BACKEND=webgpu',
      'bash', path.join(pack, 'run.sh'), 'check', '--train-size', '1024', '--validation-size', '512', '--batch-size', '64',
    ], { cwd: tmp, maxBuffer: 1 << 24 });
    expect(stderr).toMatch(/run\.sh: unpacking into .*\.runtime/);
    expect(stderr).toContain(`run.sh: node ${process.version}`);
    expect(stdout).toContain(`backend: webgpu (gpu) · ${probe.adapter!.name} (WebGPU)`);
    const result = /^RESULT (.*)$/m.exec(stdout)?.[1] ?? '';
    const fields = Object.fromEntries([...result.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1], m[2].replace(/^"|"$/g, '')]));
    expect(fields).toMatchObject({ adapter: `${probe.adapter!.name} (WebGPU)`, preset: 'fast', batch: '64', images: '1024' });
    expect(Number(fields.epoch_img_per_s)).toBeGreaterThan(0);
    expect(Number(fields.test_acc)).toBeGreaterThan(0.5); // 16 steps: far above chance (0.1)
    expect(stdout).toMatch(/test accuracy: \d+\.\d\d% after 1 epoch\(s\) · training run [\d.]+ s in all · inference \d+ img\/s/);
  });
});
