import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blankEvent } from '../../main/core/events.js';
import { CommitQueue } from '../../main/core/receiver/commit-queue.js';
import { HookwatchStore, type DeliveryRecord } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';

let tmp: ReturnType<typeof tempDir>;
let store: HookwatchStore;
beforeEach(() => {
  tmp = tempDir();
  store = HookwatchStore.open(join(tmp.dir, 'q.sqlite3'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const delivery = (n: number): DeliveryRecord => ({
  receivedAt: 1_700_000_000_000 + n,
  method: 'POST',
  path: '/hooks/{secret}',
  forcedProvider: null,
  remoteAddr: null,
  status: 200,
  reason: null,
  latencyMs: 0,
  size: 2,
  contentType: null,
  headers: {},
  body: Buffer.from('{}'),
  bodyTruncated: false,
});
const event = (uid: string) => ({ ...blankEvent('timelines', 'timelines.v2', 'message:new', `uid:${uid}`), messageUid: uid });

describe('group commit', () => {
  it('writes requests of one event-loop turn in one transaction', async () => {
    const q = new CommitQueue(store);
    let transactions = 0;
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        q.run(() => {
          if (store.rawForTests.inTransaction) transactions++;
          return store.ingest(delivery(n), [event(`a${n}`)]);
        }),
      ),
    );
    expect(transactions).toBe(3);
    expect(results.map((r) => r.events[0]!.duplicate)).toEqual([false, false, false]);
    expect(store.counts()).toEqual({ events: 3, deliveries: 3 });
  });

  it('a job that fails half-way fails alone: its partial writes are rolled back, the others commit', async () => {
    const q = new CommitQueue(store);
    const ok1 = q.run(() => store.ingest(delivery(1), [event('b1')]));
    const bad = q.run(() => {
      store.recordDelivery(delivery(2)); // written, then the job throws: must not survive
      throw new Error('boom');
    });
    const ok2 = q.run(() => store.ingest(delivery(3), [event('b3')]));
    await expect(bad).rejects.toThrow('boom');
    await expect(ok1).resolves.toMatchObject({ events: [{ duplicate: false }] });
    await expect(ok2).resolves.toMatchObject({ events: [{ duplicate: false }] });
    expect(store.counts()).toEqual({ events: 2, deliveries: 2 });
    expect(store.listEvents().map((e) => e.messageUid)).toEqual(['b3', 'b1']);
  });

  it('drain() waits for everything queued', async () => {
    const q = new CommitQueue(store);
    void q.run(() => store.ingest(delivery(1), [event('c1')]));
    expect(store.counts().events).toBe(0);
    await q.drain();
    expect(store.counts().events).toBe(1);
  });
});

/** A sync the test finishes by hand: the real one (an fdatasync) is too quick to look at in between. */
function heldSyncs(s: HookwatchStore) {
  const held: Array<{ finish: () => void; fail: (err: Error) => void }> = [];
  const real = s.syncWal.bind(s);
  s.syncWal = () =>
    new Promise<void>((resolve, reject) => {
      held.push({
        finish: () => void real()!.then(resolve, reject),
        fail: reject,
      });
    });
  return held;
}

describe('group commit with the fsync off the event loop', () => {
  const reader = () => new Database(join(tmp.dir, 'q.sqlite3'), { readonly: true });
  const storedUids = (db: Database.Database) =>
    (db.prepare('SELECT message_uid FROM events ORDER BY id').all() as Array<{ message_uid: string }>).map((r) => r.message_uid);

  it('the real sync: a committed group is answered only after the write-ahead log is synced', async () => {
    let synced = 0;
    const real = store.syncWal.bind(store);
    store.syncWal = () => {
      const p = real();
      expect(p).not.toBeNull(); // a 'full' database always has a log to sync
      return p!.then(() => void synced++);
    };
    const q = new CommitQueue(store);
    const r = await q.run(() => store.ingest(delivery(1), [event('s1')]));
    expect(synced).toBe(1);
    expect(r.events[0]!.duplicate).toBe(false);
  });

  it('a job stays unanswered while its sync runs; what arrives meanwhile waits and is committed as one group after it', async () => {
    const held = heldSyncs(store);
    const q = new CommitQueue(store);
    let firstDone = false;
    const first = q.run(() => store.ingest(delivery(1), [event('g1')])).then((v) => ((firstDone = true), v));
    await new Promise((r) => setTimeout(r, 20));
    expect(held).toHaveLength(1); // committed, sync started
    const db = reader();
    try {
      expect(storedUids(db)).toEqual(['g1']); // the commit is done: readers see it
      expect(firstDone).toBe(false); // but nobody has been told it is stored
      let inTransactions = 0;
      const later = [2, 3, 4].map((n) =>
        q.run(() => {
          if (store.rawForTests.inTransaction) inTransactions++;
          return store.ingest(delivery(n), [event(`g${n}`)]);
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(inTransactions).toBe(0); // held back while the first sync runs
      expect(storedUids(db)).toEqual(['g1']);
      held[0]!.finish();
      await first;
      await new Promise((r) => setTimeout(r, 20));
      expect(held).toHaveLength(2); // the three were committed together, and their own sync began
      expect(inTransactions).toBe(3);
      expect(storedUids(db)).toEqual(['g1', 'g2', 'g3', 'g4']);
      held[1]!.finish();
      expect((await Promise.all(later)).map((r) => r.events[0]!.messageUid)).toEqual(['g2', 'g3', 'g4']);
    } finally {
      db.close();
    }
  });

  it('a failed sync fails its jobs with what to check (the sender retries; the retry counts as a redelivery)', async () => {
    const held = heldSyncs(store);
    const q = new CommitQueue(store);
    const job = q.run(() => store.ingest(delivery(1), [event('f1')]));
    await new Promise((r) => setTimeout(r, 20));
    held[0]!.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(job).rejects.toThrow(
      /the disk did not confirm the write \(EIO: i\/o error, fdatasync\); the sender will retry: check the disk/,
    );
    // The next sync works again: the provider's retry is the same event, counted as a second delivery.
    const retry = q.run(() => store.ingest(delivery(2), [event('f1')]));
    await new Promise((r) => setTimeout(r, 20));
    held[1]!.finish();
    expect((await retry).events[0]).toMatchObject({ messageUid: 'f1', duplicate: true, deliveryCount: 2 });
  });

  it('with no write-ahead log to sync (an in-memory database) commits sync themselves and nothing waits for syncWal', async () => {
    const mem = HookwatchStore.open(':memory:');
    try {
      expect(mem.canDeferSync).toBe(false);
      expect(store.canDeferSync).toBe(true);
      let syncs = 0;
      mem.syncWal = () => (syncs++, null);
      const q = new CommitQueue(mem);
      const r = await q.run(() => mem.ingest(delivery(1), [event('m1')]));
      expect(r.events[0]!.messageUid).toBe('m1');
      expect(syncs).toBe(0);
    } finally {
      mem.close();
    }
  });

  // Called while the job still waits for its commit, or once it is committed and only its sync runs.
  for (const when of ['while a job is queued', 'once only the sync is left'] as const) {
    it(`drain() called ${when} waits for the sync in flight`, async () => {
      const held = heldSyncs(store);
      const q = new CommitQueue(store);
      void q.run(() => store.ingest(delivery(1), [event(`d-${when}`)]));
      if (when === 'once only the sync is left') {
        await new Promise((r) => setTimeout(r, 20));
        expect(held).toHaveLength(1); // committed; nothing queued, only the sync runs
      }
      let drained = false;
      const draining = q.drain().then(() => (drained = true));
      await new Promise((r) => setTimeout(r, 20));
      expect(drained).toBe(false);
      held[0]!.finish();
      await draining;
      expect(drained).toBe(true);
    });
  }
});
