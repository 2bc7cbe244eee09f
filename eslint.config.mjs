// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  paths: [
    {
      name: 'vscode',
      message: "Only src/extension/ may import 'vscode': keep core, server and CLI editor-free.",
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'bench-out/**',
      'node_modules/**',
      '.vscode-test/**',
      '.cache/**',
      'out/**',
      '**/fixtures/**',
      // AssemblyScript (its own types: i32, usize, v128), compiled by scripts/wasm/build.mjs.
      'src/wasm/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', noVscode],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', '*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
