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
