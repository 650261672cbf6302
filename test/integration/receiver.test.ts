import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePayloads, postJson, REPO, startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
let base: string; // http://127.0.0.1:PORT
let secret: string;

beforeAll(async () => {
  env = await startCore();
  const u = new URL(env.url);
  base = `${u.protocol}//${u.host}`;
  secret = u.pathname.split('/')[2]!;
});
afterAll(() => env.stop());

function lastDelivery() {
  return env.core.store.listDeliveries({ limit: 1 })[0]!;
}

/** Sends raw bytes as an HTTP request and returns the raw answer. */
function rawHttp(bytes: Buffer | string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1');
    let out = '';
    sock.on('data', (d) => (out += d));
    sock.on('end', () => resolve(out));
    sock.on('close', () => resolve(out));
    sock.on('error', reject);
    sock.write(bytes);
    setTimeout(() => sock.end(), 300);
  });
}

describe('receiver: answers and the delivery log', () => {
  it('accepts a fixture with 200 only after it is in the database', async () => {
    const f = fixturePayloads().find((p) => p.name === 'tl_account_disconnected.json')!;
    const res = await postJson(env.url, f.body);
    expect(res.status).toBe(200);
    expect(res.json.ok).toBe(true);
    const id = res.json.events[0].id as number;
    const stored = env.core.store.getEvent(id)!;
    expect(stored.type).toBe('whatsapp:account:disconnected');
    expect(stored.request.body!.toString('utf8')).toBe(f.body);
    expect(lastDelivery()).toMatchObject({ status: 200, path: '/hooks/{secret}', eventType: 'whatsapp:account:disconnected' });
  });

  const huge = '{"a":"' + 'x'.repeat(6 * 1024 * 1024) + '"}';
  const deep = '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
  const cases: Array<{ name: string; body: string | Buffer; status: number; reason: RegExp }> = [
    { name: 'truncated JSON', body: '{"event_type":"message:new","chat":{', status: 400, reason: /not valid JSON/ },
    { name: 'a JSON array', body: '[{"event_type":"message:new"}]', status: 400, reason: /JSON array; expected an object/ },
    { name: 'a JSON string', body: '"hello"', status: 400, reason: /JSON string; expected an object/ },
    { name: 'JSON null', body: 'null', status: 400, reason: /JSON null/ },
    { name: 'an empty body', body: '', status: 400, reason: /empty body/ },
    { name: 'a huge body', body: huge, status: 413, reason: /over the \d+ byte limit/ },
    { name: 'deep nesting', body: deep, status: 400, reason: /nested deeper than 64/ },
    {
      name: 'invalid UTF-8',
      body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      status: 400,
      reason: /not valid UTF-8/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with ${c.status}, a short reason, and logs it with its body`, async () => {
      const before = env.core.store.counts();
      const res = await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: c.body });
      const json = (await res.json()) as { ok: boolean; error: string };
      expect(res.status).toBe(c.status);
      expect(json.ok).toBe(false);
      expect(json.error).toMatch(c.reason);
      const d = lastDelivery();
      expect(d.status).toBe(c.status);
      expect(d.reason).toMatch(c.reason);
      expect(env.core.store.counts().events).toBe(before.events);
      expect(env.core.store.counts().deliveries).toBe(before.deliveries + 1);
      // The body is kept (capped) so nothing a provider sent vanishes without a trace.
      const kept = env.core.store.getDeliveryBody(d.id);
      const sent = Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body);
      if (sent.length > 0) expect(sent.subarray(0, kept!.length).equals(kept!)).toBe(true);
      if (sent.length > 64 * 1024) expect(d.bodyTruncated).toBe(true);
    });
  }

  it('answers a wrong secret and an unknown path alike with 404, and never logs the secret', async () => {
    const wrong = await postJson(`${base}/hooks/${secret.slice(0, -1)}x`, { event_type: 'message:new' });
    const unknown = await postJson(`${base}/elsewhere`, { event_type: 'message:new' });
    const badProvider = await postJson(`${env.url}/nosuchprovider`, { event_type: 'message:new' });
    for (const r of [wrong, unknown, badProvider]) {
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ ok: false, error: 'not found' });
    }
    const logged = env.core.store.listDeliveries({ limit: 3 });
    expect(logged.map((d) => d.status)).toEqual([404, 404, 404]);
    expect(logged.map((d) => d.path)).toEqual(['/hooks/{secret}/nosuchprovider', '/elsewhere', '/hooks/{wrong-secret}']);
    expect(JSON.stringify(env.core.store.listDeliveries({ limit: 1000 }))).not.toContain(secret);
  });

  it('accepts a body that starts with a UTF-8 byte-order mark, and keeps the bytes as sent', async () => {
    const f = fixturePayloads().find((p) => p.name === 'wa_incoming.json')!;
    const sent = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(f.body.replace('15555550123', '15555550777'))]);
    const res = await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent });
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { events: Array<{ id: number }> }).events[0]!.id;
    expect(env.core.store.getEvent(id)!.request.body!.equals(sent)).toBe(true);
    // A mark anywhere else is still a JSON error.
    const inside = await fetch(env.url, {
      method: 'POST',
      body: Buffer.concat([Buffer.from('{"a":1,'), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"b":2}')]),
    });
    expect(inside.status).toBe(400);
  });

  it('answers other methods with 405 and Allow: POST', async () => {
    const res = await fetch(env.url, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(lastDelivery()).toMatchObject({ status: 405, method: 'PUT' });
  });

  it('keeps credentials out of the logged headers but records that a signature was present', async () => {
    const body = fixturePayloads()
      .find((p) => p.name === 'wa_incoming.json')!
      .body.replace('15555550123', '15555550999');
    const res = await postJson(env.url, body, {
      authorization: 'Bearer sk-live-123',
      'x-webhook-signature': 'abc123',
      'x-forwarded-uri': `/hooks/${secret}`,
    });
    expect(res.status).toBe(200);
    const h = lastDelivery().headers;
    expect(h.authorization).toBeUndefined();
    expect(h['x-webhook-signature']).toBe('[present]');
    expect(h['x-forwarded-uri']).toBe('/hooks/{secret}');
  });

  it('answers garbage instead of HTTP with 400 and logs it', async () => {
    const before = env.core.store.counts().deliveries;
    const answer = await rawHttp('\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await new Promise((r) => setTimeout(r, 50));
    expect(env.core.store.counts().deliveries).toBe(before + 1);
    expect(lastDelivery()).toMatchObject({ status: 400, method: '?' });
    expect(lastDelivery().reason).toMatch(/malformed HTTP/);
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const answer = await rawHttp(
      `POST /hooks/${secret} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{"a":`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(lastDelivery()).toMatchObject({ status: 413, size: 999999999 });
  });

  it('stores an unrecognized shape as type unknown instead of dropping it', async () => {
    const res = await postJson(env.url, { hello: 'world', n: 1 });
    expect(res.status).toBe(200);
    const e = env.core.store.getEvent(res.json.events[0].id)!;
    expect(e).toMatchObject({ provider: 'unknown', type: 'unknown', shape: 'unknown' });
    expect(JSON.parse(e.request.body!.toString())).toEqual({ hello: 'world', n: 1 });
  });

  it('stores a redelivery once, counts it, and says so in the answer', async () => {
    const body = fixturePayloads().find((p) => p.name === 'tl_chat_assigned.json')!.body;
    const first = await postJson(env.url, body);
    // The same event re-serialized (other key order, whitespace) is still the same event.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(body)).reverse()), null, 2);
    const second = await postJson(env.url, reordered);
    expect(first.json.duplicate).toBe(false);
    expect(second.status).toBe(200);
    expect(second.json.duplicate).toBe(true);
    expect(second.json.events[0]).toMatchObject({ id: first.json.events[0].id, duplicate: true, deliveries: 2 });
    expect(env.core.store.getEvent(first.json.events[0].id)!.deliveryCount).toBe(2);
    expect(lastDelivery().duplicate).toBe(true);
  });

  it("keeps an idle connection open past Node's timers without writing anything into it", async () => {
    // Node >= 18 writes a 408 into idle sockets after headersTimeout; behind a tunnel that 408 becomes the
    // answer to a later POST. Our receiver turns those timers off; an idle socket must stay silent.
    const { port } = new URL(base);
    const received: string[] = [];
    const sock = connect(Number(port), '127.0.0.1');
    sock.on('data', (d) => received.push(d.toString()));
    await new Promise((r) => sock.once('connect', r));
    const srv = (env.core.receiver as unknown as { server: { headersTimeout: number; requestTimeout: number } }).server;
    expect(srv.headersTimeout).toBe(0);
    expect(srv.requestTimeout).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const body = fixturePayloads().find((p) => p.name === 'tl_account_resumed.json')!.body;
    const answer = await new Promise<string>((resolve) => {
      sock.write(
        `POST /hooks/${secret} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      sock.once('data', (d) => resolve(d.toString()));
    });
    expect(received.length).toBe(1);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    sock.destroy();
  });

  it('cuts off a client whose body stalls, logging it', async () => {
    const { core } = env;
    const receiver = core.receiver as unknown as { o: { bodyTimeoutMs: number } };
    const saved = receiver.o.bodyTimeoutMs;
    receiver.o.bodyTimeoutMs = 300;
    try {
      const answer = await new Promise<string>((resolve) => {
        const { port } = new URL(base);
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: `/hooks/${secret}`, headers: { 'content-length': 100 } });
        req.on('response', (res) => {
          let t = `${res.statusCode}`;
          res.on('data', (d) => (t += d));
          res.on('end', () => resolve(t));
        });
        req.on('error', () => resolve('error'));
        req.write('{"a":');
      });
      expect(answer).toMatch(/^408/);
      expect(lastDelivery()).toMatchObject({ status: 408 });
    } finally {
      receiver.o.bodyTimeoutMs = saved;
    }
  });
});

