// ESLint flat config (`npm run lint`, part of `npm test`). Lints src, test and bench: ESLint's and typescript-eslint's
// recommended rules, unused variables and parameters, and (in src only) the layer rules below.
//
// The rules are type-unaware on purpose: none of them needs type information (tsc checks the types in `npm test`), and
// a type-aware run (projectService) took about three times as long on the shared 2-core machine (29 s against 7-10 s).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const LINTED = ['src/**/*.{ts,js,mjs}', 'test/**/*.{ts,js,mjs}', 'bench/**/*.{ts,js,mjs}'];

/** Matches an import that climbs out of the importing file's folder into src/<dir>: `../remote/x.js`, `../../cli/y.js`. */
const into = (dir, rest = '(/|$)') => `^(\\.\\./)+${dir}${rest}`;

/** One no-restricted-imports pattern (regex form), its message naming the layer rule it enforces. */
const pattern = (rule, regex, why) => ({ regex, message: `Layer rule "${rule}": ${why}` });

const NODE_NETWORK_AND_PROCESSES = '^(node:)?(net|http|https|child_process)$';
const IO_PACKAGES = '^(undici|ssh2|proper-lockfile)(/|$)';

const PURE = 'pure (src/config, src/devcontainer, src/docker)';
const pureLayer = [
  pattern(PURE, NODE_NETWORK_AND_PROCESSES, 'no network or child processes here; the caller does the I/O.'),
  pattern(PURE, IO_PACKAGES, 'no HTTP, SSH or lock-file packages here; the caller does the I/O.'),
  pattern(PURE, into('(cli|deploy|project|remote|state|ui)'), 'may not import src/cli, src/deploy, src/project, src/remote, src/state or src/ui.'),
  pattern(
    PURE,
    into('providers', '(/(?!(registry|[^/]+/config)\\.js$)|$)'),
    'from src/providers only providers/registry.js and providers/*/config.js (the pure zod config schemas).',
  ),
];

const DEPLOY = 'deploy (src/deploy)';
const deployLayer = [
  pattern(DEPLOY, NODE_NETWORK_AND_PROCESSES, 'no network or child processes here; go through the Executor and Provider interfaces.'),
  pattern(DEPLOY, IO_PACKAGES, 'no HTTP, SSH or lock-file packages here; go through the Executor, Provider and state interfaces.'),
  pattern(DEPLOY, '^(node:)?fs(/promises)?$', 'no file I/O here: src/project loads the project, the state interface keeps the state.'),
  pattern(DEPLOY, into('(cli|project|ui)'), 'may not import src/cli, src/project or src/ui: it reports through its ports.'),
  pattern(DEPLOY, into('providers', '(/(?!(provider|labels)\\.js$)|$)'), 'from src/providers only providers/provider.js and providers/labels.js.'),
  pattern(DEPLOY, into('remote', '(/(?!(executor|check|quote|script)\\.js$)|$)'), 'from src/remote only remote/executor.js (the interface), remote/check.js, remote/quote.js and remote/script.js (argv composition).'),
  pattern(DEPLOY, into('state', '(/(?!(schema|access)\\.js$)|$)'), 'from src/state only state/schema.js and state/access.js (the interfaces).'),
];

const LIB = 'lib (src/lib)';
// Any climb out of the file's folder that does not land in a lib/ folder: src/lib has no subfolders.
const libLayer = [pattern(LIB, '^(\\.\\./)+(?!lib/|\\.\\./)', 'src/lib imports nothing under src/ outside src/lib.')];

const ADAPTERS = 'adapters (src/providers, src/remote, src/state, src/ui)';
const adapterLayer = [pattern(ADAPTERS, into('(cli|deploy|project)'), 'may not import src/cli, src/deploy or src/project.')];

const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'fixtures/', '**/fixtures/', 'bench/results/']),
  { files: LINTED, extends: [js.configs.recommended, tseslint.configs.recommended] },
  {
    files: LINTED,
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { vars: 'all', args: 'all', argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The plain JavaScript workers and hooks run in Node: its globals are those of the Node running the lint.
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly'])) },
  },
  // Tests read untyped JSON (API answers, state dumps) and may say so.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  layer(['src/config/**', 'src/devcontainer/**', 'src/docker/**'], pureLayer),
  layer(['src/deploy/**'], deployLayer),
  layer(['src/lib/**'], libLayer),
  layer(['src/providers/**', 'src/remote/**', 'src/state/**', 'src/ui/**'], adapterLayer),
);
