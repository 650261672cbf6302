import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HookwatchCore } from '../../main/core/core.js';
import { normalizeBody } from '../../main/core/providers/registry.js';
import { fixturePayloads, postJson, runHookwatch, spawnServe, tempDir } from '../support/harness.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const fixture = (name: string) => fixturePayloads().find((p) => p.name === name)!.body;
const delivery = (body: string) => ({
  receivedAt: Date.now(),
  method: 'POST',
  path: '/hooks/{secret}',
  forcedProvider: null,
  remoteAddr: null,
  status: 200,
  reason: null,
  latencyMs: 0,
  size: body.length,
  contentType: 'application/json',
  headers: {},
  body: Buffer.from(body),
  bodyTruncated: false,
});

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('outage alerts through hookwatch serve', () => {
  const tmp = tempDir();
  let serve: Awaited<ReturnType<typeof spawnServe>>;
  beforeAll(async () => {
    serve = await spawnServe(['--data', tmp.dir, '--port', '0', '--no-tunnel']);
  });
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await new Promise((r) => serve.child.once('exit', r));
    tmp.cleanup();
  });

  it('a disconnect prints one critical alert line, shows on the accounts board, and recovery says how long it was down', async () => {
    const down = await postJson(serve.url, fixture('tl_account_disconnected.json'));
    expect(down.status).toBe(200);
    await waitFor(() => /alert: critical account-down/.test(serve.output()), 'the critical alert line');

    const board = await runHookwatch(['accounts', '--data', tmp.dir, '--format', 'json']);
    expect(board.code).toBe(0);
    const accounts = JSON.parse(board.stdout);
    expect(accounts).toEqual([
      expect.objectContaining({ phone: '+15555550100', name: 'Acme Support', state: 'disconnected', since: '2025-03-02T14:02:51.000Z' }),
    ]);

    const table = await runHookwatch(['accounts', '--data', tmp.dir]);
    expect(table.stdout).toMatch(/\+15555550100\s+Acme Support\s+disconnected\s+2025-03-02 14:02:51/);

    // The fixture reconnects at an earlier connected_on; a later time makes it a real recovery.
    const up = JSON.parse(fixture('tl_account_connected.json'));
    up.whatsapp_account.connected_on = '2025-03-02 14:40:51 +0000';
    expect((await postJson(serve.url, up)).status).toBe(200);
    await waitFor(() => /alert: recovery account-recovered/.test(serve.output()), 'the recovery alert line');
    expect(serve.output()).toMatch(/alert: recovery account-recovered: .*38 min/);

    // Every transition (`alerts` alone lists incidents: this outage is one, opened and resolved).
    const alerts = await runHookwatch(['alerts', '--data', tmp.dir, '--all', '--format', 'jsonl']);
    const rows = alerts.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.severity, r.kind, r.accountPhone])).toEqual([
      ['recovery', 'account-recovered', '+15555550100'],
      ['critical', 'account-down', '+15555550100'],
    ]);
    expect(rows[1].eventId).toBe(down.json.events[0].id);
    for (const r of rows) expect(r).toMatchObject({ title: expect.any(String), text: expect.any(String), at: expect.stringMatching(/Z$/) });
    const incidents = await runHookwatch(['alerts', '--data', tmp.dir, '--format', 'jsonl']);
    const inc = incidents.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(inc).toHaveLength(1);
    expect(inc[0]).toMatchObject({ kind: 'account', subject: '+15555550100', alerts: 2, resolvedAt: expect.stringMatching(/Z$/) });
  });

  it('a redelivered disconnect raises no second alert', async () => {
    const before = (serve.output().match(/^alert: /gm) ?? []).length;
    const body = JSON.parse(fixture('tl_account_disconnected.json'));
    body.whatsapp_account.phone = '+15555550777';
    body.whatsapp_account.id = '15555550777@s.whatsapp.net';
    await postJson(serve.url, body);
    await postJson(serve.url, body);
    await waitFor(() => (serve.output().match(/^alert: /gm) ?? []).length === before + 1, 'one alert');
    await new Promise((r) => setTimeout(r, 200));
    expect((serve.output().match(/^alert: /gm) ?? []).length).toBe(before + 1);
  });
});

describe('alerts across restarts', () => {
  let tmp = tempDir();
  afterEach(() => {
    tmp.cleanup();
    tmp = tempDir();
  });

  it('an account event committed just before a crash still raises its alert at the next start', async () => {
    const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    // Write the event the way the receiver does, but without the live notification: as if the process
    // died right after the commit.
    const body = fixture('tl_account_suspended.json');
    core.store.ingest(delivery(body), normalizeBody(JSON.parse(body)).events);
    expect(core.store.listAlerts()).toEqual([]);
    await core.stop();

    const again = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    expect(again.store.listAlerts().map((a) => [a.severity, a.kind])).toEqual([['critical', 'account-down']]);
    expect(again.alerts.accounts()[0]).toMatchObject({ phone: '+15555550100', state: 'suspended' });
    await again.stop();
  });

  it('the first start over an existing history learns the board without an alert storm', async () => {
    const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    await core.stop();
    // A database from before alerts existed: history present, no "last processed" mark.
    const { HookwatchStore } = await import('../../main/core/store/store.js');
    const store = HookwatchStore.open(`${tmp.dir}/hookwatch.sqlite3`);
    for (const name of ['tl_account_disconnected.json', 'tl_account_suspended.json']) {
      const body = fixture(name);
      store.ingest(delivery(body), normalizeBody(JSON.parse(body)).events);
    }
    store.rawForTests.prepare("DELETE FROM meta WHERE key = 'alerts_last_event_id'").run();
    store.rawForTests.prepare('DELETE FROM account_state').run();
    store.close();

    const again = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    expect(again.store.listAlerts()).toEqual([]);
    // The suspension carries no event time, so it is placed when received: after the 2025 disconnect.
    expect(again.alerts.accounts().map((a) => a.state)).toEqual(['suspended']);
    await again.stop();
  });
});

