// ESLint (flat config): the recommended JavaScript and typescript-eslint rules, and the layer rules that keep the
// architecture as CONTRIBUTING.md describes it. Each layer gets one `no-restricted-imports` entry (a later entry for
// the same files would replace, not extend, an earlier one).
//   src/core    pure logic: nothing from vscode, src/cli, src/vscode, src/panel or webview
//   src/cli     the command: nothing from vscode or src/vscode
//   src/panel   the panel's host half: nothing from vscode, src/cli or src/vscode
//   src/vscode  the extension glue: nothing from src/cli
//   webview     the browser page: only its own files and src/core/format.ts (the protocol's records are type imports from src/core)
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** An import path (relative, as written) that reaches into `dir`, from anywhere in the tree. */
const into = (...dirs) => `^(\\.\\.?/)+(.*/)?(${dirs.join('|')})(/|$)`;
const noVscode = { name: 'vscode', message: 'Only src/vscode may import the vscode API.' };

const layer = (files, patterns, paths = [noVscode]) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-artifacts/**', 'test/bench/*.tmp'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // `_name` marks an argument kept for its position; unused catch bindings are fine.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `(...args: any[]) => unknown` is how VS Code types a command callback.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true, allowShortCircuit: true }],
      // Errors here are rethrown with the cause's message in their own text (what the user reads); a `cause`
      // property would add nothing they see.
      'preserve-caught-error': 'off',
      // Flags the `let x = fallback; try { x = … } catch {}` idiom, which is how this code reads on purpose.
      'no-useless-assignment': 'off',
    },
  },
  {
    // Scripts in plain JavaScript (build, harness, benchmarks) run in Node.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Scripts the harness page loads before the panel bundle.
    files: ['test/webview/harness/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Test scripts drive a browser: their page.evaluate callbacks run in the page.
    files: ['test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Tests load modules by path on purpose (fresh copies, the built bundle) and shape mock payloads loosely.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  layer(
    ['src/core/**/*.ts'],
    [
      {
        regex: into('cli', 'vscode', 'panel', 'webview'),
        message: 'src/core is pure logic: it imports nothing from src/cli, src/vscode, src/panel or webview.',
      },
    ],
  ),
  layer(
    ['src/cli/**/*.ts'],
    [{ regex: into('vscode'), message: 'src/cli does not import the extension (src/vscode).' }],
  ),
  layer(
    ['src/panel/**/*.ts'],
    [
      {
        regex: into('cli', 'vscode'),
        message: 'src/panel is the panel host without vscode: nothing from src/cli or src/vscode.',
      },
    ],
  ),
  layer(
    ['src/vscode/**/*.ts'],
    [
      {
        regex: into('cli'),
        message: 'src/vscode does not import the CLI (its code would ship in the extension bundle).',
      },
    ],
    [],
  ),
  layer(
    ['webview/**/*.ts'],
    [
      // src/core/format.ts is pure (no imports but types): the page writes money and shares as every layer does.
      {
        regex: '^\\.\\./(?!src/core/format$)',
        message:
          'webview/ runs in the browser: it imports only its own files, src/core/format.ts (pure) and npm packages for the page.',
      },
      { regex: '^node:', message: 'webview/ runs in the browser: no Node modules.' },
    ],
  ),
  layer(
    ['webview/protocol.ts', 'webview/protocol/*.ts'],
    [
      // The wire types carry records defined in src/core: type imports only (erased from the browser bundle).
      {
        regex: '^(\\.\\./)+src/core/',
        allowTypeImports: true,
        message: 'protocol.ts may import only types from src/core.',
      },
      {
        regex: '^(\\.\\./)+(?!\\.\\./|src/core/)',
        message: 'webview/ runs in the browser: it imports only its own files.',
      },
      { regex: '^node:', message: 'webview/ runs in the browser: no Node modules.' },
    ],
  ),
);
