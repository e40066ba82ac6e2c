import { defineConfig } from 'vitest/config';

// One runner for everything: unit, engine, CLI and browser (Playwright) tests.
// Files run one at a time: these machines have 2 cores and most tests train real networks.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
