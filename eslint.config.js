import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

const coreBoundary = {
  patterns: [
    { group: ['node:*'], message: 'Core is pure: no Node built-ins (take I/O as arguments).' },
    { group: ['express', 'fastify', 'undici', 'http', 'https', 'fs', 'path', 'crypto'], message: 'Core is pure: no frameworks or I/O.' },
    { group: ['@opentelemetry/*'], message: 'Only src/otel.ts and src/otel-sampler.ts (the `/otel` entry) may import OpenTelemetry.' },
  ],
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: [
          './tsconfig.json',
          './packages/*/tsconfig.test.json',
          './benchmarks/tsconfig.json',
          './examples/*/tsconfig.json',
          './runtimes/tsconfig.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-globals': 'off',
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts', 'packages/core/src/otel.ts', 'packages/core/src/otel-sampler.ts'],
    rules: {
      'no-restricted-imports': ['error', coreBoundary],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Core takes time as an argument.' },
        { object: 'Math', property: 'random', message: 'Core takes randomness as an argument.' },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'fetch', 'process', 'console', 'Buffer'],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**', 'benchmarks/**', 'examples/**', '**/scripts/**'],
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
)
