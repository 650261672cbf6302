// The store's own transactions (Db.transaction, Db.transactionWithoutSync) on a real, durable SQLite file:
// what commits, what rolls back, when the checkpoint thread is told, and the sync setting left behind.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HookwatchStore } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';
import { webhookDelivery } from '../support/seed.js';

let tmp: ReturnType<typeof tempDir>;
let store: HookwatchStore;
beforeEach(() => {
  tmp = tempDir();
  store = HookwatchStore.open(join(tmp.dir, 'tx.sqlite3'), { durability: 'full' });
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const deliveries = () => store.counts().deliveries;
const synchronous = () => store.rawForTests.pragma('synchronous', { simple: true });

describe('store transactions', () => {
  it('commit what the function wrote and return its value', () => {
    const id = store.transaction(() => {
      store.recordDelivery(webhookDelivery(1));
      return store.recordDelivery(webhookDelivery(2)).id;
    });
    expect(typeof id).toBe('number');
    expect(deliveries()).toBe(2);
    expect(store.rawForTests.inTransaction).toBe(false);
  });

  it('roll back everything and pass the error on when the function throws', () => {
    const boom = new Error('boom');
    expect(() =>
      store.transaction(() => {
        store.recordDelivery(webhookDelivery(1));
        throw boom;
      }),
    ).toThrow(boom);
    expect(deliveries()).toBe(0);
    expect(store.rawForTests.inTransaction).toBe(false);
    // The connection is usable afterwards.
    store.transaction(() => store.recordDelivery(webhookDelivery(3)));
    expect(deliveries()).toBe(1);
  });

  it('nested: an inner failure undoes only the inner writes, and the outer transaction still commits', () => {
    store.transaction(() => {
      store.recordDelivery(webhookDelivery(1));
      expect(() =>
        store.transaction(() => {
          store.recordDelivery(webhookDelivery(2));
          throw new Error('inner');
        }),
      ).toThrow('inner');
      store.transaction(() => store.recordDelivery(webhookDelivery(3)));
    });
    expect(
      store.rawForTests
        .prepare('SELECT received_at FROM deliveries ORDER BY id')
        .pluck()
        .all()
        .map((t) => Number(t) - webhookDelivery(0).receivedAt),
    ).toEqual([1, 3]);
  });

  it('refuse a function that returns a promise, writing nothing', () => {
    expect(() =>
      store.transaction(() => {
        store.recordDelivery(webhookDelivery(1));
        return Promise.resolve(1);
      }),
    ).toThrow(/promise/);
    expect(deliveries()).toBe(0);
  });

  it('tell the checkpoint side after each top-level commit, not after a nested one or a rollback', () => {
    let told = 0;
    const undo = store.handOffCheckpoints(() => told++);
    store.transaction(() => {
      store.transaction(() => store.recordDelivery(webhookDelivery(1)));
      store.recordDelivery(webhookDelivery(2));
    });
    expect(told).toBe(1);
    expect(() =>
      store.transaction(() => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(told).toBe(1);
    store.transactionWithoutSync(() => store.recordDelivery(webhookDelivery(3)));
    expect(told).toBe(2);
    undo();
  });

  it('a commit without its fsync sets synchronous back to FULL, after a failure too', () => {
    expect(synchronous()).toBe(2); // FULL
    let inside = -1;
    store.transactionWithoutSync(() => {
      inside = Number(synchronous());
      store.recordDelivery(webhookDelivery(1));
    });
    expect(inside).toBe(1); // NORMAL while it ran
    expect(synchronous()).toBe(2);
    expect(() =>
      store.transactionWithoutSync(() => {
        throw new Error('fail');
      }),
    ).toThrow('fail');
    expect(synchronous()).toBe(2);
    expect(deliveries()).toBe(1);
  });
});
