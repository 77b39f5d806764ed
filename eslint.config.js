// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const boundary = (forbidden, why) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message: why }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'bench/out/', 'models/**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // edge/ and server/ share only the wire contract (protocol/) and non-domain helpers (kit/); see docs/adr/0004.
  {
    files: ['edge/**'],
    rules: boundary(['**/server/**'], 'edge/ must not import server/; share code through protocol/ or kit/.'),
  },
  {
    files: ['server/**'],
    rules: boundary(['**/edge/**'], 'server/ must not import edge/; share code through protocol/ or kit/.'),
  },
  {
    files: ['protocol/**'],
    rules: boundary(
      ['**/edge/**', '**/server/**', '**/calibration/**', '**/models/**'],
      'protocol/ depends on nothing of ours but kit/.',
    ),
  },
  {
    files: ['kit/**'],
    rules: boundary(
      ['**/edge/**', '**/server/**', '**/calibration/**', '**/models/**', '**/protocol/**', '**/cli/**', '**/ui/**'],
      'kit/ holds non-domain helpers and depends on nothing of ours.',
    ),
  },
);
