// The search index follows the events only when there is something new: no write transaction when idle, no timer without events.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blankEvent } from '../../main/core/events.js';
import { SearchIndexScheduler } from '../../main/core/retention.js';
import { HookwatchStore, type DeliveryRecord } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.useRealTimers();
});

function delivery(receivedAt: number): DeliveryRecord {
  return {
    receivedAt,
    method: 'POST',
    path: '/hooks/{secret}',
    forcedProvider: null,
    remoteAddr: '127.0.0.1',
    status: 200,
    reason: null,
    latencyMs: 1,
    size: 2,
    contentType: 'application/json',
    headers: {},
    body: Buffer.from('{}'),
    bodyTruncated: false,
  };
}

function message(uid: string, text: string) {
  return { ...blankEvent('timelines', 'timelines.v2', 'message:received:new', `m:${uid}`), messageUid: uid, text };
}

describe('the search-index batch', () => {
  it('writes nothing when no event is new, and indexes what arrives', () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'hookwatch.sqlite3');
    const store = HookwatchStore.open(file);
    const other = HookwatchStore.open(file);
    cleanups.push(() => {
      other.close();
      store.close();
      tmp.cleanup();
    });
    store.ingest(delivery(Date.now()), [message('u1', 'first parcel')]);
    expect(store.indexSearch()).toBe(1);

    // data_version changes on the other connection whenever this one writes: an idle batch must write nothing.
    const seen = other.dataVersion();
    expect(store.indexSearch()).toBe(0);
    expect(other.dataVersion()).toBe(seen);

    store.ingest(delivery(Date.now()), [message('u2', 'second parcel')]);
    expect(other.dataVersion()).not.toBe(seen);
    expect(store.indexSearch()).toBe(1);
    expect(store.listEvents({ search: 'parcel' }).map((e) => e.messageUid)).toEqual(['u2', 'u1']);
  });

  it('a redelivery returns the stored row (first delivery’s data, count bumped), a new event the row as written', () => {
    const tmp = tempDir();
    const store = HookwatchStore.open(join(tmp.dir, 'hookwatch.sqlite3'));
    cleanups.push(() => {
      store.close();
      tmp.cleanup();
    });
    const first = store.ingest(delivery(1000), [{ ...message('u1', 'hello'), chatName: 'Acme', details: { nested: { a: [1, 2] } } }]);
    expect(first.events[0]).toEqual({ ...store.listEvents()[0], duplicate: false });
    expect(first.events[0]!.duplicate).toBe(false);
    // The same content (a display name is a snapshot a redelivery may carry updated): a redelivery, and the
    // record returned is the stored one, not the one given. (Other content under the same key is its own
    // event: test/integration/content-dedupe.test.ts.)
    const again = store.ingest(delivery(2000), [
      { ...message('u1', 'hello'), chatName: 'Acme Renamed', details: { nested: { a: [1, 2] } } },
    ]);
    const [row] = store.listEvents();
    expect(again.events[0]).toEqual({ ...row, duplicate: true });
    expect(row).toMatchObject({ id: first.events[0]!.id, chatName: 'Acme', deliveryCount: 2, lastDeliveredAt: 2000, receivedAt: 1000 });
    expect(row!.details).toEqual({ nested: { a: [1, 2] } });
  });
});

describe('SearchIndexScheduler (fake timers)', () => {
  it('runs a batch only after events were stored, once for many, and again while batches find work', () => {
    vi.useFakeTimers();
    let pending = 0;
    let batches = 0;
    const scheduler = new SearchIndexScheduler(() => {
      batches++;
      const n = Math.min(pending, 10);
      pending -= n;
      return n;
    }, 250);
    cleanups.push(() => scheduler.stop());

    vi.advanceTimersByTime(10_000);
    expect(batches).toBe(0); // idle: no timer fires

    pending = 25;
    for (let i = 0; i < 5; i++) scheduler.eventsStored();
    vi.advanceTimersByTime(250);
    expect(batches).toBe(1);
    vi.advanceTimersByTime(250 * 5);
    // 10 + 10 + 5 found, then one empty batch ends the chain.
    expect(pending).toBe(0);
    expect(batches).toBe(4);
    vi.advanceTimersByTime(10_000);
    expect(batches).toBe(4);
    // The slow backstop catches events written by other paths.
    vi.advanceTimersByTime(20_000);
    expect(batches).toBe(5);
  });
});
