// Hub publisher + SQLite outbox against a real nats-server: ordered, deduplicated publishing, and nothing lost when the broker is killed -9.
import { describe, expect, it } from 'vitest';
import { hubTestBed, rawBody, readStream, streamCount } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const bed = hubTestBed();

describe.skipIf(!natsServerAvailable)('hub publisher with a real nats-server', () => {
  it('publishes every stored event once, in order, with the raw bytes, its content type and its key as the message id', async () => {
    const { nats, hub, publisher } = await bed.hubWithPublisher({ name: 'hookwatch-hub-test' });

    const ids: string[] = [];
    for (let n = 0; n < 50; n++) {
      ids.push(hub.ingest(n));
      publisher.notify();
    }
    // A redelivery of event 7 is stored as a duplicate and queues nothing.
    hub.ingest(7);
    ids.push(hub.accountChange('+15555550100', 'disconnected', 1_700_000_000_000));
    await eventually('outbox drained', () => publisher.status().backlog === 0 && publisher.status().published === 51);

    const msgs = await readStream(nats.url);
    expect(msgs.map((m) => m.msgId)).toEqual(ids);
    expect(msgs[3]!.subject).toBe('hookwatch.acme.event.message.received.new');
    expect(msgs[3]!.body.equals(rawBody(3))).toBe(true);
    expect(msgs[3]!.contentType).toBe('application/json; charset=utf-8');
    expect(msgs[3]!.record).toMatch(/^[\x20-\x7e]+$/); // ASCII only: the header block cannot be broken
    expect(JSON.parse(msgs[3]!.record).event.text).toBe('Grüße 3 👋');
    expect(msgs[50]!.subject).toBe('hookwatch.acme.account.disconnected');
    expect(JSON.parse(msgs[50]!.body.toString()).state).toBe('disconnected');
  });

  it('keeps storing while the broker is killed -9, shows the backlog, and sends everything once it is back', async () => {
    const { nats, hub, publisher } = await bed.hubWithPublisher({ publishTimeoutMs: 1000 });

    const ids: string[] = [];
    for (let n = 0; n < 100; n++) ids.push(hub.ingest(n));
    publisher.notify();
    await eventually('first 100 published', () => publisher.status().backlog === 0);

    await nats.kill9();
    // The receiver's path: store + queue in one transaction, never touching NATS; it keeps succeeding.
    for (let n = 100; n < 400; n++) {
      ids.push(hub.ingest(n));
      publisher.notify();
      if (n % 50 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(publisher.status().backlog).toBeGreaterThan(0);
    await eventually('publisher reports the outage', () => publisher.status().state === 'down');
    expect(publisher.status().lastError).toBeTruthy();

    await nats.startAgain();
    await eventually('backlog sent after the broker came back', () => publisher.status().backlog === 0, 30_000);
    await eventually('stream holds all 400', async () => (await streamCount(nats.url)) === 400);

    const msgs = await readStream(nats.url);
    expect(msgs.length).toBe(400);
    expect(new Set(msgs.map((m) => m.msgId)).size).toBe(400);
    expect(new Set(msgs.map((m) => m.msgId))).toEqual(new Set(ids));
    expect(publisher.status().state).toBe('up');
  });

  it('starts with the broker down and publishes once it appears', async () => {
    const dir = bed.tempDir();
    const nats = await bed.nats();
    await nats.stop();
    const hub = bed.hubStore(dir);
    for (let n = 0; n < 20; n++) hub.ingest(n);
    const { publisher } = bed.publisher(hub, nats.url);
    await new Promise((r) => setTimeout(r, 700));
    expect(publisher.status()).toMatchObject({ state: 'connecting', backlog: 20 });
    await nats.startAgain();
    await eventually('published after the broker started', () => publisher.status().backlog === 0, 30_000);
    expect(await streamCount(nats.url)).toBe(20);
  });
});
