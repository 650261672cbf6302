// The UI contract (main/contract) is a leaf: the renderer and the preload import it, and it imports nothing of Node, Electron or the core.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/harness.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|cts|mts)$/.test(name) ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^'"]*?\sfrom\s+['"]([^'"]+)['"]|(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g,
  )) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

describe('main/contract is a leaf', () => {
  it('imports only its own files: no node:, no electron, nothing from main/core', () => {
    const offenders: string[] = [];
    for (const f of files(join(REPO, 'main/contract'))) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        if (!/^\.\/[\w-]+\.js$/.test(s)) offenders.push(`${relative(REPO, f)} imports ${s}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the renderer and the preload reach main/ only through main/contract', () => {
    const offenders: string[] = [];
    for (const f of [...files(join(REPO, 'renderer/src')), join(REPO, 'preload/index.cts')]) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        if (/(^|\/)main\//.test(s) && !/(^|\/)main\/contract\//.test(s)) offenders.push(`${relative(REPO, f)} imports ${s}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the import scan above sees every form of import', () => {
    const src = [
      "import type { A } from 'node:fs';",
      "export { b } from '../core/x.js';",
      "export type * from './api.js';",
      "const e = await import('electron');",
      "import './side-effect.js';",
      'import {\n  c,\n  d,\n} from "../../main/core/api/service.js";',
    ].join('\n');
    expect(specifiers(src).sort()).toEqual([
      '../../main/core/api/service.js',
      '../core/x.js',
      './api.js',
      './side-effect.js',
      'electron',
      'node:fs',
    ]);
  });
});
