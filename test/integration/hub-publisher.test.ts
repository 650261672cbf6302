// Hub publisher + SQLite outbox against a real nats-server: ordered, deduplicated publishing, and nothing lost when the broker is killed -9.
import { jetstreamManager, jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink } from '../../main/core/hub/connection.js';
import { HDR } from '../../main/core/hub/encoding.js';
import { HubPublisher, storeOutbox } from '../../main/core/hub/publisher.js';
import { STREAM_NAME } from '../../main/core/hub/subjects.js';
import { tempDir } from '../support/harness.js';
import { NatsServer, eventually, natsServerAvailable, openHubStore, rawBody } from '../support/nats.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Every message in the stream, in order: subject, message id, headers we set, body bytes. */
async function readStream(url: string) {
  const nc = await connect({ servers: url.replace('nats://', '') });
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(STREAM_NAME);
    const c = await js.consumers.get(STREAM_NAME, { deliver_policy: DeliverPolicy.All });
    const out: Array<{ seq: number; subject: string; msgId: string; contentType: string; record: string; body: Buffer }> = [];
    while (out.length < state.messages) {
      const m = await c.next({ expires: 2000 });
      if (!m) break;
      out.push({
        seq: m.seq,
        subject: m.subject,
        msgId: m.headers?.get('Nats-Msg-Id') ?? '',
        contentType: m.headers?.get(HDR.contentType) ?? '',
        record: m.headers?.get(HDR.record) ?? '',
        body: Buffer.from(m.data),
      });
    }
    return out;
  } finally {
    await nc.close();
  }
}

async function streamCount(url: string): Promise<number> {
  const nc = await connect({ servers: url.replace('nats://', ''), reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(STREAM_NAME)).state.messages;
  } catch {
    return -1;
  } finally {
    await nc.close();
  }
}

describe.skipIf(!natsServerAvailable)('hub publisher with a real nats-server', () => {
  it('publishes every stored event once, in order, with the raw bytes, its content type and its key as the message id', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hub = openHubStore(join(tmp.dir, 'hub.sqlite'));
    cleanups.push(() => hub.close());
    const link = new HubLink({ url: nats.url, name: 'hookwatch-hub-test' });
    const publisher = new HubPublisher({ link, outbox: storeOutbox(hub.store, 'acme') });
    cleanups.push(() => link.close());
    cleanups.push(() => publisher.stop());
    publisher.start();

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
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hub = openHubStore(join(tmp.dir, 'hub.sqlite'));
    cleanups.push(() => hub.close());
    const link = new HubLink({ url: nats.url });
    const publisher = new HubPublisher({ link, outbox: storeOutbox(hub.store, 'acme'), publishTimeoutMs: 1000 });
    cleanups.push(() => link.close());
    cleanups.push(() => publisher.stop());
    publisher.start();

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
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    await nats.stop();
    const hub = openHubStore(join(tmp.dir, 'hub.sqlite'));
    cleanups.push(() => hub.close());
    for (let n = 0; n < 20; n++) hub.ingest(n);
    const link = new HubLink({ url: nats.url });
    const publisher = new HubPublisher({ link, outbox: storeOutbox(hub.store, 'acme') });
    cleanups.push(() => link.close());
    cleanups.push(() => publisher.stop());
    publisher.start();
    await new Promise((r) => setTimeout(r, 700));
    expect(publisher.status()).toMatchObject({ state: 'connecting', backlog: 20 });
    await nats.startAgain();
    await eventually('published after the broker started', () => publisher.status().backlog === 0, 30_000);
    expect(await streamCount(nats.url)).toBe(20);
  });
});
