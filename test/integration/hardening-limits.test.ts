// Bounds on what one request may cost the receiver: events per delivery, answer size, broken bodies, trailing garbage.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore } from '../support/harness.js';

let env: Awaited<ReturnType<typeof startCore>>;
let port: number;
let secret: string;

beforeAll(async () => {
  env = await startCore();
  port = env.core.receiver.port;
  secret = new URL(env.url).pathname.split('/')[2]!;
});
afterAll(() => env.stop());

const lastDelivery = () => env.core.store.listDeliveries({ limit: 1 })[0]!;

/** A TimelinesAI v1 bundle: one event per message. */
function v1Bundle(messages: number, tag: string): string {
  return JSON.stringify({
    whatsapp_account: { full_name: 'Owner', email: 'owner@example.com', phone: '+15555550100' },
    chat: { chat_id: 77, full_name: 'Customer', phone: '+15555550177' },
    messages: Array.from({ length: messages }, (_, i) => ({
      message_id: `${tag}-${i}`,
      timestamp: '2025-03-02 15:20:11 +0000',
      direction: i % 2 ? 'sent' : 'received',
      text: `message ${i}`,
    })),
    aggregation: '<b>bundle</b>',
  });
}

describe('receiver: events per delivery are bounded, answers stay small (real receiver, real SQLite)', () => {
  it('refuses a bundle over 10,000 events with 413 and the reason, keeping the whole body in the delivery log', async () => {
    const before = env.core.store.counts();
    const body = v1Bundle(10_001, 'over');
    const res = await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = (await res.json()) as { ok: boolean; error: string };
    expect(res.status).toBe(413);
    expect(json).toEqual({ ok: false, error: expect.stringMatching(/10001 events.*at most 10000/) });
    const d = lastDelivery();
    expect(d).toMatchObject({ status: 413, path: '/hooks/{secret}', bodyTruncated: false });
    expect(d.reason).toMatch(/10001 events.*at most 10000/);
    expect(env.core.store.getDeliveryBody(d.id)!.toString('utf8')).toBe(body);
    expect(env.core.store.counts().events).toBe(before.events);
  });

  it('accepts a bundle at the bound, answering with counts and a capped list rather than one entry per event', async () => {
    const body = v1Bundle(10_000, 'at');
    const res = await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await res.text();
    expect(res.status).toBe(200);
    const json = JSON.parse(text) as {
      ok: boolean;
      duplicate: boolean;
      eventCount: number;
      duplicates: number;
      events: unknown[];
      eventsListed: number;
    };
    expect(json).toMatchObject({ ok: true, duplicate: false, eventCount: 10_000, duplicates: 0, eventsListed: 100 });
    expect(json.events).toHaveLength(100);
    expect(text.length).toBeLessThan(16 * 1024);
    expect(env.core.store.listEvents({ search: 'message', limit: 5 }).length).toBeGreaterThan(0);
  });

  it('takes the bound from the receiver option', async () => {
    const receiver = env.core.receiver as unknown as { o: { maxEventsPerDelivery: number } };
    const saved = receiver.o.maxEventsPerDelivery;
    expect(saved).toBe(10_000);
    receiver.o.maxEventsPerDelivery = 3;
    try {
      const res = await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: v1Bundle(4, 'opt') });
      expect(res.status).toBe(413);
      expect(lastDelivery().reason).toMatch(/4 events.*at most 3/);
      const ok = await fetch(env.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: v1Bundle(3, 'opt') });
      expect(ok.status).toBe(200);
    } finally {
      receiver.o.maxEventsPerDelivery = saved;
    }
  });
});

/** Writes raw bytes and collects everything until the server closes the connection. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let out = '';
    sock.on('data', (d) => (out += d));
    sock.on('close', () => resolve(out));
    sock.on('error', reject);
    sock.write(bytes);
    // The client does not close: the server must.
  });
}

describe('receiver: broken requests are answered at once (raw sockets)', () => {
  it('answers a broken chunked body 400 with the reason and logs it as malformed, not as slow', { timeout: 20_000 }, async () => {
    const answer = await rawExchange(
      `POST /hooks/${secret} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\nzz-not-a-size\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/malformed request body/);
    expect(answer).toMatch(/Connection: close/i);
    const d = lastDelivery();
    expect(d).toMatchObject({ status: 400, path: '/hooks/{secret}' });
    expect(d.reason).toMatch(/malformed request body \(HPE_INVALID_CHUNK_SIZE/);
    expect(d.reason).not.toMatch(/slow|within/);
  });

  it(
    'answers the request, then closes a connection that sent garbage after it, logging the garbage as malformed',
    { timeout: 20_000 },
    async () => {
      const before = env.core.store.counts().deliveries;
      const answer = await rawExchange(
        `POST /hooks/${secret} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n{"event_type":"x:garbage"}GARBAGE \u0001\u0002 not http\r\n\r\n`,
      );
      // The complete request keeps its 200; the connection is closed right after it.
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toMatch(/Connection: close/i);
      // The garbage's row is written beside the request's; wait for it (bounded by the test timeout).
      while (env.core.store.counts().deliveries - before < 2) await new Promise((r) => setTimeout(r, 20));
      const rows = env.core.store.listDeliveries({ limit: 2 });
      expect(env.core.store.counts().deliveries - before).toBe(2);
      expect(rows.map((r) => r.status).sort()).toEqual([200, 400]);
      const garbage = rows.find((r) => r.status === 400)!;
      expect(garbage.reason).toMatch(/malformed HTTP \(HPE_INVALID_METHOD\) after a complete request/);
      expect(env.core.store.getDeliveryBody(garbage.id)).toBeNull();
    },
  );
});
