import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-tc39/**', '.build/**', 'node_modules/**', '**/node_modules/**', 'coverage/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'List exports explicitly (house style).' }],
    },
  },
  {
    // type-aware: with noUncheckedIndexedAccess on, a `!` is an assertion that matters; one that
    // changes nothing (the value cannot be undefined) is flagged
    files: ['lib/**/*.ts', 'decorators/**/*.ts', 'providers/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'error' },
  },
  {
    // One copy of lib at run time: the package ships every public entry as one bundle, and every
    // entry but the main one requires the main bundle for what it takes from lib
    // (spec/package/bundle.mjs). That holds only when these entries reach lib through its index: a
    // deep import would bundle a second copy of that module (its state, its classes).
    files: ['lib/testing/**/*.ts', 'lib/frameworks/fastify.ts', 'lib/frameworks/nest.ts', 'lib/frameworks/nest-providers.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./(?!index$)', message: "Import lib through its index ('../index'): this entry ships as its own bundle, which requires the main one (spec/package/bundle.mjs)." },
            { regex: '^\\./request-scope$', message: "request-scope is part of the main entry: import it from '../index'." },
          ],
        },
      ],
    },
  },
  {
    files: ['providers/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.cases.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+(lib|decorators)/', message: "Import lib through its index ('../../lib'): each provider ships as its own bundle, which requires the main one (spec/package/bundle.mjs)." },
            { regex: '^(\\.\\./)+decorators$', message: "The decorators are exported by lib's index: import them from '../../lib'." },
            { regex: '^\\.\\./[\\w-]+/', message: "Import another provider through its index ('../redis'), never a file inside it: that provider ships as its own bundle." },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
