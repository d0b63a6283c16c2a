// The import rules of shared/DESIGN.md, enforced: which root, and which layer inside src-main, may import what.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const design = 'see "Three runtime roots, one direction of imports" in DESIGN.md';

/**
 * An import source matched by `regex` is an error, with `message`.
 * @param {string} regex
 * @param {string} message
 */
const forbid = (regex, message) => ({ regex, message: `${message} (${design}).` });

const electron = forbid('^electron(/|$)', 'Only src-main/index.ts, src-main/app/ and src-main/preload/ may import electron');
const nodeOnly = [
  forbid('^node:', 'Node built-ins run only in src-main'),
  forbid(`^(${builtinModules.join('|')})$`, 'Node built-ins run only in src-main'),
  forbid('^lmdb(/|$)', 'The store runs only in src-main'),
];
const mainRoot = forbid('(^|/)src-main(/|$)', 'Only src-main itself may import src-main');
const rendererRoot = forbid('(^|/)src-renderer(/|$)', 'Only src-renderer itself may import src-renderer');

/**
 * Relative imports that climb out of a src-main layer into one of `layers` (a sibling folder of src-main).
 * Each layer may import only the layers listed above it in DESIGN.md: db, services, ipc, then the edges.
 * @param {string} layer
 * @param {string[]} layers
 */
const layersBelow = (layer, layers) =>
  forbid(`^(\\.\\./)+(src-main/)?(${layers.join('|')})(/|$)`, `src-main/${layer}/ may not import src-main/{${layers}}/`);

/**
 * Sets no-restricted-imports for `files`; a later entry replaces an earlier one's list for the files it matches.
 * @param {string[]} files
 * @param {ReturnType<typeof forbid>[]} patterns
 * @param {string[]} [ignores]
 * @returns {import('eslint').Linter.Config}
 */
const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'node_modules/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  // tsc -b type-checks the JavaScript files too (checkJs), which catches undefined names better than no-undef.
  { files: ['**/*.{js,mjs}'], rules: { 'no-undef': 'off' } },

  restrict(['src-shared/**'], [electron, ...nodeOnly, mainRoot, rendererRoot]),
  restrict(['src-renderer/**'], [electron, ...nodeOnly, mainRoot]),
  restrict(['src-main/**'], [electron, rendererRoot], ['src-main/index.ts', 'src-main/app/**', 'src-main/preload/**']),
  restrict(['src-main/index.ts', 'src-main/app/**', 'src-main/preload/**'], [rendererRoot]),
  restrict(['src-main/ipc/**'], [electron, rendererRoot, layersBelow('ipc', ['app', 'host', 'api', 'serve'])]),
  restrict(['src-main/services/**'], [electron, rendererRoot, layersBelow('services', ['ipc', 'app', 'host', 'api', 'serve'])]),
  restrict(['src-main/db/**'], [electron, rendererRoot, layersBelow('db', ['services', 'ipc', 'app', 'host', 'api', 'serve'])]),
  // The edges: serve/ is what Electron's app:// and the browser host both answer with (plain Node); host/ and
  // api/ run without Electron, so they take nothing from app/; api/ serves agents from the services alone.
  restrict(['src-main/serve/**'], [electron, rendererRoot, layersBelow('serve', ['ipc', 'app', 'host', 'api'])]),
  restrict(['src-main/host/**'], [electron, rendererRoot, layersBelow('host', ['app', 'api'])]),
  restrict(['src-main/api/**'], [electron, rendererRoot, layersBelow('api', ['ipc', 'app', 'host'])]),
);
