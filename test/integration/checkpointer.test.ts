// WAL checkpoints on their own thread: the writer's connection hands them off, the thread folds the log in.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blankEvent } from '../../main/core/events.js';
import { WalCheckpointer } from '../../main/core/store/checkpointer.js';
import { InlineWriter } from '../../main/core/receiver/writer.js';
import { HookwatchStore, type DeliveryRecord } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';

let tmp: ReturnType<typeof tempDir>;
let store: HookwatchStore;
beforeEach(() => {
  tmp = tempDir();
  store = HookwatchStore.open(join(tmp.dir, 'c.sqlite3'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const body = 'x'.repeat(8000);
const delivery = (n: number): DeliveryRecord => ({
  receivedAt: 1_700_000_000_000 + n,
  method: 'POST',
  path: '/hooks/{secret}',
  forcedProvider: null,
  remoteAddr: null,
  status: 200,
  reason: null,
  latencyMs: 0,
  size: body.length,
  contentType: 'application/json',
  headers: {},
  body: Buffer.from(`{"n":${n},"pad":"${body}"}`),
  bodyTruncated: false,
});
const event = (n: number) => ({
  ...blankEvent('timelines', 'timelines.v2', 'message:new', `uid:c${n}`),
  messageUid: `c${n}`,
  text: `t ${n}`,
});

const autoCheckpoint = () => Number(store.rawForTests.pragma('wal_autocheckpoint', { simple: true }));
const fileSize = () => statSync(store.file).size;

/** Waits (bounded) until `ok()` holds; the condition is the assertion, not the time it took. */
async function eventually(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!ok()) throw new Error(`never happened: ${what}`);
}

describe('WAL checkpoints on their own thread (real SQLite file, real worker thread)', () => {
  it('the writer connection stops checkpointing; the thread copies the log into the file; stop hands it back', async () => {
    const before = fileSize();
    const writer = new InlineWriter(store, { checkpointThread: true });
    expect(autoCheckpoint()).toBe(0);
    // About 2.4 MB of raw bodies in 30 commits: without any checkpoint the database file would not grow at all.
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => writer.ingest(delivery(batch * 10 + i), [event(batch * 10 + i)])));
    }
    await eventually(() => fileSize() > before + 2_000_000, 'the database file received the logged pages');
    await writer.close();
    expect(autoCheckpoint()).toBe(1000);
    expect(store.counts()).toEqual({ events: 300, deliveries: 300 });
  });

  it('with the thread stopped and automatic checkpoints off, nothing folds the log (the test above can fail)', async () => {
    const before = fileSize();
    const restore = store.handOffCheckpoints(() => {});
    const writer = new InlineWriter(store);
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => writer.ingest(delivery(batch * 10 + i), [event(batch * 10 + i)])));
    }
    await writer.close();
    expect(fileSize()).toBeLessThan(before + 100_000);
    restore();
  });

  it('a log that grew past the bound while a reader held it is truncated once the reader lets go', async () => {
    const checkpointer = WalCheckpointer.start(store, { pauseMs: 5, restartPages: 32, truncatePages: 64 })!;
    expect(checkpointer).not.toBeNull();
    const reader = HookwatchStore.open(store.file, { mustExist: true });
    const walSize = () => statSync(`${store.file}-wal`).size;
    // A read transaction pins the log: PASSIVE checkpoints cannot let the writer start it over.
    const db = reader.rawForTests;
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM events').get();
    const writer = new InlineWriter(store);
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => writer.ingest(delivery(batch * 10 + i), [event(batch * 10 + i)])));
    }
    expect(walSize()).toBeGreaterThan(64 * 4096);
    db.exec('COMMIT');
    // The next commit wakes the thread: its PASSIVE checkpoint sees a long log and runs TRUNCATE.
    await writer.ingest(delivery(1000), [event(1000)]);
    await eventually(() => walSize() === 0, 'the log was truncated');
    await writer.close();
    await checkpointer.stop();
    reader.close();
    expect(store.counts()).toEqual({ events: 101, deliveries: 101 });
  });
});
