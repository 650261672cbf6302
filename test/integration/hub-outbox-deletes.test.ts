// Sent outbox rows deleted by the receiver's thread, not the publisher's: real SQLite files and a real nats-server; every event once, in order, across emptied and refilled outboxes.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HubLink } from '../../main/core/hub/connection.js';
import { PublisherThread, type Publisher } from '../../main/core/hub/publisher-thread.js';
import { storeOutbox } from '../../main/core/hub/publisher.js';
import { HookwatchStore } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';
import { openHubStore, readStream } from '../support/hub.js';
import { NatsServer, eventually, natsServerAvailable } from '../support/nats.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Message ids in the stream, in stream order. */
async function streamMsgIds(url: string): Promise<string[]> {
  return (await readStream(url)).map((m) => m.msgId);
}

function hubWithThread(url: string) {
  const tmp = tempDir();
  cleanups.push(tmp.cleanup);
  const file = join(tmp.dir, 'hub.sqlite');
  const hub = openHubStore(file);
  cleanups.push(() => hub.close());
  const shared = new HubLink({ url, name: 'hookwatch-hub-test' });
  cleanups.push(() => shared.close());
  const pub: Publisher = PublisherThread.create({
    store: hub.store,
    link: { url, name: 'hookwatch-hub-test-publisher' },
    sharedLink: shared,
    workspace: 'acme',
  });
  expect(pub, 'the publisher thread needs the built worker script: run `npm run build` first').toBeInstanceOf(PublisherThread);
  cleanups.push(() => pub.stop());
  /** The outbox's row ids, read on another connection (as `hookwatch status` in another process reads them). */
  const other = new Database(file, { readonly: true });
  cleanups.push(() => void other.close());
  const rowIds = () => (other.prepare('SELECT id FROM hub_outbox ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id);
  return { file, hub, pub, rowIds };
}

describe.skipIf(!natsServerAvailable)('outbox deletes on the receiver’s thread, with a real nats-server', () => {
  it('bursts and pauses, the outbox emptied and numbered from 1 again each time: every event once, in order; idle, nothing is left', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const { hub, pub, rowIds } = hubWithThread(nats.url);
    pub.start();
    await eventually('publisher up', () => pub.status().state === 'up', 30_000);
    const ids: string[] = [];
    let n = 0;
    // Bigger than the 1,024 rows after which deletes run mid-stream, a single event, small ones.
    for (const burst of [1500, 1, 40, 1200, 3]) {
      for (let i = 0; i < burst; i++) {
        ids.push(hub.ingest(n++));
        if (i === 0) expect(rowIds()[0], 'a new burst after an emptied outbox starts at row 1').toBe(1);
        // As the receiver does: a notify after each commit (deletes run there), and the event loop turns between requests.
        pub.notify();
        if (i % 50 === 49) await yieldNow();
      }
      // No commit follows: the publisher thread, caught up, has the receiver's thread delete what it sent.
      await eventually(`the outbox emptied after a burst of ${burst}`, () => rowIds().length === 0, 30_000);
      expect(pub.status().backlog).toBe(0);
    }
    const status = pub.status();
    expect(status.published).toBe(n);
    // Nothing was sent twice: the thread's position followed each emptied outbox back to row 1.
    expect(status.duplicates).toBe(0);
    expect(await streamMsgIds(nats.url)).toEqual(ids);
  }, 120_000);

  it('the publisher thread only reads: with the write lock held by another connection it still publishes everything, and the rows go once the lock is released', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.dispose());
    const { file, hub, pub, rowIds } = hubWithThread(nats.url);
    // The receiver's own delete waits for the lock like its commits do; short here, so this thread is not held long.
    hub.store.rawForTests.pragma('busy_timeout = 50');
    const ids: string[] = [];
    for (let n = 0; n < 2000; n++) ids.push(hub.ingest(n));
    const locker = new Database(file);
    cleanups.push(() => void locker.close());
    locker.exec('BEGIN IMMEDIATE');
    pub.start();
    // More than the 1,024 rows after which sent rows are deleted: a thread that deleted would wait for the lock here.
    await eventually('all 2,000 published while the database is write-locked', () => pub.status().published === 2000, 60_000);
    expect(rowIds()).toHaveLength(2000);
    expect(pub.status().backlog).toBe(0);
    locker.exec('COMMIT');
    // The next commit of the receiver deletes them (its try while the lock was held gave up and is retried).
    await new Promise((r) => setTimeout(r, 300));
    ids.push(hub.ingest(2000));
    pub.notify();
    await eventually('the outbox emptied once the lock is released', () => rowIds().length === 0, 30_000);
    expect(pub.status().published).toBe(2001);
    expect(await streamMsgIds(nats.url)).toEqual(ids);
  }, 120_000);
});

