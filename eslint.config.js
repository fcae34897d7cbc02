// Lint: typescript-eslint's recommended rules, plus the layer rule of docs/architecture.md:
// core imports nothing of runtime/ohif, runtime nothing of ohif.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const layer = (from, forbidden) => ({
  files: [`extensions/sam-segmentation/src/${from}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((f) => ({
          group: [`**/${f}/**`, `../${f}`, `../${f}/*`],
          message: `The ${from} layer must not depend on the ${f} layer (see docs/architecture.md).`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      'tmp-scratch/**',
      '**/dist/**',
      '.viewer/**',
      'node_modules/**',
      'viewer/samples/generated/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer('core', ['runtime', 'ohif']),
  layer('runtime', ['ohif']),
);
