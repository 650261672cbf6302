// A smoke test of the real desktop app with Playwright's `_electron`, for machines that have an Electron
// binary. Here (no binary: it is downloaded from GitHub on first use, and GitHub is not reachable) it
// skips with one line saying why. It never calls require('electron'), which would try that download.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postJson, REPO, tempDir } from '../support/harness.js';

/** The page's global, as these callbacks see it inside the renderer (the tests compile without DOM types). */
declare const window: Record<string, any>;

/** HOOKWATCH_ELECTRON_BINARY, else the binary `npm install electron` downloaded, else null. */
function electronBinary(): string | null {
  const explicit = process.env.HOOKWATCH_ELECTRON_BINARY;
  if (explicit) return existsSync(explicit) ? explicit : null;
  const pkg = join(REPO, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function whyNot(): string | null {
  const binary = electronBinary();
  if (!binary)
    return 'no Electron binary on this machine (Electron downloads it from GitHub on first start; set HOOKWATCH_ELECTRON_BINARY to use one)';
  // node_modules keeps better-sqlite3 on Node's ABI for the other tests; the app needs Electron's (docs/platform.md).
  const probe = spawnSync(binary, ['-e', "require('better-sqlite3')(':memory:').close()"], {
    cwd: REPO,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (probe.status !== 0)
    return 'better-sqlite3 is built for Node, not for this Electron (run `npm start` once to rebuild it for Electron, then this test)';
  return null;
}

const reason = whyNot();

describe('the desktop app in Electron', () => {
  if (reason) {
    it.skip(`Electron smoke test skipped: ${reason}`, () => {});
    return;
  }

  it('starts with a hardened window whose bridge reaches the core, and quits cleanly', async () => {
    const { _electron } = await import('playwright-core');
    const userData = tempDir('hookwatch-electron-');
    const app = await _electron.launch({
      executablePath: electronBinary()!,
      args: [REPO, `--user-data-dir=${userData.dir}`],
      env: { ...process.env, HOOKWATCH_PORT: '0', HOOKWATCH_TIMELINES_TOKEN: '' } as Record<string, string>,
      timeout: 60_000,
    });
    try {
      expect(await app.evaluate(({ app: a }) => a.getPath('userData'))).toBe(userData.dir);
      const win = await app.firstWindow();
      await win.waitForLoadState('domcontentloaded');
      expect(win.url()).toMatch(/^hookwatch:\/\/app\/index\.html/);

      const page = await win.evaluate(() => {
        const w = window;
        let evalResult = 'ran';
        try {
          eval('1');
        } catch (e) {
          evalResult = (e as Error).name;
        }
        return {
          bridge: Object.keys((w.hookwatch as object) ?? {}).sort(),
          require: typeof w.require,
          process: typeof w.process,
          evalResult,
        };
      });
      // Only the bridge; no Node; and the CSP forbids eval.
      expect(page).toEqual({ bridge: ['invoke', 'subscribe'], require: 'undefined', process: 'undefined', evalResult: 'EvalError' });

      const setup = (await win.evaluate(() => window.hookwatch.invoke('getSetup', []))) as { webhookUrl: string };
      expect(setup.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\//);
      const fixture = readFileSync(join(REPO, 'test/fixtures/payloads/tl_account_disconnected.json'), 'utf8');
      const posted = await postJson(setup.webhookUrl, fixture);
      expect(posted.status).toBe(200);
      const listed = (await win.evaluate(() => window.hookwatch.invoke('listEvents', [{}]))) as { events: Array<{ id: number }> };
      expect(listed.events.map((e) => e.id)).toContain(posted.json.events[0].id);
    } finally {
      await app.close();
      userData.cleanup();
    }
  }, 180_000);
});