describe('receiver: what the delivery log may hold (security review)', () => {
  it('never stores the secret in a logged path, whatever shape the path has', async () => {
    for (const path of [
      `/hooks/${secret}/timelines/extra`,
      `/Hooks/${secret}`,
      `/prefix/hooks/${secret}`,
      `/hooks/${secret}x/y/z`,
      `/x?token=${secret}`,
    ]) {
      const res = await fetch(`${base}${path}`, { method: 'POST', body: '{}' });
      expect(res.status, path).toBe(404);
    }
    const logged = env.core.store.listDeliveries({ limit: 5 }).map((d) => d.path);
    expect(logged).toEqual(['/x', '/hooks/{secret}x/y/z', '/prefix/hooks/{secret}', '/Hooks/{secret}', '/hooks/{secret}/timelines/extra']);
    // A segment after /hooks/ that is not the secret may be a near miss of it: not kept either.
    await fetch(`${base}/hooks/${secret.slice(0, -2)}/a/b`, { method: 'POST', body: '{}' });
    expect(lastDelivery().path).toBe('/hooks/{redacted}/a/b');
    expect(JSON.stringify(env.core.store.listDeliveries({ limit: 1000 }))).not.toContain(secret);
  });

  it('keeps no raw bytes of a malformed request (its request line carries the secret, its headers credentials)', async () => {
    await rawHttp(`POST /hooks/${secret} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer SUPERSECRETTOKEN\r\nbad header line\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    const d = lastDelivery();
    expect(d).toMatchObject({ status: 400, method: '?' });
    expect(env.core.store.getDeliveryBody(d.id)).toBeNull();
  });

  it('keeps credential-like headers only as present', async () => {
    const body = fixturePayloads()
      .find((p) => p.name === 'wa_incoming.json')!
      .body.replace('15555550123', '15555550888');
    await postJson(env.url, body, {
      'x-access-token': 'tok-1',
      'x-webhook-secret': 'sec-1',
      'api-key': 'k-1',
      'user-agent': 'TimelinesAI',
    });
    const h = lastDelivery().headers;
    expect([h['x-access-token'], h['x-webhook-secret'], h['api-key'], h['user-agent']]).toEqual([
      '[present]',
      '[present]',
      '[present]',
      'TimelinesAI',
    ]);
  });

  it('stores an event type with control characters as unknown, keeping the name as sent', async () => {
    const res = await postJson(env.url, { event_type: 'message:\u001b]0;PWNED\u0007new', x: 1 });
    const e = env.core.store.getEvent(res.json.events[0].id)!;
    expect(e.type).toBe('unknown');
    expect(e.originalType).toBe('message:\u001b]0;PWNED\u0007new');
  });

  it('bounds what requests to unknown paths may store: 120 a minute with up to 4 KiB each, the rest counted', async () => {
    const before = env.core.store.counts().deliveries;
    const receiver = env.core.receiver as unknown as { notFound: { windowStart: number; logged: number; skipped: number } };
    receiver.notFound = { windowStart: Date.now(), logged: 0, skipped: 0 };
    const big = 'x'.repeat(10_000);
    for (let i = 0; i < 130; i++) expect((await fetch(`${base}/scan/${i}`, { method: 'POST', body: big })).status).toBe(404);
    expect(env.core.store.counts().deliveries - before).toBe(120);
    expect(env.core.store.getDeliveryBody(lastDelivery().id)!.length).toBe(4096);
    expect(receiver.notFound.skipped).toBe(10);
    // The next minute starts with a summary row of what was skipped.
    receiver.notFound.windowStart -= 60_000;
    await fetch(`${base}/scan/next`, { method: 'POST', body: '{}' });
    await new Promise((r) => setTimeout(r, 50));
    const rows = env.core.store.listDeliveries({ limit: 2 });
    expect(rows.map((r) => r.reason)).toContain(
      '10 more requests to unknown paths (or with a wrong secret) in this minute were answered 404 and not logged one by one',
    );
  });
});

describe('receiver: payload shapes beyond the main examples (test/fixtures/payloads-extra)', () => {
  const read = (name: string) => readFileSync(join(REPO, 'test/fixtures/payloads-extra', name), 'utf8');

  it.each<[string, Record<string, unknown>]>([
    [
      'tl_data_wrapper_jid.json',
      { provider: 'timelines', type: 'message:received:new', accountId: '15551234567@s.whatsapp.net', accountPhone: '+15551234567' },
    ],
    ['tl_chat_account_jid.json', { provider: 'timelines', type: 'chat:responsible:assigned', accountId: '15551234567@s.whatsapp.net' }],
    ['tl_message_v1_message_id.json', { provider: 'timelines', type: 'message:new', messageUid: 'ddfskhsd76dsfs6dsd5skjsdhf' }],
    ['wa_envelope.json', { provider: 'whatsable', shape: 'whatsable.envelope', type: 'message:received:new', chatPhone: '+14155552671' }],
    ['wa_with_event_type.json', { provider: 'whatsable', type: 'message:received:new', chatPhone: '+15555550124' }],
  ])("%s is stored as its provider's event, with the raw body kept as sent", async (name, want) => {
    const body = read(name);
    const res = await postJson(env.url, body);
    expect(res.status).toBe(200);
    const stored = env.core.store.getEvent(res.json.events[0].id as number)!;
    expect(stored).toMatchObject(want);
    expect(stored.request.body!.toString('utf8')).toBe(body);
  });
});
