// ESLint flat config: TypeScript rules for the Node side, shared code and tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'release/', 'artifacts/', 'test-results/', 'models/', '.gpu-pack/', '**/*.svelte'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-shared/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The app's code is typed from the protocol: no `any` (tests may use it to poke at raw messages).
    files: ['src-main/**/*.ts', 'src-shared/**/*.ts', 'src-renderer/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
