// The dashboard server over real HTTP on 127.0.0.1 (no browser): who is refused, the generic API route, the event stream, the page's headers.
import { request as httpRequest } from 'node:http';
import { describe, expect, test } from 'vitest';
import type {
  AccountsBoard,
  AlertsView,
  EventDetailView,
  EventPage,
  HealthReport,
  HookwatchNotification,
  SearchPage,
  TunnelStatus,
} from '../../main/contract/api.js';
import { createHookwatchService } from '../../main/core/api/create.js';
import type { TunnelSupervisorLike } from '../../main/core/api/ports.js';
import type { TunnelSupervisor } from '../../main/core/tunnel/supervisor.js';
import { fixturePayloads, postJson } from '../support/harness.js';
import { useDashboard } from './support.js';

/**
 * The dashboard server over real HTTP on 127.0.0.1, with a real core and SQLite file behind it: who is
 * refused, the generic API route, the event stream, and the headers that keep the page locked down.
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

// File-wide (every describe below reads it); the page itself is fetched over HTTP, so no Chromium.
const dash = useDashboard({ batchMs: 20, browser: false, screenshots: false });

function api(method: string, args: unknown[], headers: Record<string, string> = {}) {
  return send(dash.stack.dashboard.port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { 'content-type': 'application/json', 'x-hookwatch-token': dash.stack.dashboard.token, ...headers },
    body: JSON.stringify(args),
  });
}

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const r = await api(method, args);
  expect(r.status, r.text).toBe(200);
  return JSON.parse(r.text) as T;
}

describe('who may ask', () => {
  test('the dashboard listens on 127.0.0.1 on a port of its own, not the receiver port', () => {
    expect(dash.stack.dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(dash.stack.dashboard.port).not.toBe(Number(new URL(dash.stack.receiverUrl).port));
  });

  test('the page without the token, or with a wrong one, is refused with 401 and says what to open', async () => {
    const none = await send(dash.stack.dashboard.port, { path: '/' });
    expect(none.status).toBe(401);
    expect(none.text).toMatch(/token/);
    const wrong = await send(dash.stack.dashboard.port, { path: '/?token=not-the-token' });
    expect(wrong.status).toBe(401);
    const ok = await send(dash.stack.dashboard.port, { path: `/?token=${dash.stack.dashboard.token}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<div id="root">');
  });

  test('API calls without the token header are refused with 401, even with the token in the URL', async () => {
    const none = await api('getSettings', [], { 'x-hookwatch-token': '' });
    expect(none.status).toBe(401);
    const inUrl = await send(dash.stack.dashboard.port, {
      method: 'POST',
      path: `/api/getSettings?token=${dash.stack.dashboard.token}`,
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(inUrl.status).toBe(401);
    const stream = await send(dash.stack.dashboard.port, { path: '/api/events-stream' });
    expect(stream.status).toBe(401);
  });

  test('another host name (DNS rebinding) or another origin is refused with 403 even with the token', async () => {
    const rebound = await api('getSettings', [], { host: `evil.example:${dash.stack.dashboard.port}` });
    expect(rebound.status).toBe(403);
    const otherOrigin = await api('getSettings', [], { origin: 'http://evil.example' });
    expect(otherOrigin.status).toBe(403);
    const otherPort = await api('getSettings', [], { origin: `http://127.0.0.1:${dash.stack.dashboard.port + 1}` });
    expect(otherPort.status).toBe(403);
    const crossSite = await api('getSettings', [], { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const assetFromElsewhere = await send(dash.stack.dashboard.port, { path: '/assets/x.js', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(assetFromElsewhere.status).toBe(403);
    const sameOrigin = await api('getSettings', [], {
      origin: `http://127.0.0.1:${dash.stack.dashboard.port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(sameOrigin.status).toBe(200);
  });

  test('the token never reaches the log', async () => {
    await api('noSuchMethod', []);
    await send(dash.stack.dashboard.port, { path: `/?token=${dash.stack.dashboard.token}` });
    expect(dash.stack.logLines.join('\n')).not.toContain(dash.stack.dashboard.token);
  });
});

describe('headers', () => {
  test('pages carry a strict CSP and nosniff; API answers are never cached', async () => {
    const page = await send(dash.stack.dashboard.port, { path: `/?token=${dash.stack.dashboard.token}` });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    const answer = await api('getSettings', []);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  test('the built page has no inline script, so the CSP does not break it', async () => {
    const page = await send(dash.stack.dashboard.port, { path: `/?token=${dash.stack.dashboard.token}` });
    const scripts = [...page.text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) {
      expect(s[0]).toMatch(/\ssrc="\.\/assets\//);
      expect(s[1]!.trim()).toBe('');
    }
    const src = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.text)![1]!;
    const asset = await send(dash.stack.dashboard.port, { path: `/${src}` });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  test('paths outside the built renderer are not served', async () => {
    for (const path of [
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/package.json',
      '/assets/..%5c..%5cpackage.json',
    ]) {
      const r = await send(dash.stack.dashboard.port, { path });
      expect(r.status, path).toBe(404);
    }
  });
});

describe('the generic API route', () => {
  test('calls any contract method by name and refuses names outside the contract', async () => {
    const settings = await call<{ retention: { eventDays: number } }>('getSettings');
    expect(settings.retention.eventDays).toBe(90);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'noSuchMethod']) {
      const r = await api(name, []);
      expect(r.status, name).toBe(404);
      expect(JSON.parse(r.text).error.code).toBe('unknown-method');
    }
  });

  test('bad arguments get a 400 that says what was expected', async () => {
    const notArray = await send(dash.stack.dashboard.port, {
      method: 'POST',
      path: '/api/listEvents',
      headers: { 'content-type': 'application/json', 'x-hookwatch-token': dash.stack.dashboard.token },
      body: '{"limit":5}',
    });
    expect(notArray.status).toBe(400);
    expect(JSON.parse(notArray.text).error).toEqual({
      code: 'bad-input',
      method: 'listEvents',
      message: 'the arguments must be a JSON array of at most 4 values',
    });
    const badLimit = await api('listEvents', [{ limit: 'many' }]);
    expect(badLimit.status).toBe(400);
    // The reason alone is the message (a screen shows it as it is); the method is named beside it.
    const refused = JSON.parse(badLimit.text).error;
    expect(refused).toMatchObject({ code: 'bad-input', method: 'listEvents' });
    expect(refused.message).toMatch(/^limit must be a whole number from 1 to 1000/);
    const badGroup = await api('listEvents', [{ group: 'gossip' }]);
    expect(JSON.parse(badGroup.text).error.message).toMatch(/group must be one of message, chat/);
    const badRetention = await api('updateSettings', [{ retention: { eventDays: -1 } }]);
    expect(badRetention.status).toBe(400);
    const unknownSetting = await api('updateSettings', [{ theme: 'dark' }]);
    expect(JSON.parse(unknownSetting.text).error.message).toMatch(/unknown setting "theme"/);
    const badQuiet = await api('updateSettings', [{ notifications: { quietHours: { enabled: true, start: '25:00', end: '07:00' } } }]);
    expect(JSON.parse(badQuiet.text).error.message).toMatch(/quietHours.start must be a time like 22:00/);
    const notJson = await send(dash.stack.dashboard.port, {
      method: 'POST',
      path: '/api/getSettings',
      headers: { 'content-type': 'application/json', 'x-hookwatch-token': dash.stack.dashboard.token },
      body: '[',
    });
    expect(notJson.status).toBe(400);
    const plain = await send(dash.stack.dashboard.port, {
      method: 'POST',
      path: '/api/getSettings',
      headers: { 'content-type': 'text/plain', 'x-hookwatch-token': dash.stack.dashboard.token },
      body: '[]',
    });
    expect(plain.status).toBe(415);
    const get = await send(dash.stack.dashboard.port, {
      path: '/api/getSettings',
      headers: { 'x-hookwatch-token': dash.stack.dashboard.token },
    });
    expect(get.status).toBe(405);
  });
});

describe('events over HTTP and the notification stream', () => {
  test('fixtures posted to the receiver stream out as batched notifications and read back through the API', async () => {
    const seen: HookwatchNotification[] = [];
    const controller = new AbortController();
    const res = await fetch(`${dash.stack.dashboard.origin}/api/events-stream`, {
      headers: { 'x-hookwatch-token': dash.stack.dashboard.token },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const fixtures = fixturePayloads();
    const stored: number[] = [];
    for (const f of fixtures) {
      const r = await postJson(dash.stack.receiverUrl, f.body);
      expect(r.status, f.name).toBe(200);
      stored.push(...(r.json.events as Array<{ id: number }>).map((e) => e.id));
    }
    const rejected = await postJson(dash.stack.receiverUrl, '{not json');
    expect(rejected.status).toBe(400);
    // Bounded: stop once every fixture's event and both kinds of delivery were seen, or after 200 reads.
    for (let i = 0; i < 200; i++) {
      const events = seen.filter((n) => n.kind === 'events').flatMap((n) => (n.kind === 'events' ? n.data.events : []));
      const deliveries = seen.filter((n) => n.kind === 'deliveries').flatMap((n) => (n.kind === 'deliveries' ? n.data.deliveries : []));
      if (events.length >= stored.length && deliveries.some((d) => d.status === 400)) break;
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const kind = /^event: (\w+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (kind && data) seen.push({ kind, data: JSON.parse(data) } as HookwatchNotification);
      }
    }
    controller.abort();
    expect(seen[0]).toEqual({ kind: 'stream', data: { lastEventId: null } });
    const events = seen.flatMap((n) => (n.kind === 'events' ? n.data.events : []));
    expect(events.map((e) => e.id).sort((a, b) => a - b)).toEqual(stored.sort((a, b) => a - b));
    // Batched: twelve deliveries in quick succession arrive in fewer notifications than events.
    expect(seen.filter((n) => n.kind === 'events').length).toBeLessThan(events.length);
    const deliveries = seen.flatMap((n) => (n.kind === 'deliveries' ? n.data.deliveries : []));
    expect(deliveries.find((d) => d.status === 400)).toBeDefined();

    const page = await call<EventPage>('listEvents', { limit: 5 });
    expect(page.events).toHaveLength(5);
    expect(page.events[0]!.id).toBeGreaterThan(page.events[4]!.id);
    const older = await call<EventPage>('listEvents', { limit: 5, beforeId: page.nextBeforeId });
    expect(older.events[0]!.id).toBeLessThan(page.events[4]!.id);

    const search = await call<SearchPage>('searchEvents', 'today', {});
    expect(search.events).toHaveLength(1);
    expect(search.events[0]!.provider).toBe('whatsable');
    expect(search.terms).toEqual(['today']);

    const account = await call<EventPage>('listEvents', { account: '+1 555 555 0100' });
    expect(account.events.length).toBeGreaterThan(0);
    expect(account.events.every((e) => e.accountPhone === '+15555550100')).toBe(true);

    const message = (await call<EventPage>('listEvents', { type: 'message:new' })).events[0]!;
    const detail = await call<EventDetailView>('getEvent', message.id);
    expect(JSON.parse(detail.request.bodyText!)).toEqual(JSON.parse(fixtures.find((f) => f.name === 'tl_message_new.json')!.body));
    expect(detail.request.path).toBe('/hooks/{secret}');
    expect(JSON.stringify(detail)).not.toContain(new URL(dash.stack.receiverUrl).pathname.split('/')[2]);
    expect(await call<null>('getEvent', 999_999)).toBeNull();

    const health = await call<HealthReport>('getHealth');
    expect(health.total.rejected10d).toBe(1);
    expect(health.total.deliveries10d).toBe(fixtures.length + 1);
    const unknown = health.providers.find((p) => p.provider === 'unknown')!;
    expect(unknown.types.find((t) => t.eventType === null)!.rejectedShare).toBe(1);
    expect(unknown.types.find((t) => t.eventType === null)!.last!.status).toBe(400);
    expect(health.tunnel.available).toBe(false);
  });

  test('accounts and alerts come from the alerts feature, webhooks from what registration stored', async () => {
    const disconnect = JSON.parse(fixturePayloads().find((f) => f.name === 'tl_account_disconnected.json')!.body);
    disconnect.whatsapp_account.disconnected_on = new Date(Date.now() + 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' +0000');
    const [eventId] = (await postJson(dash.stack.receiverUrl, disconnect)).json.events.map((e: { id: number }) => e.id);
    const board = await call<AccountsBoard>('listAccounts');
    expect(board.tracking.available).toBe(true);
    const card = board.tracking.available ? board.tracking.accounts.find((a) => a.phone === '+15555550100')! : null;
    expect(card!.state).toBe('disconnected');
    expect(card!.outages7d.at(-1)!.to).toBeNull();
    const alerts = await call<AlertsView>('listAlerts', {});
    expect(alerts.available).toBe(true);
    const raised = alerts.available ? alerts.alerts.find((a) => a.eventId === eventId)! : null;
    expect(raised!.severity).toBe('critical');
    expect(await call('acknowledgeAlert', raised!.id)).toEqual({ ok: true });
    expect(await call('acknowledgeAlert', raised!.id)).toMatchObject({ ok: false });
    expect(await call('snoozeAlerts', Date.now() + 3_600_000)).toEqual({ ok: true });
    expect(dash.stack.core.alerts.settings().snoozedUntil).toBeGreaterThan(Date.now());
    expect(await call('snoozeAlerts', null)).toEqual({ ok: true });
    const health = await call<HealthReport>('getHealth');
    expect(health.webhooks).toEqual({ available: true, webhooks: [] });
  });

  test('the tunnel section reads the supervisor and the tunnel log; setup offers the public URL', async () => {
    // At compile time: the real supervisor has the shape the dashboard reads.
    const fits = (s: TunnelSupervisor): TunnelSupervisorLike => s;
    void fits;
    const now = Date.now();
    const url = 'https://quiet-otter-42.loca.lt';
    dash.stack.core.store.recordTunnelState({ at: now - 30 * 3_600_000, state: 'up', url, reason: null });
    dash.stack.core.store.recordTunnelState({ at: now - 6 * 3_600_000, state: 'down', url: null, reason: 'probe failed three times' });
    dash.stack.core.store.recordTunnelState({ at: now - 3 * 3_600_000, state: 'up', url, reason: null });
    const listeners = new Set<(c: { state: TunnelStatus['state']; url: string | null; at: number }) => void>();
    const supervisor: TunnelSupervisorLike = {
      current: { state: 'up', url, at: now - 3 * 3_600_000 },
      onStateChange: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const service = createHookwatchService(dash.stack.core, { tunnelSupervisor: supervisor, warmHealthAfterMs: null });
    try {
      const health = await service.api.getHealth();
      expect(health.tunnel.available).toBe(true);
      const status = health.tunnel.available ? health.tunnel.status : null;
      expect(status).toMatchObject({ state: 'up', url, since: now - 3 * 3_600_000 });
      expect(status!.uptime24h).toBeCloseTo(21 / 24, 2);
      const setup = await service.api.getSetup();
      expect(setup.publicUrl).toBe(`${url}${dash.stack.core.receiver.webhookPath}`);
      expect(setup.providers[0]!.url).toBe(`${url}${dash.stack.core.receiver.webhookPath}/timelines`);
      const told: HookwatchNotification[] = [];
      service.subscribe((n) => told.push(n));
      for (const l of listeners) l({ state: 'down', url: null, at: now });
      // A subscriber is first told the newest stored event id, then what happens: the tunnel's change, and
      // the overall status as it now is (issue 11: the core pushes `status` whenever it changes).
      expect(told.map((n) => n.kind)).toEqual(['stream', 'tunnel', 'status']);
      expect(told[2]!.data).toEqual(await service.api.getStatus());
    } finally {
      service.close();
    }
  });

  test('exports carry the filter and defuse spreadsheet formulas', async () => {
    await postJson(dash.stack.receiverUrl, {
      event_type: 'message:new',
      chat: { full_name: 'Formula Person', chat_id: 99, phone: '+15555550199' },
      whatsapp_account: { full_name: 'Dana Owner', phone: '+15555550100' },
      message: {
        text: '=HYPERLINK("http://evil.example","click")',
        direction: 'received',
        timestamp: '2025-03-02 15:20:11 +0000',
        message_uid: 'formula-1',
      },
    });
    const csv = await call<{ content: string; rows: number; mimeType: string }>('exportEvents', { chat: '99' }, 'csv');
    expect(csv.rows).toBe(1);
    expect(csv.mimeType).toBe('text/csv');
    expect(csv.content).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    // Phone numbers are data, not formulas: the same export as `hookwatch events --format csv`.
    expect(csv.content).toContain(',+15555550199,');
    const jsonl = await call<{ content: string; rows: number }>('exportEvents', { provider: 'whatsable' }, 'jsonl');
    const lines = jsonl.content
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(jsonl.rows);
    expect(lines.every((l) => l.provider === 'whatsable')).toBe(true);
    const log = await call<{ content: string }>('exportDeliveryLog', 'txt');
    expect(log.content).toContain('/hooks/{secret}');
    expect(log.content).not.toContain(new URL(dash.stack.receiverUrl).pathname.split('/')[2]);
  });
});
