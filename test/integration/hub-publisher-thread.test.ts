// The hub publisher on its own thread against a real nats-server and SQLite file: stopped mid-backlog and started again, or its thread killed, every event lands once and in order.
import { describe, expect, it } from 'vitest';
import { PublisherThread, publisherWorkerScript, type Publisher } from '../../main/core/hub/publisher-thread.js';
import type { PublisherStatus } from '../../main/core/hub/publisher.js';
import { hubTestBed, readStream, type HubStore } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const bed = hubTestBed();

/** Message ids in the stream, in stream order. */
const streamMsgIds = async (url: string) => (await readStream(url)).map((m) => m.msgId);

function publisherThread(store: HubStore['store'], url: string, onChange?: (s: PublisherStatus) => void) {
  const shared = bed.link({ url, name: 'hookwatch-hub-test' });
  const pub: Publisher = PublisherThread.create({
    store,
    link: { url, name: 'hookwatch-hub-test-publisher' },
    sharedLink: shared,
    workspace: 'acme',
    ...(onChange ? { onChange } : {}),
  });
  // The thread's script comes from dist/: without a build this would silently test the same-thread publisher.
  expect(pub, 'the publisher thread needs the built worker script: run `npm run build` first').toBeInstanceOf(PublisherThread);
  bed.defer(() => pub.stop());
  return pub;
}

describe.skipIf(!natsServerAvailable)('hub publisher thread with a real nats-server', () => {
  it('finds its built worker script', () => {
    expect(publisherWorkerScript(), 'run `npm run build`: the publisher thread runs dist/main/core/hub/publisher-worker.js').not.toBeNull();
  });

  it('stopped mid-backlog and started again (a new thread): every event once, in the order stored', async () => {
    const nats = await bed.nats();
    const hub = bed.hubStore(bed.tempDir());

    const ids: string[] = [];
    for (let n = 0; n < 5000; n++) ids.push(hub.ingest(n));
    const first = publisherThread(hub.store, nats.url);
    first.start();
    // Stop as soon as the first messages are acknowledged: the thread is in the middle of the backlog.
    await eventually('first messages published', () => first.status().published > 0, 30_000);
    await first.stop();
    const atStop = first.status();
    expect(atStop.state).toBe('stopped');
    expect(atStop.published).toBeLessThan(5000);
    expect(atStop.backlog).toBeGreaterThan(0);
    // The receiver keeps storing while no publisher runs: its rows wait in the outbox.
    for (let n = 5000; n < 5100; n++) ids.push(hub.ingest(n));
    expect(first.status().backlog).toBeGreaterThan(100);

    const second = publisherThread(hub.store, nats.url);
    second.start();
    for (let n = 5100; n < 5200; n++) {
      ids.push(hub.ingest(n));
      second.notify();
    }
    await eventually('outbox drained by the second thread', () => second.status().backlog === 0, 60_000);
    expect(await streamMsgIds(nats.url)).toEqual(ids);
  }, 120_000);

  it('an outbox emptied and filled again (SQLite numbers the new rows from 1 again) is still published', async () => {
    const nats = await bed.nats();
    const hub = bed.hubStore(bed.tempDir());
    const pub = publisherThread(hub.store, nats.url);
    pub.start();
    const ids: string[] = [];
    const rowIds = () =>
      (hub.store.rawForTests.prepare('SELECT id FROM hub_outbox ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id);
    for (let n = 0; n < 30; n++) {
      ids.push(hub.ingest(n));
      pub.notify();
    }
    expect(rowIds()[0]).toBe(1);
    // Sent rows are deleted a moment later: then the table is empty.
    await eventually('outbox table emptied', () => rowIds().length === 0, 30_000);
    for (let n = 30; n < 60; n++) {
      ids.push(hub.ingest(n));
      pub.notify();
    }
    expect(rowIds()[0]).toBe(1);
    await eventually('the second 30 published', () => pub.status().published === 60, 30_000);
    expect(await streamMsgIds(nats.url)).toEqual(ids);
  }, 60_000);

  it('a publisher thread that dies is started again by itself, says so, and loses nothing', async () => {
    const nats = await bed.nats();
    const hub = bed.hubStore(bed.tempDir());
    const changes: PublisherStatus[] = [];
    const pub = publisherThread(hub.store, nats.url, (s) => changes.push(s));
    pub.start();
    const ids: string[] = [];
    for (let n = 0; n < 200; n++) {
      ids.push(hub.ingest(n));
      pub.notify();
    }
    await eventually('first 200 published', () => pub.status().backlog === 0, 30_000);
    expect(pub.status().state).toBe('up');

    // Kill the thread the hard way (as a crash would): no stop message, nothing finished.
    for (let n = 200; n < 400; n++) ids.push(hub.ingest(n));
    await (pub as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await eventually('the death is reported', () =>
      changes.some((s) => s.state === 'down' && /publishing thread stopped/.test(s.lastError ?? '')),
    );
    for (let n = 400; n < 500; n++) {
      ids.push(hub.ingest(n));
      pub.notify();
    }
    await eventually('a new thread sent the rest', () => pub.status().backlog === 0 && pub.status().state === 'up', 30_000);
    expect(await streamMsgIds(nats.url)).toEqual(ids);
  }, 60_000);
});
