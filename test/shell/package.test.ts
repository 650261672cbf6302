// The packaged app's file list, checked offline (docs/platform.md): scripts/check-package.mjs runs
// electron-builder --dir --linux against a stub Electron into a temp folder and inspects app.asar and
// app.asar.unpacked. It packages what `npm run build` put in dist/ (about 5 to 15 s).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/harness.js';

describe('packaged file list', () => {
  // One packaging run (several seconds) for both tests.
  let r: SpawnSyncReturns<string>;
  let report: {
    error?: string;
    checks: Array<{ name: string; ok: boolean; detail: string }>;
    ours: string[];
    unpacked: { files: string[] };
    fuses: unknown;
  };
  beforeAll(() => {
    r = spawnSync(process.execPath, [join(REPO, 'scripts/check-package.mjs'), '--json'], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
    report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
    if (report.error) throw new Error(report.error);
  }, 300_000);

  it('app.asar holds dist/main, dist/preload, dist/renderer and package.json, no tests or sources; the SQLite addon is unpacked', () => {
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed).toEqual([]);
    expect(r.status).toBe(0);
    expect(report.ours).toEqual(
      expect.arrayContaining(['/package.json', '/dist/main/shell/main.js', '/dist/preload/index.cjs', '/dist/renderer/index.html']),
    );
    expect(report.ours.some((f: string) => /^\/(test|bench)\//.test(f) || /\.(ts|tsx|cts|map)$/.test(f))).toBe(false);
    expect(report.unpacked.files).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  });

  it('Electron is a stub here: the hardening fuses of electron-builder.yml are flipped in the packaged binary', () => {
    expect(report.fuses).toEqual({
      RunAsNode: { want: 'DISABLE', got: 'DISABLE' },
      EnableCookieEncryption: { want: 'ENABLE', got: 'ENABLE' },
      EnableNodeOptionsEnvironmentVariable: { want: 'DISABLE', got: 'DISABLE' },
      EnableNodeCliInspectArguments: { want: 'DISABLE', got: 'DISABLE' },
      EnableEmbeddedAsarIntegrityValidation: { want: 'ENABLE', got: 'ENABLE' },
      OnlyLoadAppFromAsar: { want: 'ENABLE', got: 'ENABLE' },
      GrantFileProtocolExtraPrivileges: { want: 'DISABLE', got: 'DISABLE' },
    });
  });
});
