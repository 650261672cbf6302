// The hub publisher's pipelined JetStream path against a real nats-server: order across batches, dedupe by message id, a deleted stream, a broker stopped mid-batch.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { encodeOutboxRow } from '../../main/core/hub/encoding.js';
import { HubPublisher, PipelinedPublisher, storeOutbox, type Outbox, type PublisherStatus } from '../../main/core/hub/publisher.js';
import { ensureStream } from '../../main/core/hub/stream.js';
import { STREAM_NAME } from '../../main/core/hub/subjects.js';
import { hubTestBed, readStream, streamCount, type HubStore } from '../support/hub.js';
import { eventually, natsServerAvailable, type NatsServer } from '../support/nats.js';

const bed = hubTestBed();

/** A running publisher of `hub` with a small window, so a few hundred events take several batches. */
function publisherOf(hub: HubStore, url: string, outbox: Outbox = storeOutbox(hub.store, 'acme'), publishTimeoutMs = 2000) {
  const link = bed.link({ url, name: 'hookwatch-publish-path-test' });
  const changes: PublisherStatus[] = [];
  const publisher = new HubPublisher({ link, outbox, window: 64, publishTimeoutMs, onChange: (s) => changes.push(s) });
  bed.defer(() => publisher.stop());
  publisher.start();
  return Object.assign(publisher, { changes });
}

async function deleteStream(nats: NatsServer): Promise<void> {
  const nc = await connect({ servers: nats.url.replace('nats://', '') });
  try {
    const jsm = await jetstreamManager(nc);
    expect(await jsm.streams.delete(STREAM_NAME)).toBe(true);
  } finally {
    await nc.close();
  }
}

