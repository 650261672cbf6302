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

describe('core and shell', () => {
  it('no module under main/core imports electron (the core runs and is tested without it)', () => {
    const offenders = tsFiles(join(REPO, 'main/core')).filter((f) =>
      /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:electron|electron\/[^'"]*|electron-store)['"]/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders.map((f) => relative(REPO, f))).toEqual([]);
  });

  it('the check above really detects an electron import', () => {
    const pattern = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:electron|electron\/[^'"]*|electron-store)['"]/;
    expect(pattern.test("import { app } from 'electron';")).toBe(true);
    expect(pattern.test('const { app } = require("electron")')).toBe(true);
    expect(pattern.test("await import('electron')")).toBe(true);
    expect(pattern.test("import Store from 'electron-store';")).toBe(true);
    expect(pattern.test("import { x } from './electronic.js';")).toBe(false);
  });
});
