// The CLI's `status` exit codes (all well, a number down, the tunnel down), tables at 80 columns, per-command help and bad values.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HookwatchStore } from '../../main/core/store/store.js';
import type { AccountStatus } from '../../main/core/store/accounts.js';
import { runHookwatch, tempDir } from '../support/harness.js';

const account = (key: string, state: AccountStatus['state'], since: number): AccountStatus => ({
  key,
  phone: key,
  accountId: null,
  name: `Sales line ${key} with a rather long display name`,
  state,
  since,
  downSince: state === 'connected' ? null : since,
  lastEvent: null,
  source: 'api',
  history: [],
});

function folder(setup: (s: HookwatchStore) => void): string {
  const t = tempDir();
  dirs.push(t);
  const store = HookwatchStore.open(join(t.dir, 'hookwatch.sqlite3'));
  try {
    setup(store);
  } finally {
    store.close();
  }
  return t.dir;
}
const dirs: Array<{ cleanup: () => void }> = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

describe('hookwatch status', () => {
  const now = Date.now();

  it('exits 0 when every number is connected and the tunnel is up', async () => {
    const dir = folder((s) => {
      s.saveAccounts([account('+15555550101', 'connected', now - 60_000), account('+15555550102', 'connected', now - 60_000)], []);
      s.recordTunnelState({ at: now - 1000, state: 'up', url: 'https://x.loca.lt', reason: null });
    });
    const r = await runHookwatch(['status', '--data', dir]);
    expect(r.stdout).toContain('OK: all 2 numbers connected');
    expect(r.code).toBe(0);
  });

  it('exits 1 with a number down, and says which since when (also as JSON)', async () => {
    const dir = folder((s) =>
      s.saveAccounts([account('+15555550101', 'connected', now), account('+15555550102', 'disconnected', now - 3_600_000)], []),
    );
    const r = await runHookwatch(['status', '--data', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('DOWN: 1 of 2 connected, 1 down');
    expect(r.stdout).toContain('+15555550102) disconnected since');
    const j = await runHookwatch(['status', '--data', dir, '--format', 'json']);
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.level).toBe('down');
    expect(parsed.parts.find((p: { kind: string }) => p.kind === 'account').link).toEqual({ screen: 'accounts', key: '+15555550102' });
  });

  it('exits 1 with the tunnel down even when every number is connected', async () => {
    const dir = folder((s) => {
      s.saveAccounts([account('+15555550101', 'connected', now)], []);
      s.recordTunnelState({ at: now - 5000, state: 'down', url: null, reason: 'connection refused' });
    });
    const r = await runHookwatch(['status', '--data', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('tunnel down');
  });

  it('exits 2 when it cannot tell (no number seen, or no data folder)', async () => {
    const empty = folder(() => {});
    expect((await runHookwatch(['status', '--data', empty])).code).toBe(2);
    expect((await runHookwatch(['status', '--data', join(empty, 'missing')])).code).toBe(2);
  });
});

describe('the CLI at 80 columns', () => {
  it('never prints a table line wider than the terminal', async () => {
    const dir = folder((s) => {
      s.seedSyntheticMessages(30);
      s.saveAccounts([account('+15555550101', 'connected', Date.now()), account('+15555550102', 'suspended', Date.now())], []);
    });
    for (const cmd of ['events', 'deliveries', 'accounts', 'alerts']) {
      const r = await runHookwatch([cmd, '--data', dir], { COLUMNS: '80' });
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
      for (const line of r.stdout.split('\n')) expect(line.length, `${cmd}: ${line}`).toBeLessThanOrEqual(80);
    }
    const wide = await runHookwatch(['events', '--data', dir], { COLUMNS: '200' });
    expect(Math.max(...wide.stdout.split('\n').map((l) => l.length))).toBeGreaterThan(80);
  });

  it('describes each command’s own flags with --help', async () => {
    const r = await runHookwatch(['events', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hookwatch events: /);
    expect(r.stdout).toContain('--follow');
    expect(r.stdout).not.toContain('hookwatch serve');
  });

  it('says what is allowed for a bad value', async () => {
    const r = await runHookwatch(['events', '--limit', '-5', '--data', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--limit must be a whole number from 1 to 1000000, got '-5'");
    const f = await runHookwatch(['status', '--format', 'xml']);
    expect(f.stderr).toContain("--format must be text, json; got 'xml'");
  });
});

describe('the dashboard’s stable address', () => {
  it('`open` prints the same URL every time (port 8790, kept token), never failing without a desktop; rotating changes it', async () => {
    const dir = folder(() => {});
    const env = { DISPLAY: '', WAYLAND_DISPLAY: '' };
    const a = await runHookwatch(['open', '--data', dir], env);
    const b = await runHookwatch(['open', '--data', dir], env);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^http:\/\/127\.0\.0\.1:8790\/\?token=[\w-]{40,}\n$/);
    expect(b.stdout).toBe(a.stdout);
    const r = await runHookwatch(['dashboard', '--data', dir, '--rotate-token', '--port', '8899'], env);
    expect(r.code).toBe(0);
    const c = await runHookwatch(['open', '--data', dir], env);
    expect(c.stdout).toMatch(/^http:\/\/127\.0\.0\.1:8899\//);
    expect(c.stdout.split('token=')[1]).not.toBe(a.stdout.split('token=')[1]);
  });
});