describe.skipIf(!natsServerAvailable)('hub publish path (pipelined publishes, real nats-server)', () => {
  it('publishes every event once and in order across batches, with its message id', async () => {
    const { nats, hub } = await bed.hubAndBroker();
    const ids: string[] = [];
    for (let n = 0; n < 300; n++) ids.push(hub.ingest(n));
    const publisher = publisherOf(hub, nats.url);
    for (let n = 300; n < 450; n++) {
      ids.push(hub.ingest(n));
      publisher.notify();
    }
    await eventually('all 450 published', () => publisher.status().published === 450 && publisher.status().backlog === 0);

    const msgs = await readStream(nats.url);
    expect(msgs.map((m) => m.msgId)).toEqual(ids);
    expect(msgs.map((m) => m.seq)).toEqual(ids.map((_, i) => i + 1));
    expect(publisher.status()).toMatchObject({ state: 'up', duplicates: 0, lastError: null });
  });

  it('recognises a re-sent message id as a duplicate: acknowledged, counted, not stored again', async () => {
    const { nats, hub } = await bed.hubAndBroker();
    const ids: string[] = [];
    for (let n = 0; n < 100; n++) ids.push(hub.ingest(n));
    // The pipe itself: the same batch twice on one connection.
    const link = bed.link({ url: nats.url });
    const nc = (await link.connection())!;
    await ensureStream(nc);
    const batch = hub.store.hub.pending(100).map((row) => encodeOutboxRow(row, 'acme', 1 << 20)!);
    const pipe = new PipelinedPublisher(nc);
    bed.defer(() => pipe.close());
    const first = await pipe.publish(batch, 5000);
    expect(first).toEqual(batch.map(() => ({ ok: true, duplicate: false })));
    const again = await pipe.publish(batch, 5000);
    expect(again).toEqual(batch.map(() => ({ ok: true, duplicate: true })));
    expect(await streamCount(nats.url)).toBe(100);

    // A publisher that stops after the acks but before its rows are deleted (as a crash would): the next
    // one sends them all again, and JetStream recognises every one.
    const inner = storeOutbox(hub.store, 'acme');
    const keepsRows: Outbox = {
      pending: (limit, maxPayload) => inner.pending(limit, maxPayload),
      markSentThrough: (id) => inner.markSentThrough(id),
      flush: () => {},
      backlog: () => inner.backlog(),
      get sentThrough() {
        return inner.sentThrough;
      },
    };
    const before = publisherOf(hub, nats.url, keepsRows);
    await eventually('first publisher acknowledged', () => before.status().duplicates === 100);
    await before.stop();
    expect(hub.store.hub.backlog().count).toBe(100);
    const next = publisherOf(hub, nats.url);
    await eventually('re-sent and recognised', () => next.status().duplicates === 100 && next.status().backlog === 0);
    expect(next.status().published).toBe(0);
    const msgs = await readStream(nats.url);
    expect(msgs.map((m) => m.msgId)).toEqual(ids);
  });

  it('a message the client refuses to send (over max_payload) fails with the rest of its batch; those before it are stored', async () => {
    const { nats, hub } = await bed.hubAndBroker();
    for (let n = 0; n < 3; n++) hub.ingest(n);
    const link = bed.link({ url: nats.url });
    const nc = (await link.connection())!;
    await ensureStream(nc);
    const [a, b, c] = hub.store.hub.pending(3).map((row) => encodeOutboxRow(row, 'acme', 1 << 20)!);
    const pipe = new PipelinedPublisher(nc);
    bed.defer(() => pipe.close());
    const huge = { ...b!, body: new Uint8Array(nc.info!.max_payload + 1) };
    const results = await pipe.publish([a!, huge, c!], 5000);
    expect(results[0]).toEqual({ ok: true, duplicate: false });
    expect(results[1]).toMatchObject({ ok: false, error: expect.objectContaining({ message: expect.stringMatching(/max_payload/) }) });
    expect(results[2]).toEqual(results[1]);
    expect((await readStream(nats.url)).map((m) => m.msgId)).toEqual([a!.msgId]);
  });

  it('a stream deleted under the running publisher is recreated, and every later event is in it once, in order', async () => {
    const { nats, hub } = await bed.hubAndBroker();
    const publisher = publisherOf(hub, nats.url);
    for (let n = 0; n < 50; n++) hub.ingest(n);
    publisher.notify();
    await eventually('first 50 published', () => publisher.status().published === 50 && publisher.status().backlog === 0);

    await deleteStream(nats);
    const ids: string[] = [];
    for (let n = 50; n < 250; n++) {
      ids.push(hub.ingest(n));
      publisher.notify();
    }
    await eventually(
      'published into the recreated stream',
      () => publisher.status().published === 250 && publisher.status().backlog === 0,
      30_000,
    );
    const msgs = await readStream(nats.url);
    expect(msgs.map((m) => m.msgId)).toEqual(ids);
    // JetStream's "no responders" answer said why, and the publisher recreated the stream after it.
    expect(publisher.changes.some((c) => c.state === 'down' && /HOOKWATCH stream is missing/.test(c.lastError ?? ''))).toBe(true);
    expect(publisher.status()).toMatchObject({ state: 'up', lastError: null });
  });

  it('a broker stopped mid-batch and started again: nothing lost, nothing twice at a consumer', async () => {
    const { nats, hub } = await bed.hubAndBroker();
    const ids: string[] = [];
    for (let n = 0; n < 600; n++) ids.push(hub.ingest(n));
    const inner = storeOutbox(hub.store, 'acme');
    let reads = 0;
    let stopped: Promise<void> | null = null;
    // The broker is told to stop as the third batch is read: that batch is published into a closing connection.
    const outbox: Outbox = {
      pending(limit, maxPayload) {
        const batch = inner.pending(limit, maxPayload);
        if (batch.length > 0 && ++reads === 3) stopped = nats.stop();
        return batch;
      },
      markSentThrough: (id) => inner.markSentThrough(id),
      flush: () => inner.flush(),
      backlog: () => inner.backlog(),
      get sentThrough() {
        return inner.sentThrough;
      },
    };
    const publisher = publisherOf(hub, nats.url, outbox, 1000);
    await eventually('broker stopped mid-backlog', () => stopped !== null);
    await stopped;
    await eventually('publisher reports the outage', () => publisher.status().state !== 'up');
    expect(publisher.status().backlog).toBeGreaterThan(0);
    for (let n = 600; n < 700; n++) ids.push(hub.ingest(n));
    await nats.startAgain();
    publisher.notify();
    await eventually('backlog sent after the restart', () => publisher.status().backlog === 0, 30_000);

    const msgs = await readStream(nats.url);
    expect(msgs.map((m) => m.msgId)).toEqual(ids);
    // Stored but its ack lost when the broker went: sent again and acknowledged as a duplicate, not stored twice.
    const s = publisher.status();
    expect(s.published).toBeLessThanOrEqual(700);
    expect(s.published + s.duplicates).toBeGreaterThanOrEqual(700);
    expect(s.state).toBe('up');
  });
});
