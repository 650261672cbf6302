/**
 * The TimelinesAI client and webhook sync against a local stand-in of the Public API
 * (test/support/timelines-standin.ts) that validates every request against
 * public_api_spec.yaml. Real HTTP on 127.0.0.1; backoff sleeps are recorded, not waited.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_EVENT_TYPES } from '../../main/core/providers/timelines/event-types.js';
import { describeSyncReport, syncTimelinesWebhooks, type SyncTimelinesOptions } from '../../main/core/providers/timelines/sync.js';
import { TimelinesApiClient, type TimelinesApiClientOptions } from '../../main/core/providers/timelines/api.js';
import { TimelinesApiError } from '../../main/core/providers/timelines/errors.js';
import { EnvTokenSource, StaticTokenSource } from '../../main/core/providers/timelines/token-source.js';
import { databasePath } from '../../main/core/paths.js';
import { RequestRateLimiter } from '../../main/core/rate-limit.js';
import { RegistrationQueue, type RegistrationOutcome } from '../../main/core/registration-queue.js';
import { HookwatchStore } from '../../main/core/store/store.js';
import { runHookwatch, tempDir } from '../support/harness.js';
import { TimelinesStandIn } from '../support/timelines-standin.js';

const TOKEN = 'tl-4d2d0239-e28c-4f4a-8a4d-3a3ca40056b8';
const SECRET = 'c2VjcmV0LWZvci1ob29rd2F0Y2gtdGVzdHMtMDEyMzQ1Ng';
const PUBLIC_A = 'https://quiet-fox-12.loca.lt';
const PUBLIC_B = 'https://brave-lynx-77.loca.lt';
const TARGET_A = `${PUBLIC_A}/hooks/${SECRET}`;
const TARGET_B = `${PUBLIC_B}/hooks/${SECRET}`;

let api: TimelinesStandIn;
let sleeps: number[];
let logLines: string[];

beforeEach(async () => {
  api = await TimelinesStandIn.start({ token: TOKEN });
  sleeps = [];
  logLines = [];
});

afterEach(async () => {
  await api.close();
  // Whatever a test did, nothing we sent broke the spec, and the stand-in kept to it too.
  expect(api.violations).toEqual([]);
  expect(api.responseViolations).toEqual([]);
});

function client(options: Partial<TimelinesApiClientOptions> = {}): TimelinesApiClient {
  return new TimelinesApiClient({
    tokenSource: new StaticTokenSource(TOKEN),
    baseUrl: api.baseUrl,
    timeoutMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    log: (line) => logLines.push(line),
    ...options,
  });
}

function sync(c: TimelinesApiClient, options: Partial<SyncTimelinesOptions> = {}) {
  return syncTimelinesWebhooks(c, { publicUrl: PUBLIC_A, secret: SECRET, ...options });
}

async function caught(p: Promise<unknown>): Promise<TimelinesApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TimelinesApiError);
    return err as TimelinesApiError;
  }
  throw new Error('expected the call to fail');
}

/** The writes the stand-in handled (faulted requests excluded). */
function writes() {
  return api.requests.filter((r) => r.method !== 'GET' && r.fault === null);
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('the stand-in itself', () => {
  it('records requests that break the spec, so "zero violations" means something', async () => {
    const post = (path: string, body: string, method = 'POST', type = 'application/json') =>
      fetch(api.baseUrl + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type }, body });
    const bad = await post('/webhooks', JSON.stringify({ event_type: 'chat:assigned', url: 7, colour: 'red' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      status: 'error',
      error_code: 'validation_error',
      errors: expect.arrayContaining([{ fields: ['event_type'], msg: expect.any(String) }]),
    });
    await post('/webhooks', JSON.stringify({ url: 'https://a.example.com' }));
    await post('/webhooks/12', JSON.stringify({ enabled: 'yes' }), 'PUT');
    await post('/webhooks', '{not json');
    await post('/webhooks', JSON.stringify({ event_type: 'message:new', url: 'https://a.example.com' }), 'POST', 'text/plain');
    await post('/webhook', '{}');
    await fetch(api.baseUrl + '/webhooks/12', { method: 'DELETE', headers: { authorization: `Token ${TOKEN}` }, body: 'x' });
    const found = api.violations.join('\n');
    expect(found).toMatch(/POST \/webhooks: event_type must be equal to one of the allowed values/);
    expect(found).toMatch(/POST \/webhooks: url must be string/);
    expect(found).toMatch(/POST \/webhooks: colour must NOT have additional properties/);
    expect(found).toMatch(/POST \/webhooks: \(body\) must have required property 'event_type'/);
    expect(found).toMatch(/PUT \/webhooks\/\{webhook_id\}: enabled must be boolean/);
    expect(found).toMatch(/POST \/webhooks: body is not JSON/);
    expect(found).toMatch(/content-type 'text\/plain' instead of application\/json/);
    expect(found).toMatch(/POST \/webhook: not an operation of the spec/);
    expect(found).toMatch(/DELETE \/webhooks\/12: sends a body, but the spec defines none/);
    expect(found).toMatch(/Authorization is not 'Bearer <token>'/);
    expect(api.live()).toEqual([]);
    api.violations.length = 0;
  });

  it('answers a valid create as the spec says (checked against the response schema)', async () => {
    const res = await fetch(api.baseUrl + '/webhooks', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'message:new', url: 'https://a.example.com/x' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      data: { id: expect.any(Number), event_type: 'message:new', url: 'https://a.example.com/x', enabled: true, errors_counter: 0 },
    });
  });
});

