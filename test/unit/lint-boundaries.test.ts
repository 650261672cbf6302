// The layer boundaries of eslint.config.js really fire: ESLint's Node API lints a tiny synthetic tree laid out like the repo.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../support/harness.js';

/** Each file's text, by its path relative to the synthetic root. */
const TREE: Record<string, string> = {
  // Legal: the contract is a leaf, the helpers use it, the renderer and the preload use its types.
  'main/contract/index.ts': 'export interface Thing { id: number }\nexport const THING_KINDS = ["a", "b"] as const;\n',
  'main/core/events.ts': "import type { Thing } from '../contract/index.js';\nexport const firstId = (t: Thing): number => t.id;\n",
  'main/core/phone.ts': 'export const plus = (digits: string): string => `+${digits}`;\n',
  'main/core/providers/good.ts':
    "import type { Thing } from '../../contract/index.js';\nimport { firstId } from '../events.js';\nimport { plus } from '../phone.js';\nexport const ok = (t: Thing): string => plus(String(firstId(t)));\n",
  'renderer/src/good.ts':
    "import { THING_KINDS, type Thing } from '../../main/contract/index.js';\nexport const kinds: readonly string[] = THING_KINDS;\nexport type Shown = Thing;\n",
  'preload/good.cts': "import type { Thing } from '../main/contract/index.js';\nexport type Forwarded = Thing;\n",

  // Illegal, one boundary each.
  'main/core/alerts/rules.ts': 'export const severity = 1;\n',
  'main/core/store/store.ts': "import { severity } from '../alerts/rules.js';\nexport const stored = severity;\n",
  'main/core/uses-electron.ts': "import { app } from 'electron';\nexport const name = app.name;\n",
  'main/shell/tray.ts': 'export const tray = 1;\n',
  'main/core/uses-shell.ts': "import { tray } from '../shell/tray.js';\nexport const t = tray;\n",
  'renderer/src/bad.ts': "import { firstId } from '../../main/core/events.js';\nexport const f = firstId;\n",
  'main/core/providers/bad.ts': "import { stored } from '../store/store.js';\nexport const s = stored;\n",
  'main/contract/bad.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'preload/bad.cts': "import { THING_KINDS } from '../main/contract/index.js';\nexport const k = THING_KINDS;\n",
  'main/core/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = (): number => b() + 1;\n",
  'main/core/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n",
};

let tmp: { dir: string; cleanup: () => void };
let results: Map<string, Linter.LintMessage[]>;

/** The rule ids reported for one synthetic file. */
const rules = (file: string): string[] => (results.get(file) ?? []).map((m) => m.ruleId ?? '(no rule)');

beforeAll(async () => {
  tmp = tempDir('hookwatch-lint-');
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(tmp.dir, file)), { recursive: true });
    writeFileSync(join(tmp.dir, file), text);
  }
  // The repo's own config, anchored at the synthetic root instead of the repo.
  const { hookwatchConfig } = (await import(pathToFileURL(join(REPO, 'eslint.config.js')).href)) as {
    hookwatchConfig: (root: string) => Linter.Config[];
  };
  const eslint = new ESLint({ cwd: tmp.dir, overrideConfigFile: true, overrideConfig: hookwatchConfig(tmp.dir) });
  const linted = await eslint.lintFiles(['.']);
  results = new Map(linted.map((r) => [relative(tmp.dir, r.filePath), r.messages]));
}, 60_000);

afterAll(() => tmp?.cleanup());

describe('lint boundaries (eslint.config.js)', () => {
  it('lints every synthetic file', () => {
    expect([...results.keys()].sort()).toEqual(Object.keys(TREE).sort());
  });

  it('lets legal imports through: contract types and values, the core helpers, other providers', () => {
    for (const file of [
      'main/contract/index.ts',
      'main/core/events.ts',
      'main/core/providers/good.ts',
      'renderer/src/good.ts',
      'preload/good.cts',
    ]) {
      expect(results.get(file), file).toEqual([]);
    }
  });

  it('stops the renderer from importing main/core', () => {
    expect(rules('renderer/src/bad.ts')).toEqual(['import-x/no-restricted-paths']);
  });

  it('stops the core from importing electron and the shell', () => {
    expect(rules('main/core/uses-electron.ts')).toContain('no-restricted-imports');
    expect(rules('main/core/uses-shell.ts')).toEqual(['import-x/no-restricted-paths']);
  });

  it('stops the store from importing alerts', () => {
    expect(rules('main/core/store/store.ts')).toEqual(['import-x/no-restricted-paths']);
  });

  it('keeps providers to the contract and the small helpers', () => {
    expect(rules('main/core/providers/bad.ts')).toEqual(['import-x/no-restricted-paths']);
  });

  it('keeps the contract free of Node modules', () => {
    expect(rules('main/contract/bad.ts')).toEqual(['no-restricted-imports']);
  });

  it('lets the preload take only types from the contract', () => {
    expect(rules('preload/bad.cts')).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('finds a two-file import cycle, from both ends', () => {
    expect(rules('main/core/cycle-a.ts')).toEqual(['import-x/no-cycle']);
    expect(rules('main/core/cycle-b.ts')).toEqual(['import-x/no-cycle']);
  });
});
