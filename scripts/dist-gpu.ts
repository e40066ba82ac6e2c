// Build the GPU edition's Linux installers (AppImage + deb with @tensorflow/tfjs-node-gpu inside).
// Usage: npm run dist:gpu   (after npm ci on Linux x64, where tfjs-node-gpu installs with its libtensorflow)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arch, Platform, build } from 'electron-builder';
import { ROOT, gpuEdition, loadBuilderConfig } from './builder-config.js';

const gpuPackage = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node-gpu', 'package.json');
if (!fs.existsSync(gpuPackage)) {
  console.error('dist-gpu: @tensorflow/tfjs-node-gpu is not installed (it installs on Linux x64 with network access): nothing to build');
  process.exit(1);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-gpu-'));
const configFile = path.join(dir, 'electron-builder.gpu.json');
fs.writeFileSync(configFile, JSON.stringify(gpuEdition(loadBuilderConfig()), null, 2));
try {
  const artifacts = await build({
    projectDir: ROOT,
    config: configFile,
    targets: Platform.LINUX.createTarget(['AppImage', 'deb'], Arch.x64),
    publish: 'never',
  });
  console.log(`dist-gpu: ${artifacts.map((a) => path.relative(ROOT, a)).join(', ')}`);
} catch (e) {
  console.error(`dist-gpu: ${(e as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