describe('TimelinesApiClient', () => {
  it('creates, reads, updates (only the fields sent) and deletes a webhook', async () => {
    const c = client();
    const created = await c.createWebhook({ eventType: 'whatsapp:account:disconnected', url: TARGET_A });
    expect(created).toMatchObject({ eventType: 'whatsapp:account:disconnected', url: TARGET_A, enabled: true, errorsCounter: 0 });
    expect(await c.getWebhook(created.id)).toEqual(created);

    const disabled = await c.updateWebhook(created.id, { enabled: false });
    expect(disabled).toMatchObject({ id: created.id, url: TARGET_A, enabled: false });
    const put = api.requests.find((r) => r.method === 'PUT');
    expect(put?.body).toEqual({ enabled: false });

    const moved = await c.updateWebhook(created.id, { url: TARGET_B });
    expect(moved).toMatchObject({ url: TARGET_B, enabled: false });
    expect(api.requests.filter((r) => r.method === 'PUT').at(-1)?.body).toEqual({ url: TARGET_B });

    expect((await c.listWebhooks()).map((w) => w.id)).toEqual([created.id]);
    await c.deleteWebhook(created.id);
    expect(await c.listWebhooks()).toEqual([]);
    const gone = await caught(c.getWebhook(created.id));
    expect(gone.kind).toBe('not-found');
    expect(gone.message).toMatch(/no longer exists.*run the sync again/);
  });

  it('create is idempotent on event type + URL: same id, no second webhook, a disabled one comes back enabled', async () => {
    const c = client();
    const first = await c.createWebhook({ eventType: 'chat:responsible:assigned', url: TARGET_A });
    const again = await c.createWebhook({ eventType: 'chat:responsible:assigned', url: TARGET_A });
    expect(again.id).toBe(first.id);
    expect(api.live()).toHaveLength(1);
    await c.updateWebhook(first.id, { enabled: false });
    const third = await c.createWebhook({ eventType: 'chat:responsible:assigned', url: TARGET_A });
    expect(third).toMatchObject({ id: first.id, enabled: true });
  });

  it('refuses old event names and bad URLs before sending anything', async () => {
    const c = client();
    const stale = await caught(c.createWebhook({ eventType: 'chat:assigned', url: TARGET_A }));
    expect(stale.kind).toBe('validation');
    expect(stale.message).toContain("use 'chat:responsible:assigned'");
    const bad = await caught(c.createWebhook({ eventType: 'message:new', url: 'ftp://example.com/x' }));
    expect(bad.message).toMatch(/must start with https:\/\//);
    expect(await caught(c.updateWebhook(1, {}))).toMatchObject({ kind: 'validation', code: 'nothing_to_update' });
    expect(await caught(c.getWebhook('12/../x'))).toMatchObject({ kind: 'validation', code: 'invalid_id' });
    expect(api.requests).toEqual([]);
  });

  it('maps a validation_error from the API with its field errors', async () => {
    api.failNext({
      kind: 'custom',
      status: 400,
      body: JSON.stringify({
        status: 'error',
        message: 'Invalid URL',
        error_code: 'validation_error',
        errors: [{ fields: ['url'], msg: 'must be a valid http(s) URL' }],
      }),
    });
    const err = await caught(client().createWebhook({ eventType: 'message:new', url: TARGET_A }));
    expect(err).toMatchObject({ kind: 'validation', status: 400, code: 'validation_error' });
    expect(err.message).toContain('url: must be a valid http(s) URL');
    expect(err.fieldErrors).toEqual([{ fields: ['url'], msg: 'must be a valid http(s) URL' }]);
  });

  it('lists WhatsApp accounts, comparing the status case-insensitively', async () => {
    api.accounts.push({ ...api.accounts[0]!, id: '972503333333@s.whatsapp.net', status: 'PAUSED' });
    const accounts = await client().listWhatsappAccounts();
    expect(accounts.map((a) => [a.id, a.status, a.statusAsSent])).toEqual([
      ['972501111111@s.whatsapp.net', 'active', 'Active'],
      ['972502222222@s.whatsapp.net', 'disconnected', 'disconnected'],
      ['972503333333@s.whatsapp.net', 'unknown', 'PAUSED'],
    ]);
    expect(accounts[0]).toMatchObject({ phone: '+972501111111', ownerEmail: 'dana@example.com', accountName: 'Sales' });
  });

  it('reads the workspace API call quota', async () => {
    const ws = await client().getWorkspace();
    expect(ws.workspaceId).toBe('acme-inc');
    expect(ws.apiCallsQuota).toEqual({
      total: 100000,
      used: 1,
      periodStart: '2026-11-01 00:00:00 +0000',
      periodEnd: '2026-12-01 00:00:00 +0000',
    });
    expect(ws.seats).toBeNull();
  });

  it('reads the token owner’s teammate e-mail (GET /workspace/teammates/me)', async () => {
    api.teammateEmail = 'owner@example.com';
    expect(await client().getMyTeammate()).toEqual({ userId: 42, displayName: 'Dana Agent', email: 'owner@example.com' });
  });

  describe('errors a person can act on', () => {
    it('401 plain-text Unauthorized: the token was refused', async () => {
      const err = await caught(client({ tokenSource: new StaticTokenSource('wrong-token-value') }).listWebhooks());
      expect(err).toMatchObject({ kind: 'bad-token', status: 401, attempts: 1 });
      expect(err.message).toBe(
        'the TimelinesAI token was refused: create a new one in TimelinesAI > Integrations > Public API and paste it in Settings',
      );
      expect(api.requests).toHaveLength(1);
    });

    it('no token set: says where to set one and sends nothing', async () => {
      const err = await caught(client({ tokenSource: new EnvTokenSource({ HOOKWATCH_TIMELINES_TOKEN: '  ' }) }).listWebhooks());
      expect(err).toMatchObject({ kind: 'bad-token', code: 'missing_credentials' });
      expect(err.message).toMatch(
        /no TimelinesAI token is set \(environment variable HOOKWATCH_TIMELINES_TOKEN\).*Integrations > Public API/,
      );
      expect(api.requests).toEqual([]);
    });

    it('the env token source reads the variable at each call', async () => {
      const env: NodeJS.ProcessEnv = {};
      const c = client({ tokenSource: new EnvTokenSource(env) });
      expect((await caught(c.listWebhooks())).code).toBe('missing_credentials');
      env['HOOKWATCH_TIMELINES_TOKEN'] = `${TOKEN}\n`;
      expect(await c.listWebhooks()).toEqual([]);
    });

    it.each([
      ['permission_denied', 'permission', /may not do GET \/webhooks.*owner or admin/],
      ['insufficient_scope', 'permission', /lacks the scope/],
      ['plan_feature_unavailable', 'permission', /plan does not include/],
      ['quota_exceeded', 'quota', /used up its quota.*next period/],
    ] as const)('403 %s -> %s', async (code, kind, message) => {
      api.failNext({ kind: 'custom', status: 403, body: JSON.stringify({ status: 'error', message: 'Forbidden', error_code: code }) });
      const err = await caught(client().listWebhooks());
      expect(err).toMatchObject({ kind, status: 403, code, attempts: 1 });
      expect(err.message).toMatch(message);
    });

    it('429 then success: waits as long as Retry-After says, then gets the answer', async () => {
      api.seedWebhook({ event_type: 'message:new', url: 'https://other.example.com/x' });
      api.failNext({ kind: 'rate-limit', retryAfter: '3' });
      const list = await client().listWebhooks();
      expect(list).toHaveLength(1);
      expect(api.requests.map((r) => r.status)).toEqual([429, 200]);
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThanOrEqual(3000);
      expect(sleeps[0]).toBeLessThan(3300);
      expect(logLines.join('\n')).toMatch(/GET \/webhooks 429, retry 1 of 3 in 3\.\d s/);
    });

    it('429 without Retry-After backs off exponentially with jitter, then reports rate-limited', async () => {
      api.failNext({ kind: 'rate-limit' }, 4);
      const err = await caught(client().listWebhooks());
      expect(err).toMatchObject({ kind: 'rate-limited', status: 429, code: 'rate_limit_exceeded', attempts: 4 });
      expect(err.message).toMatch(/limiting requests \(30 per second per IP address\) and still refused after 4 attempts: try again/);
      // random() = 0.5: half the step plus a quarter of it.
      expect(sleeps).toEqual([375, 750, 1500]);
      expect(api.requests).toHaveLength(4);
    });

    it('a Retry-After longer than the client will wait fails at once and says when to retry', async () => {
      api.failNext({ kind: 'rate-limit', retryAfter: '600' });
      const err = await caught(client().listWebhooks());
      expect(err).toMatchObject({ kind: 'rate-limited', attempts: 1, retryAfterMs: 600_000 });
      // The shared wording of main/core/time.ts formatMs (the tunnel's too): minutes from a minute on.
      expect(err.message).toContain('try again in 10 min');
      expect(sleeps).toEqual([]);
    });

    it('a 429 that means the monthly quota is not retried', async () => {
      api.failNext({ kind: 'rate-limit', body: { error: 'quota_exceeded', message: 'API calls quota exceeded' } });
      const err = await caught(client().listWebhooks());
      expect(err).toMatchObject({ kind: 'quota', status: 429, attempts: 1 });
      expect(api.requests).toHaveLength(1);
    });

    it('500 is retried, and a 500 that persists is reported after the last attempt', async () => {
      api.failNext({ kind: 'server' }, 2);
      expect(await client().listWebhooks()).toEqual([]);
      expect(api.requests.map((r) => r.status)).toEqual([500, 500, 200]);

      api.requests.length = 0;
      sleeps.length = 0;
      api.failNext({ kind: 'server', status: 503 }, 4);
      const err = await caught(client().listWebhooks());
      expect(err).toMatchObject({ kind: 'server', status: 503, code: 'internal_error', attempts: 4 });
      expect(err.message).toMatch(/answered 503 to GET \/webhooks after 4 attempts.*try again later/);
      expect(api.requests).toHaveLength(4);
      expect(sleeps).toHaveLength(3);
    });

    it('a proxy error page (HTML 502) is a server error, not a crash', async () => {
      api.failNext({ kind: 'custom', status: 502, body: '<html><body>Bad Gateway</body></html>', contentType: 'text/html' }, 4);
      const err = await caught(client().listWebhooks());
      expect(err).toMatchObject({ kind: 'server', status: 502 });
    });

    it('network down (nothing listening on the port): retried, then reported as network', async () => {
      const port = await closedPort();
      const c = client({ baseUrl: `http://127.0.0.1:${port}/integrations/api` });
      const err = await caught(c.listWebhooks());
      expect(err).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', status: null, attempts: 4 });
      expect(err.message).toMatch(
        /could not reach TimelinesAI at 127\.0\.0\.1:\d+ \(ECONNREFUSED\) after 4 attempts: check this computer's internet connection/,
      );
      expect(sleeps).toEqual([375, 750, 1500]);
    });

    it('a reset connection is retried like any network failure', async () => {
      api.failNext({ kind: 'reset' });
      expect(await client().listWebhooks()).toEqual([]);
      expect(api.requests.map((r) => r.status)).toEqual([-1, 200]);
    });

    it('a slow answer times out per attempt', async () => {
      api.failNext({ kind: 'slow', delayMs: 3_000 }, 2);
      const err = await caught(client({ timeoutMs: 150, maxAttempts: 2 }).listWebhooks());
      expect(err).toMatchObject({ kind: 'timeout', status: null, attempts: 2 });
      expect(err.message).toMatch(/did not answer GET \/webhooks within 150 ms \(2 attempts\)/);
    });

    it('an answer in an unknown form is reported as unexpected', async () => {
      api.failNext({ kind: 'custom', status: 200, body: JSON.stringify({ status: 'ok', data: { items: [] } }) });
      const err = await caught(client().listWebhooks());
      expect(err.kind).toBe('unexpected');
      expect(err.message).toMatch(/in a form Hookwatch does not know.*needs an update/);
    });

    it('the token never appears in an error, its JSON, its inspection or a log line, however the call fails', async () => {
      const echo = (_status: number) =>
        JSON.stringify({
          status: 'error',
          message: `token ${TOKEN} rejected for https://x.loca.lt/hooks/${SECRET} (Authorization: Bearer ${TOKEN})`,
          error_code: 'validation_error',
          errors: [{ fields: ['url', TOKEN], msg: `bad value ${TOKEN} /hooks/${SECRET}` }],
        });
      const failures: [string, () => void, Partial<TimelinesApiClientOptions>?][] = [
        ['401 plain', () => {}, { tokenSource: new StaticTokenSource(`${TOKEN}-revoked`) }],
        ['401 json echo', () => api.failNext({ kind: 'custom', status: 401, body: echo(401) })],
        ['400 echo', () => api.failNext({ kind: 'custom', status: 400, body: echo(400) })],
        ['403 echo', () => api.failNext({ kind: 'custom', status: 403, body: echo(403).replace('validation_error', 'permission_denied') })],
        ['404 echo', () => api.failNext({ kind: 'custom', status: 404, body: echo(404).replace('validation_error', 'not_found') })],
        ['429 echo', () => api.failNext({ kind: 'rate-limit', body: { error: 'rate_limit_exceeded', message: `slow down ${TOKEN}` } }, 4)],
        [
          '500 echo',
          () => api.failNext({ kind: 'custom', status: 500, body: `Internal error for Bearer ${TOKEN}`, contentType: 'text/plain' }, 4),
        ],
        ['200 not JSON echo', () => api.failNext({ kind: 'custom', status: 200, body: `${TOKEN} oops`, contentType: 'text/plain' })],
        ['timeout', () => api.failNext({ kind: 'slow', delayMs: 3_000 }, 4), { timeoutMs: 100 }],
        ['reset', () => api.failNext({ kind: 'reset' }, 4)],
        ['token with a newline', () => {}, { tokenSource: new StaticTokenSource(`${TOKEN}\nX-Evil: 1`) }],
        [
          'token source throws',
          () => {},
          {
            tokenSource: {
              describe: 'keychain',
              getToken: async () => {
                throw new Error(`decrypt failed for ${TOKEN}`);
              },
            },
          },
        ],
      ];
      const port = await closedPort();
      failures.push(['network down', () => {}, { baseUrl: `http://127.0.0.1:${port}/integrations/api` }]);
      const kinds: string[] = [];
      for (const [name, arrange, options] of failures) {
        arrange();
        const err = await caught(client(options ?? {}).createWebhook({ eventType: 'message:new', url: TARGET_A }));
        kinds.push(err.kind);
        for (const text of [err.message, String(err), JSON.stringify(err), inspect(err, { depth: 5 }), err.stack ?? '']) {
          expect(text, name).not.toContain(TOKEN);
          expect(text, name).not.toContain(SECRET);
        }
      }
      expect(logLines.length).toBeGreaterThan(0);
      for (const line of logLines) {
        expect(line).not.toContain(TOKEN);
        expect(line).not.toContain(SECRET);
      }
      expect(new Set(kinds)).toEqual(
        new Set(['bad-token', 'validation', 'permission', 'not-found', 'rate-limited', 'server', 'unexpected', 'timeout', 'network']),
      );
      // The sources themselves keep the token out of sight too.
      expect(JSON.stringify(new StaticTokenSource(TOKEN))).not.toContain(TOKEN);
      expect(inspect(new StaticTokenSource(TOKEN))).not.toContain(TOKEN);
      expect(inspect(client(), { depth: 5 })).not.toContain(TOKEN);
    });
  });

  it('keeps under 30 requests/s with a burst of 10 (one kept as slack) on its own clock', async () => {
    let now = 1_000_000;
    const waits: number[] = [];
    const c = client({
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    const start = now;
    for (let i = 0; i < 25; i++) await c.listWebhooks();
    expect(api.requests).toHaveLength(25);
    // The first 9 go at once (the server's burst of 10 less one token of slack); each further one waits for its 1/30 s slot.
    expect(waits).toHaveLength(16);
    expect(now - start).toBeCloseTo((16 * 1000) / 30, 0);
  });

  it('the rate limiter books slots fairly for concurrent callers', async () => {
    let now = 0;
    const limiter = new RequestRateLimiter(
      30,
      10,
      () => now,
      async () => {},
    );
    const waits = await Promise.all(Array.from({ length: 12 }, () => limiter.take()));
    expect(waits.slice(0, 10).every((w) => w === 0)).toBe(true);
    expect(waits[10]).toBeCloseTo(1000 / 30, 5);
    expect(waits[11]).toBeCloseTo(2000 / 30, 5);
    now = 10_000;
    expect(await limiter.take()).toBe(0);
  });
});

describe('syncTimelinesWebhooks', () => {
  it('registers the default event types once, and a second run changes nothing', async () => {
    const c = client();
    const { report } = await sync(c);
    expect(report.changes.map((ch) => [ch.action, ch.eventType])).toEqual(DEFAULT_SYNC_EVENT_TYPES.map((t) => ['created', t]));
    expect(report.ok).toBe(true);
    expect(report.registered).toEqual([...DEFAULT_SYNC_EVENT_TYPES]);
    expect(api.live().map((w) => [w.event_type, w.url, w.enabled])).toEqual(DEFAULT_SYNC_EVENT_TYPES.map((t) => [t, TARGET_A, true]));

    const before = writes().length;
    const second = await sync(c);
    expect(second.report.changes.every((ch) => ch.action === 'unchanged')).toBe(true);
    expect(writes()).toHaveLength(before);
    expect(second.report.health.map((h) => h.errorsCounter)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a new public URL updates our webhooks in place (same ids, only the url sent)', async () => {
    const c = client();
    await sync(c);
    const ids = api.live().map((w) => w.id);
    const { report } = await sync(c, { publicUrl: PUBLIC_B });
    expect(report.changes.map((ch) => ch.action)).toEqual(Array(6).fill('updated'));
    expect(api.live().map((w) => w.id)).toEqual(ids);
    expect(api.live().every((w) => w.url === TARGET_B)).toBe(true);
    for (const put of api.calls('PUT', '/webhooks/')) expect(put.body).toEqual({ url: TARGET_B });
    expect(report.ok).toBe(true);
  });

  it('re-enables our disabled webhook and leaves its URL alone', async () => {
    const mine = api.seedWebhook({ event_type: 'whatsapp:account:disconnected', url: TARGET_A, enabled: false, errors_counter: 3 });
    const { report } = await sync(client(), { eventTypes: ['whatsapp:account:disconnected'] });
    expect(report.changes).toEqual([
      {
        action: 'enabled',
        eventType: 'whatsapp:account:disconnected',
        webhookId: mine.id,
        detail: 're-enabled (it was disabled)',
        error: null,
      },
    ]);
    expect(api.calls('PUT', '/webhooks/').map((r) => r.body)).toEqual([{ enabled: true }]);
    expect(api.webhooks.get(mine.id)).toMatchObject({ enabled: true, url: TARGET_A });
    expect(report.health).toEqual([
      {
        webhookId: mine.id,
        eventType: 'whatsapp:account:disconnected',
        enabled: true,
        errorsCounter: 3,
        pointsAtCurrentUrl: true,
        chosen: true,
      },
    ]);
  });

  it("leaves someone else's webhooks alone, even of the same types, and removes only our duplicates", async () => {
    const others = [
      api.seedWebhook({
        event_type: 'whatsapp:account:disconnected',
        url: 'https://hooks.zapier.com/hooks/catch/1/abc/',
        errors_counter: 12,
      }),
      api.seedWebhook({ event_type: 'chat:responsible:assigned', url: 'https://crm.example.com/tl', enabled: false }),
      api.seedWebhook({ event_type: 'message:new', url: `https://other.example.com/hooks/${SECRET}x` }),
    ];
    const snapshot = others.map((w) => ({ ...w }));
    const dupOld = api.seedWebhook({ event_type: 'chat:responsible:assigned', url: `https://old-tunnel.loca.lt/hooks/${SECRET}` });
    const dupCurrent = api.seedWebhook({ event_type: 'chat:responsible:assigned', url: TARGET_A });

    const { report } = await sync(client());
    for (const [i, w] of others.entries()) expect(api.webhooks.get(w.id)).toEqual(snapshot[i]);
    const touchedIds = api.requests.filter((r) => r.method !== 'GET').map((r) => r.path);
    for (const w of others) expect(touchedIds).not.toContain(`/webhooks/${w.id}`);
    expect(api.webhooks.get(dupOld.id)?.deleted).toBe(true);
    expect(report.changes.find((ch) => ch.action === 'removed')).toMatchObject({
      eventType: 'chat:responsible:assigned',
      webhookId: dupOld.id,
      detail: `duplicate of webhook ${dupCurrent.id}`,
    });
    expect(report.othersLeftAlone).toBe(3);
    expect(report.ok).toBe(true);
  });

  it('the 11th webhook is refused: the others still sync and the report says what to do', async () => {
    for (let i = 0; i < 5; i++) api.seedWebhook({ event_type: 'message:new', url: `https://other.example.com/${i}` });
    const { report } = await sync(client());
    const created = report.changes.filter((ch) => ch.action === 'created').map((ch) => ch.eventType);
    expect(created).toEqual(DEFAULT_SYNC_EVENT_TYPES.slice(0, 5));
    const failed = report.changes.filter((ch) => ch.action === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.eventType).toBe('chat:responsible:unassigned');
    expect(failed[0]!.error?.kind).toBe('webhook-limit');
    expect(failed[0]!.error?.message).toMatch(
      /reached its webhook limit \(10 by default\), so chat:responsible:unassigned was not registered: delete webhooks you no longer need in TimelinesAI > Integrations > Webhooks v2, or buy the add-on/,
    );
    expect(report.webhookLimitReached).toBe(true);
    expect(report.limitMessage).toMatch(
      /refused to register chat:responsible:unassigned: the workspace has reached its webhook limit \(10 by default; 5 of its webhooks are not Hookwatch's\)/,
    );
    expect(report.missing).toEqual(['chat:responsible:unassigned']);
    expect(report.ok).toBe(false);
    expect(api.live()).toHaveLength(10);
    const lines = describeSyncReport(report);
    expect(lines).toContain('incomplete: not registered: chat:responsible:unassigned');
  });

  it('the limit is recognised even when the API refuses with a vague validation error, and no further creates are tried', async () => {
    api.limitStyle = 'vague';
    for (let i = 0; i < 8; i++) api.seedWebhook({ event_type: 'message:new', url: `https://other.example.com/${i}` });
    const { report } = await sync(client());
    expect(report.changes.map((ch) => [ch.action, ch.error?.kind ?? null])).toEqual([
      ['created', null],
      ['created', null],
      ['failed', 'webhook-limit'],
      ['failed', 'webhook-limit'],
      ['failed', 'webhook-limit'],
      ['failed', 'webhook-limit'],
    ]);
    expect(api.calls('POST', '/webhooks')).toHaveLength(3);
    expect(report.missing).toEqual(DEFAULT_SYNC_EVENT_TYPES.slice(2));
  });

  it('the client alone maps the limit to webhook-limit', async () => {
    for (let i = 0; i < 10; i++) api.seedWebhook({ event_type: 'message:new', url: `https://other.example.com/${i}` });
    const err = await caught(client().createWebhook({ eventType: 'whatsapp:account:disconnected', url: TARGET_A }));
    expect(err).toMatchObject({ kind: 'webhook-limit', status: 403, code: 'quota_exceeded' });
  });

  it('a dry run changes nothing and describes the plan', async () => {
    const stale = api.seedWebhook({
      event_type: 'whatsapp:account:disconnected',
      url: `https://old.loca.lt/hooks/${SECRET}`,
      errors_counter: 7,
    });
    api.seedWebhook({ event_type: 'message:new', url: 'https://other.example.com/x' });
    const { report } = await sync(client(), { dryRun: true });
    expect(writes()).toEqual([]);
    const lines = describeSyncReport(report);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines[0]).toBe(`would register TimelinesAI webhooks at ${PUBLIC_A}/hooks/{secret}`);
    expect(lines).toContain(`update    whatsapp:account:disconnected (webhook ${stale.id}): URL changed to the current public URL`);
    expect(lines).toContain('create    chat:responsible:unassigned: new webhook');
    expect(lines).toContain('left      1 webhook of other integrations untouched');
    expect(lines).toContain(`health    whatsapp:account:disconnected (webhook ${stale.id}): 7 failed deliveries in a row`);
  });

  it('a webhook deleted by someone between list and update is recreated', async () => {
    api.seedWebhook({ event_type: 'whatsapp:account:suspended', url: `https://old.loca.lt/hooks/${SECRET}` });
    api.failNext(
      { kind: 'custom', status: 404, body: JSON.stringify({ status: 'error', message: 'Webhook not found', error_code: 'not_found' }) },
      1,
      { method: 'PUT' },
    );
    const { report } = await sync(client(), { eventTypes: ['whatsapp:account:suspended'] });
    expect(report.changes).toMatchObject([
      { action: 'created', eventType: 'whatsapp:account:suspended', detail: 'recreated: it was deleted meanwhile' },
    ]);
    expect(report.ok).toBe(true);
    expect(api.live().filter((w) => w.url === TARGET_A)).toHaveLength(1);
  });

  it('a 500 that persists on one create is reported, and the other types still sync', async () => {
    api.failNext({ kind: 'server' }, 4, { method: 'POST' });
    const { report } = await sync(client());
    expect(report.changes[0]).toMatchObject({ action: 'failed', eventType: DEFAULT_SYNC_EVENT_TYPES[0], error: { kind: 'server' } });
    expect(report.changes.slice(1).every((ch) => ch.action === 'created')).toBe(true);
    expect(report.missing).toEqual([DEFAULT_SYNC_EVENT_TYPES[0]]);
  });

  it('a refused token mid-way stops the sync: the remaining steps are skipped, not hammered', async () => {
    api.failNext({ kind: 'custom', status: 401, body: 'Unauthorized', contentType: 'text/plain' }, 1, { method: 'POST' });
    const { report } = await sync(client());
    expect(report.changes.map((ch) => ch.action)).toEqual(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(report.changes[0]!.error?.kind).toBe('bad-token');
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a failing list throws the client error; bad input throws before any call', async () => {
    const err = await caught(sync(client({ tokenSource: new StaticTokenSource('nope-nope') })));
    expect(err.kind).toBe('bad-token');
    api.requests.length = 0;
    await expect(sync(client(), { publicUrl: 'http://127.0.0.1:4747' })).rejects.toThrow(/cannot reach from the internet/);
    expect(api.requests).toEqual([]);
  });

  it('optional message events and a former secret after rotation', async () => {
    const oldSecret = 'b2xkLXNlY3JldC1iZWZvcmUtcm90YXRpb24tMDAwMDAw';
    const old = api.seedWebhook({ event_type: 'whatsapp:account:disconnected', url: `${PUBLIC_A}/hooks/${oldSecret}` });
    const { report } = await sync(client(), { eventTypes: ['whatsapp:account:disconnected', 'message:new'], formerSecrets: [oldSecret] });
    expect(report.changes.map((ch) => [ch.action, ch.eventType, ch.webhookId === old.id])).toEqual([
      ['updated', 'whatsapp:account:disconnected', true],
      ['created', 'message:new', false],
    ]);
    expect(api.webhooks.get(old.id)?.url).toBe(TARGET_A);
  });
});

describe('RegistrationQueue (the core and `hookwatch register` share it)', () => {
  function withStore() {
    const tmp = tempDir();
    const store = HookwatchStore.open(join(tmp.dir, 'hookwatch.db'), { durability: 'normal' });
    return { store, close: () => (store.close(), tmp.cleanup()) };
  }

  it('runs one sync at a time, in order: the latest URL is the one TimelinesAI keeps; every outcome is reported', async () => {
    const { store, close } = withStore();
    try {
      const outcomes: RegistrationOutcome[] = [];
      const health: number[] = [];
      const queue = new RegistrationQueue({
        client: client(),
        store,
        eventTypes: () => ['whatsapp:account:disconnected'],
        hasToken: async () => true,
        stopping: () => false,
        allowLocalUrl: false,
        onHealth: (h) => health.push(h.length),
        onOutcome: (o) => outcomes.push(o),
      });
      const [a, b] = await Promise.all([queue.enqueue(PUBLIC_A, true), queue.enqueue(PUBLIC_B, true)]);
      expect([a.ok, b.ok]).toEqual([true, true]);
      expect(outcomes.map((o) => o.url)).toEqual([PUBLIC_A, PUBLIC_B]);
      expect(health).toEqual([1, 1]);
      const secret = store.webhookSecret();
      expect(api.live().map((w) => w.url)).toEqual([`${PUBLIC_B}/hooks/${secret}`]);
      // What TimelinesAI said of our webhook is kept for the health view.
      expect(store.listProviderWebhooks()).toMatchObject([
        { provider: 'timelines', eventType: 'whatsapp:account:disconnected', pointsAtCurrentUrl: true, chosen: true },
      ]);
    } finally {
      close();
    }
  });

  it('an automatic run without a token ends quietly and sends nothing; a failure is an outcome, not a throw', async () => {
    const { store, close } = withStore();
    try {
      const outcomes: RegistrationOutcome[] = [];
      let token = false;
      const queue = new RegistrationQueue({
        client: client({ tokenSource: new StaticTokenSource(null) }),
        store,
        eventTypes: () => undefined,
        hasToken: async () => token,
        stopping: () => false,
        allowLocalUrl: false,
        onOutcome: (o) => outcomes.push(o),
      });
      expect(await queue.enqueue(PUBLIC_A, true)).toEqual({ ok: false, url: PUBLIC_A, error: 'no TimelinesAI token is set' });
      expect(outcomes).toEqual([]);
      expect(api.requests).toEqual([]);
      token = true; // the source still has none: the client refuses before sending
      const failed = await queue.enqueue(PUBLIC_A, false);
      expect(failed).toMatchObject({ ok: false, url: PUBLIC_A, error: expect.stringMatching(/^no TimelinesAI token is set \(/) });
      expect(outcomes).toEqual([failed]);
      expect(api.requests).toEqual([]);
    } finally {
      close();
    }
  });

  it('once stopping, queued runs end without calling the API', async () => {
    const { store, close } = withStore();
    try {
      const queue = new RegistrationQueue({
        client: client(),
        store,
        eventTypes: () => undefined,
        hasToken: async () => true,
        stopping: () => true,
        allowLocalUrl: false,
      });
      expect(await queue.enqueue(PUBLIC_A, false)).toEqual({ ok: false, url: PUBLIC_A, error: 'Hookwatch is stopping' });
      await queue.idle();
      expect(api.requests).toEqual([]);
    } finally {
      close();
    }
  });
});

describe('answers too long to be real (issue 13: V8 aborts near 2 GB and takes the receiver with it)', () => {
  /** The stand-in finishes recording once it stops writing (the client hung up, or it was all sent). */
  async function finished(path: string) {
    for (let i = 0; i < 500; i++) {
      const rec = api.requests.find((r) => r.path === path && r.fault === 'oversized');
      if (rec?.bytesSent !== undefined) return rec;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the stand-in never finished the oversized answer');
  }

  it('a list answer past 64 MiB fails the call, once, and the client stops reading it', async () => {
    api.seedWebhook({ event_type: 'whatsapp:account:disconnected', url: TARGET_A });
    const total = 100 * 1024 * 1024;
    api.failNext({ kind: 'oversized', bytes: total });
    const err = await caught(client().listWebhooks());
    expect(err).toMatchObject({ kind: 'unexpected', code: 'answer_too_large', method: 'GET', path: '/webhooks', attempts: 1 });
    expect(err.message).toMatch(/answer to GET \/webhooks was longer than 64 MiB.*check the API address in Settings/);
    expect(err.transient).toBe(false);
    expect(api.requests).toHaveLength(1);
    const rec = await finished('/webhooks');
    expect(rec.cut).toBe(true);
    expect(rec.bytesSent!).toBeLessThan(total);
  });

  it('a list gets more room than a single answer: 5 MiB lists read, a 5 MiB webhook is refused', async () => {
    const w = api.seedWebhook({ event_type: 'whatsapp:account:disconnected', url: TARGET_A });
    api.failNext({ kind: 'oversized', bytes: 5 * 1024 * 1024 });
    expect((await client().listWebhooks()).map((x) => x.id)).toEqual([w.id]);
    api.failNext({ kind: 'oversized', bytes: 5 * 1024 * 1024 });
    const err = await caught(client().getWebhook(w.id));
    expect(err).toMatchObject({ kind: 'unexpected', code: 'answer_too_large', path: `/webhooks/${w.id}` });
    expect(err.message).toMatch(/longer than 4 MiB/);
  });

  it('the caps can be set per client', async () => {
    const w = api.seedWebhook({ event_type: 'whatsapp:account:disconnected', url: TARGET_A });
    api.failNext({ kind: 'oversized', bytes: 300 * 1024 });
    const err = await caught(client({ maxAnswerBytes: 256 * 1024 }).getWebhook(w.id));
    expect(err).toMatchObject({ code: 'answer_too_large' });
    expect(err.message).toMatch(/longer than 256 KiB/);
  });
});

describe('the API address (issue 13: http:// would carry the token in clear)', () => {
  it.each([
    'http://api.example.com/integrations/api',
    'http://10.0.0.5:8080/api',
    'http://127.0.0.1.example.com/api',
    'http://[::ffff:7f00:1]/api',
  ])('refuses %s before anything is sent, saying what to do', (baseUrl) => {
    let thrown: unknown;
    try {
      client({ baseUrl });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TimelinesApiError);
    expect(thrown).toMatchObject({ kind: 'validation', code: 'insecure_base_url' });
    expect((thrown as Error).message).toMatch(/would send the token unencrypted: use https:\/\/.*only for this computer/);
    expect(api.requests).toEqual([]);
  });

  it.each([
    'http://127.0.0.1:1/api',
    'http://127.1.2.3/api',
    'http://localhost:8080/api',
    'http://[::1]:8080/api',
    'https://app.timelines.ai/integrations/api',
    'https://10.0.0.5/api',
  ])('accepts %s (https anywhere, http only on this computer)', (baseUrl) => {
    expect(client({ baseUrl }).baseUrl).toBe(baseUrl.replace(/\/$/, ''));
  });

  it('`hookwatch register` with HOOKWATCH_TIMELINES_API_URL=http://<remote> refuses with that message', async () => {
    const tmp = tempDir();
    try {
      HookwatchStore.open(databasePath(tmp.dir), { durability: 'normal' }).close();
      const r = await runHookwatch(['register', '--data', tmp.dir, '--public-url', PUBLIC_A], {
        HOOKWATCH_TIMELINES_TOKEN: TOKEN,
        HOOKWATCH_TIMELINES_API_URL: 'http://api.example.com/integrations/api',
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/http:\/\/api\.example\.com would send the token unencrypted/);
      expect(r.stderr + r.stdout).not.toContain(TOKEN);
    } finally {
      tmp.cleanup();
    }
  });
});
