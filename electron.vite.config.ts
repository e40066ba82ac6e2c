// Electron build (electron-vite): main process, preload (CommonJS — sandboxed preloads cannot be ESM), the
// engine process entry (imported by main with ?modulePath, so it is bundled beside it), and the same renderer
// as browser mode. Output goes to out/{main,preload,renderer}; `npm start` builds and launches it.
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// electron-vite picks its output format and Node target from Electron's major version, which it reads from the
// installed electron package. Electron is an optional dependency (left out where its download fails): then the
// version package.json asks for is given instead, so the build (and its tests) work without the binary.
if (!process.env.ELECTRON_MAJOR_VER && !existsSync(here('./node_modules/electron/package.json'))) {
  const pkg = JSON.parse(readFileSync(here('./package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
  const major = /\d+/.exec(pkg.optionalDependencies?.electron ?? '')?.[0];
  if (major) process.env.ELECTRON_MAJOR_VER = major;
}

export default defineConfig({
  main: {
    build: {
      outDir: here('./out/main'),
      rolldownOptions: {
        input: {
          index: here('./src-main/electron/main.ts'),
          // The fast kernels' second-core helper: loaded by URL beside the engine chunk (kernels/parallel.ts).
          'conv-worker': here('./src-main/engine/kernels/conv-worker.ts'),
        },
        // …so it must sit beside that chunk, in chunks/.
        output: { entryFileNames: (chunk) => (chunk.name === 'conv-worker' ? 'chunks/[name].js' : '[name].js') },
      },
    },
  },
  preload: {
    build: {
      outDir: here('./out/preload'),
      rolldownOptions: {
        input: { index: here('./src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: here('./src-renderer'),
    base: './',
    plugins: [svelte()],
    build: {
      outDir: here('./out/renderer'),
      rolldownOptions: { input: here('./src-renderer/index.html') },
    },
  },
});
