// ESLint 9 flat config: TypeScript hygiene plus the layer boundaries of docs/architecture.md, enforced on every file.
import js from '@eslint/js';
import prettierConfig from 'eslint-config-prettier';
import { createNodeResolver, flatConfigs as importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The small shared modules of the core that providers may use besides the contract (pure helpers, no I/O). */
const PROVIDER_HELPERS = ['events', 'json', 'phone', 'time', 'rate-limit'].map((name) => `./core/${name}.ts`);

/**
 * The import boundaries between layers, as import-x `no-restricted-paths` zones. Paths are relative to
 * `root`. A zone says: files under `target` may not import files under `from` (except `except`, relative
 * to `from`). Imports are resolved first, so a relative path that walks around a rule is still caught.
 * All zones live in one rule entry: a later config block naming the same rule would replace, not add.
 */
export function boundaryZones() {
  const outside = (layer) => `${layer} may import only main/contract from outside its folder (docs/architecture.md)`;
  return [
    // The React window gets everything through the contract; its types are all it knows of main.
    { target: 'renderer', from: 'main', except: ['./contract'], message: outside('renderer') },
    { target: 'renderer', from: 'preload', message: outside('renderer') },
    // The contract is a leaf: types and a few constants that both sides share.
    {
      target: 'main/contract',
      from: ['main/core', 'main/shell', 'renderer', 'preload'],
      message: 'main/contract is a leaf: it imports nothing from the layers that use it',
    },
    // The core runs (and is tested) without Electron: it never reaches into the shell or the UI.
    {
      target: 'main/core',
      from: ['main/shell', 'renderer', 'preload'],
      message: 'main/core never imports the shell, the renderer or the preload',
    },
    // SQL knows nothing of what is built on it (alert rules, the UI service).
    {
      target: 'main/core/store',
      from: ['main/core/alerts', 'main/core/api'],
      message: 'main/core/store is below alerts and api: it never imports them',
    },
    // Providers are plugins: detect + normalize over the contract and a few pure helpers.
    {
      target: 'main/core/providers',
      from: 'main',
      except: ['./contract', './core/providers', ...PROVIDER_HELPERS],
      message: 'main/core/providers imports only main/contract, main/core/{events,json,phone,time,rate-limit}.ts and other providers',
    },
    {
      target: 'main/core/providers',
      from: ['renderer', 'preload'],
      message: 'main/core/providers imports only main/contract and the core helpers',
    },
    // The preload forwards the contract generically: it needs its types and electron, nothing else of ours.
    { target: 'preload', from: 'main', except: ['./contract'], message: outside('preload') },
    { target: 'preload', from: 'renderer', message: outside('preload') },
  ];
}

/** Modules the core and the contract must never load (the core runs without Electron; electron-store needs it). */
const ELECTRON_MODULES = {
  paths: [
    { name: 'electron', message: 'main/core and main/contract run without Electron: keep electron in main/shell' },
    { name: 'electron-store', message: 'electron-store loads electron: keep it in main/shell' },
  ],
  patterns: [{ group: ['electron/*'], message: 'main/core and main/contract run without Electron: keep electron in main/shell' }],
};

/**
 * The whole config, with the boundaries anchored at `root`. Exported so a test can lint synthetic files
 * laid out under a temporary root with exactly these rules.
 * @param {string} root absolute path of the repository (or of a test's stand-in tree)
 * @param {{ typeChecked?: boolean }} [options]
 */
export function hookwatchConfig(root, { typeChecked = false } = {}) {
  const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.cts', '**/*.mts'];
  return tseslint.config(
    {
      ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-artifacts/**', 'test/fixtures/**', 'bench/results/**', 'coverage/**'],
    },
    js.configs.recommended,
    ...(typeChecked ? tseslint.configs.recommendedTypeChecked : tseslint.configs.recommended).map((c) => ({
      ...c,
      files: c.files ?? tsFiles,
    })),
    {
      files: tsFiles,
      languageOptions: typeChecked ? { parserOptions: { projectService: true, tsconfigRootDir: root } } : {},
      rules: {
        // `_name` marks an argument kept for its position; unused catch bindings are allowed by the language.
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
        // Payloads are untyped JSON until normalized; `any` at a parsing edge is a choice, not an accident.
        '@typescript-eslint/no-explicit-any': 'off',
        // Every control-character class in the code is a deliberate sanitizer (terminal escapes, one-line
        // logs, tokens), which is exactly what this rule would forbid.
        'no-control-regex': 'off',
      },
    },
    {
      plugins: importX.typescript.plugins,
      files: ['**/*.{js,mjs,cjs,ts,tsx,cts,mts}'],
      settings: {
        'import-x/extensions': importX.typescript.settings['import-x/extensions'],
        'import-x/external-module-folders': importX.typescript.settings['import-x/external-module-folders'],
        'import-x/parsers': importX.typescript.settings['import-x/parsers'],
        // Sources import `./x.js` for `./x.ts` (NodeNext); the resolver maps the extensions back.
        'import-x/resolver-next': [
          createNodeResolver({
            extensions: ['.ts', '.tsx', '.cts', '.mts', '.js', '.jsx', '.cjs', '.mjs', '.json', '.node'],
            extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.cjs': ['.cts', '.cjs'], '.mjs': ['.mts', '.mjs'] },
            conditionNames: ['types', 'import', 'require', 'node', 'default'],
          }),
        ],
      },
      rules: {
        // An import the resolver cannot follow would slip past the boundaries below, so it is an error itself.
        'import-x/no-unresolved': 'error',
        'import-x/no-cycle': ['error', { ignoreExternal: true }],
        'import-x/no-restricted-paths': ['error', { basePath: root, zones: boundaryZones() }],
        'import-x/no-self-import': 'error',
      },
    },
    // Plain Node: the core, the shell's main process, tests, benchmarks, scripts, configs.
    {
      files: ['main/**', 'test/**', 'bench/**', 'scripts/**', 'bin/**', 'assets/**', '*.js', '*.ts', '*.mjs'],
      languageOptions: { globals: { ...globals.node } },
    },
    {
      files: ['main/core/**'],
      rules: { 'no-restricted-imports': ['error', ELECTRON_MODULES] },
    },
    {
      files: ['main/contract/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: ELECTRON_MODULES.paths,
            patterns: [
              ...ELECTRON_MODULES.patterns,
              { group: ['node:*'], message: 'main/contract is shared with the browser: no Node modules' },
            ],
          },
        ],
      },
    },
    // The preload runs sandboxed in the renderer process; it may use the contract's types, never its values.
    {
      files: ['preload/**'],
      languageOptions: { globals: { ...globals.browser } },
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['**/main/contract/**', '**/main/contract'],
                allowTypeImports: true,
                message: 'a sandboxed preload can require only electron: import the contract with `import type`',
              },
            ],
          },
        ],
      },
    },
    {
      files: ['renderer/**', 'test/renderer/**'],
      plugins: { 'react-hooks': reactHooks },
      languageOptions: { globals: { ...globals.browser } },
      // The classic hook rules. The plugin's React Compiler rules (refs, set-state-in-effect, ...) check code
      // written for the compiler's automatic memoization; Hookwatch does not compile with it, and keeps the
      // latest-value-in-a-ref pattern on purpose (stream callbacks that must not resubscribe).
      rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
    },
    // Last: turn off every stylistic rule Prettier owns.
    prettierConfig,
  );
}

// Type-aware rules (typescript-eslint's recommendedTypeChecked) take minutes on a shared 2-core machine, so
// they are opt-in: HOOKWATCH_LINT_TYPED=1 npx eslint .
export default hookwatchConfig(import.meta.dirname, { typeChecked: process.env.HOOKWATCH_LINT_TYPED === '1' });
