// The hub publisher on its own thread against a real nats-server and SQLite file: stopped mid-backlog and started again, or its thread killed, every event lands once and in order.
import { jetstream, jetstreamManager, DeliverPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink } from '../../main/core/hub/connection.js';
import { PublisherThread, publisherWorkerScript, type Publisher } from '../../main/core/hub/publisher-thread.js';
import type { PublisherStatus } from '../../main/core/hub/publisher.js';
import { STREAM_NAME } from '../../main/core/hub/subjects.js';
import { tempDir } from '../support/harness.js';
import { NatsServer, eventually, natsServerAvailable, openHubStore } from '../support/nats.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Message ids in the stream, in stream order. */
async function streamMsgIds(url: string): Promise<string[]> {
  const nc = await connect({ servers: url.replace('nats://', '') });
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(STREAM_NAME);
    const c = await js.consumers.get(STREAM_NAME, { deliver_policy: DeliverPolicy.All });
    const out: string[] = [];
    while (out.length < state.messages) {
      const m = await c.next({ expires: 2000 });
      if (!m) break;
      out.push(m.headers?.get('Nats-Msg-Id') ?? '');
    }
    return out;
  } finally {
    await nc.close();
  }
}

function publisherThread(store: ReturnType<typeof openHubStore>['store'], url: string, onChange?: (s: PublisherStatus) => void) {
  const shared = new HubLink({ url, name: 'hookwatch-hub-test' });
  cleanups.push(() => shared.close());
  const pub: Publisher = PublisherThread.create({
    store,
    link: { url, name: 'hookwatch-hub-test-publisher' },
    sharedLink: shared,
    workspace: 'acme',
    ...(onChange ? { onChange } : {}),
  });
  // The thread's script comes from dist/: without a build this would silently test the same-thread publisher.
  expect(pub, 'the publisher thread needs the built worker script: run `npm run build` first').toBeInstanceOf(PublisherThread);
  cleanups.push(() => pub.stop());
  return pub;
}

describe.skipIf(!natsServerAvailable)('hub publisher thread with a real nats-server', () => {
  it('finds its built worker script', () => {
    expect(publisherWorkerScript(), 'run `npm run build`: the publisher thread runs dist/main/core/hub/publisher-worker.js').not.toBeNull();
  });

  it('stopped mid-backlog and started again (a new thread): every event once, in the order stored', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hub = openHubStore(join(tmp.dir, 'hub.sqlite'));
    cleanups.push(() => hub.close());

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
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hub = openHubStore(join(tmp.dir, 'hub.sqlite'));
    cleanups.push(() => hub.close());
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
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const hub = openHubStore(join(tmp.dir, 'hub.sqlite'));
    cleanups.push(() => hub.close());
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
