// ESLint (flat config): the JavaScript and typescript-eslint recommended rules over the renderer, its tests and
// scripts/. Formatting is Prettier's job (.prettierrc.json), so no rule here is about layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '.cache/',
      'node_modules/',
      'clusters/',
      'renderer/schema/',
      'renderer/src/argocd/argocd-api.generated.d.ts',
      'renderer/src/cluster-index-check.ts',
      'renderer/src/pin-files-check.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // Node's globals that the code uses (the globals package would be one more dependency for a short list).
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'performance', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Buffer', 'AbortController', 'fetch'].map((g) => [
          g,
          'readonly',
        ]),
      ),
    },
    rules: {
      // `const { drop: _drop, ...rest } = o` is how the code leaves a field out; the underscore says it is unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Errors here are messages for people that already quote the cause's message; the cause object adds nothing.
      'preserve-caught-error': 'off',
    },
  },
  {
    // dependency-cruiser reads its configuration as CommonJS (.dependency-cruiser.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  {
    // A function reads as its named steps: none over 80 lines, blank lines and comments counted.
    files: ['renderer/src/**/*.ts'],
    ignores: ['renderer/src/e2e/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }] },
  },
);