describe('the outbox read when another connection deletes (real SQLite file)', () => {
  function setUp() {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const hub = openHubStore(join(tmp.dir, 'hub.sqlite'));
    cleanups.push(() => hub.close());
    return hub;
  }
  const rowIdsOf = (store: HookwatchStore) =>
    (store.rawForTests.prepare('SELECT id FROM hub_outbox ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id);

  it('reads from row 1 again once the deleting side reports the outbox emptied, and says once per position that it is idle', () => {
    const hub = setUp();
    let emptied = 0;
    const idle: number[] = [];
    const outbox = storeOutbox(hub.store, 'acme', { deletesElsewhere: { emptied: () => emptied, onIdle: (s) => idle.push(s) } });
    for (let n = 0; n < 3; n++) hub.accountChange(`+1555000000${n}`, 'disconnected', 1000 + n);
    expect(outbox.pending(10, 1 << 20).map((m) => m.id)).toEqual([1, 2, 3]);
    outbox.markSentThrough(3);
    expect(outbox.pending(10, 1 << 20)).toEqual([]);
    expect(outbox.pending(10, 1 << 20)).toEqual([]);
    expect(idle).toEqual([3]);
    // This side never deletes: flush (called when a publisher stops) leaves the rows to the other side.
    outbox.flush();
    expect(rowIdsOf(hub.store)).toEqual([1, 2, 3]);

    // The other side deletes, the outbox is empty, the next rows are numbered 1 and 2 again.
    expect(hub.store.hub.deleteSentThrough(3)).toBe(true);
    const second = [hub.accountChange('+15550000009', 'connected', 2000), hub.accountChange('+15550000009', 'disconnected', 2001)];
    // Not told yet: after position 3 there is nothing (which is why the count exists).
    expect(outbox.pending(10, 1 << 20)).toEqual([]);
    emptied++;
    const read = outbox.pending(10, 1 << 20);
    expect(read.map((m) => m.id)).toEqual([1, 2]);
    expect(read.map((m) => m.msgId)).toEqual(second);
    outbox.markSentThrough(2);
    expect(outbox.pending(10, 1 << 20)).toEqual([]);
    expect(idle).toEqual([3, 2]);
  });

  it('a count that changes during a read throws that read away and reads from row 1', () => {
    const hub = setUp();
    let emptied = 0;
    let calls = 0;
    let onSecondCall: (() => void) | null = null;
    const outbox = storeOutbox(hub.store, 'acme', {
      deletesElsewhere: {
        emptied: () => {
          // The first check of a read sees the old count; the deleting side empties and refills right after it.
          if (++calls === 2 && onSecondCall) onSecondCall();
          return emptied;
        },
        onIdle: () => {},
      },
    });
    for (let n = 0; n < 5; n++) hub.accountChange(`+1555000000${n}`, 'disconnected', 1000 + n);
    outbox.markSentThrough(5);
    expect(hub.store.hub.deleteSentThrough(5)).toBe(true);
    for (let n = 0; n < 7; n++) hub.accountChange(`+1555000001${n}`, 'connected', 3000 + n);
    // Rows 1..7 now; the position (5) would skip 1..5 and read 6 and 7 first, out of order, without the second check.
    calls = 0;
    onSecondCall = () => emptied++;
    expect(outbox.pending(10, 1 << 20).map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('the receiver’s delete waits while a transaction is open on its connection (a rollback would undo it unnoticed)', () => {
    const hub = setUp();
    for (let n = 0; n < 3; n++) hub.accountChange(`+1555000000${n}`, 'disconnected', 1000 + n);
    const inside = hub.store.transaction(() => hub.store.hub.deleteSentThrough(2));
    expect(inside).toBeNull();
    expect(rowIdsOf(hub.store)).toEqual([1, 2, 3]);
    expect(hub.store.hub.deleteSentThrough(2)).toBe(false);
    expect(rowIdsOf(hub.store)).toEqual([3]);
    expect(hub.store.hub.deleteSentThrough(3)).toBe(true);
    expect(rowIdsOf(hub.store)).toEqual([]);
  });
});