describe('hookwatch register', () => {
  const token = 'tl-test-token-0123456789';
  let standin: TimelinesStandIn;
  const tmp = tempDir();
  beforeAll(async () => {
    standin = await TimelinesStandIn.start({ token });
    const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', log: () => {} });
    await core.stop();
  });
  afterAll(async () => {
    await standin.close();
    tmp.cleanup();
  });

  const env = () => ({ HOOKWATCH_TIMELINES_TOKEN: token, HOOKWATCH_TIMELINES_API_URL: standin.baseUrl });

  it('creates one webhook per default event type, then finds nothing to change, and keeps their health', async () => {
    const first = await runHookwatch(['register', '--data', tmp.dir, '--public-url', 'https://hw-test.loca.lt'], env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.match(/^created\s/gm)).toHaveLength(6);
    expect(first.stdout).not.toMatch(/hooks\/[A-Za-z0-9_-]{20,}/); // the secret stays out of the output
    const second = await runHookwatch(['register', '--data', tmp.dir, '--public-url', 'https://hw-test.loca.lt'], env());
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/^created\s/m);
    expect(standin.violations).toEqual([]);
    const { HookwatchStore } = await import('../../main/core/store/store.js');
    const store = HookwatchStore.open(`${tmp.dir}/hookwatch.sqlite3`);
    expect(store.listProviderWebhooks()).toHaveLength(6);
    expect(store.listProviderWebhooks().every((w) => w.pointsAtCurrentUrl && w.enabled && w.errorsCounter === 0)).toBe(true);
    store.close();
  });

  it('a dry run changes nothing; a bad token is one clear line without the token', async () => {
    const before = standin.webhooks.size;
    const dry = await runHookwatch(['register', '--data', tmp.dir, '--dry-run', '--public-url', 'https://other.loca.lt'], env());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would register/m);
    expect(standin.webhooks.size).toBe(before);
    const bad = await runHookwatch(['register', '--data', tmp.dir, '--public-url', 'https://other.loca.lt'], {
      ...env(),
      HOOKWATCH_TIMELINES_TOKEN: 'wrong-token-abcdef',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/token/i);
    expect(bad.stderr).not.toContain('wrong-token-abcdef');
  });

  it('without a public URL or a token, says what to do', async () => {
    const empty = tempDir();
    await (await HookwatchCore.start({ dataDir: empty.dir, port: 0, log: () => {} })).stop();
    const noUrl = await runHookwatch(['register', '--data', empty.dir], env());
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/no public URL yet/);
    const noToken = await runHookwatch(['register', '--data', empty.dir, '--public-url', 'https://x.loca.lt'], {
      HOOKWATCH_TIMELINES_TOKEN: '',
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/set HOOKWATCH_TIMELINES_TOKEN/);
    expect(noToken.stdout).toMatch(/WhatsAble/);
    empty.cleanup();
  });
});

describe('account check with the TimelinesAI API', () => {
  it('learns account states from GET /whatsapp_accounts, alerts on a down account once, and says a bad token once', async () => {
    const { StaticTokenSource } = await import('../../main/core/providers/timelines/token-source.js');
    const standin = await TimelinesStandIn.start({ token: 'tl-poll-token-42' });
    const dir = tempDir();
    const logs: string[] = [];
    try {
      const core = await HookwatchCore.start({
        dataDir: dir.dir,
        port: 0,
        durability: 'normal',
        log: (l) => logs.push(l),
        timelines: { tokenSource: new StaticTokenSource('tl-poll-token-42'), baseUrl: standin.baseUrl },
      });
      await waitFor(() => core.alerts.accounts().length === 2, 'the first account check');
      expect(core.alerts.accounts().map((a) => [a.phone, a.state, a.source])).toEqual([
        ['+972502222222', 'disconnected', 'api'],
        ['+972501111111', 'connected', 'api'],
      ]);
      expect(core.store.listAlerts().map((a) => [a.kind, a.accountPhone])).toEqual([['account-down', '+972502222222']]);
      await core.stop();

      const wrong = await HookwatchCore.start({
        dataDir: dir.dir,
        port: 0,
        durability: 'normal',
        log: (l) => logs.push(l),
        timelines: { tokenSource: new StaticTokenSource('not-the-token'), baseUrl: standin.baseUrl },
      });
      await waitFor(() => logs.some((l) => /account check: .*token/i.test(l)), 'the token problem');
      expect(logs.join('\n')).not.toContain('not-the-token');
      await wrong.stop();
    } finally {
      await standin.close();
      dir.cleanup();
    }
  });
});
