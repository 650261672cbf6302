import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/harness.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : /\.(ts|tsx|cts|mts)$/.test(name) ? [p] : [];
  });
}

const IMPORT_FROM = /(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g;
function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT_FROM)].map((m) => m[1]!);
}

const STORE = join(REPO, 'main/core/store');

describe('the store is the only way into the database', () => {
  it('store/ imports nothing from the layers above it (alerts, api, receiver, the core, the shell); the contract is a leaf it may use', () => {
    const offenders = tsFiles(STORE).flatMap((f) =>
      imports(f)
        .filter((spec) => spec.startsWith('.') && !spec.startsWith('./'))
        .filter((spec) => !/^\.\.\/(events|phone|json|time)\.js$/.test(spec) && !/^\.\.\/\.\.\/contract\/[a-z-]+\.js$/.test(spec))
        .map((spec) => `${relative(REPO, f)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('outside store/, no application or benchmark code opens SQLite or touches the raw connection', () => {
    const files = [...tsFiles(join(REPO, 'main')), ...tsFiles(join(REPO, 'bench'))].filter((f) => !f.startsWith(STORE + '/'));
    const offenders = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return imports(f).includes('better-sqlite3') || /\brawForTests\b/.test(text);
    });
    expect(offenders.map((f) => relative(REPO, f))).toEqual([]);
  });

  it('every table module reads rows through its hydrate function, not a cast', () => {
    // `as` after a query result (`.get(...) as X`, `.all(...) as X[]`) is the unchecked pattern this replaced.
    const offenders = tsFiles(STORE).filter((f) => /\.(get|all)\([^)]*\)\s+as\s/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(REPO, f))).toEqual([]);
  });
});
