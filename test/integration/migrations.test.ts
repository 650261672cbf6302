import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blankEvent } from '../../main/core/events.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../main/core/store/migrations.js';
import { HookwatchStore, StoreError } from '../../main/core/store/store.js';
import { tempDir } from '../support/harness.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

function delivery(body: string) {
  return {
    receivedAt: Date.parse('2025-03-02T15:00:00Z'),
    method: 'POST',
    path: '/hooks/{secret}',
    forcedProvider: null,
    remoteAddr: '127.0.0.1',
    status: 200,
    reason: null,
    latencyMs: 1,
    size: body.length,
    contentType: 'application/json',
    headers: {},
    body: Buffer.from(body),
    bodyTruncated: false,
  };
}

describe('migrations', () => {
  it('has consecutive version numbers from 1', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('migrates a version-1 database with data in it, and the old rows become searchable', () => {
    const file = join(tmp.dir, 'old.sqlite3');
    const v1 = HookwatchStore.open(file, { migrateTo: 1 });
    expect(v1.schemaVersion).toBe(1);
    const e = {
      ...blankEvent('timelines', 'timelines.v2', 'message:received:new', 'uid:old-1'),
      text: 'Parcel delivered to reception',
      accountPhone: '+15555550100',
    };
    const { events } = v1.ingest(delivery('{"old":true}'), [e]);
    v1.meta.set('webhookSecret', 'kept-secret');
    v1.close();

    const latest = HookwatchStore.open(file);
    expect(latest.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(latest.listEvents({ search: 'parcel' }).map((x) => x.id)).toEqual([events[0]!.id]);
    expect(latest.getEvent(events[0]!.id)!.request.body!.toString()).toBe('{"old":true}');
    expect(latest.webhookSecret()).toBe('kept-secret');
    // New rows are indexed by the trigger the migration added.
    latest.ingest(delivery('{"new":true}'), [{ ...e, dedupeKey: 'uid:new-1', text: 'Second parcel' }]);
    expect(latest.listEvents({ search: 'parcel' })).toHaveLength(2);
    latest.close();
  });

  it('refuses a database written by a newer Hookwatch, and leaves it untouched', () => {
    const file = join(tmp.dir, 'future.sqlite3');
    HookwatchStore.open(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => HookwatchStore.open(file)).toThrow(StoreError);
    expect(() => HookwatchStore.open(file)).toThrow(/newer Hookwatch \(schema \d+; this build knows up to \d+\)/);
    const after = new Database(file);
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 5);
    after.close();
  });

  it('says clearly when the file is not a database', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(tmp.dir, 'garbage.sqlite3');
    writeFileSync(file, 'this is not sqlite at all'.repeat(100));
    expect(() => HookwatchStore.open(file)).toThrow(/is not a readable Hookwatch database/);
  });
});

describe('the full-text index, kept in batches', () => {
  it('finds an event stored a moment ago, and stays consistent when unindexed rows are deleted or changed', () => {
    const file = join(tmp.dir, 'fts.sqlite3');
    const store = HookwatchStore.open(file);
    const add = (uid: string, text: string) =>
      store.ingest(delivery(`{"${uid}":1}`), [
        { ...blankEvent('timelines', 'timelines.v2', 'message:new', `uid:${uid}`), text, messageUid: uid },
      ]).events[0]!.id;
    const a = add('a', 'alpha parcel');
    expect(store.listEvents({ search: 'alpha' }).map((e) => e.id)).toEqual([a]); // indexed on demand
    const b = add('b', 'bravo parcel');
    const c = add('c', 'charlie parcel');
    // b and c are not indexed yet: deleting and changing them must not touch the index.
    store.rawForTests.prepare('DELETE FROM events WHERE id = ?').run(b);
    store.rawForTests.prepare("UPDATE events SET text = 'charlie letter' WHERE id = ?").run(c);
    store.rawForTests.prepare("UPDATE events SET text = 'alpha letter' WHERE id = ?").run(a); // indexed: re-indexed by trigger
    expect(store.listEvents({ search: 'parcel' })).toEqual([]);
    expect(store.listEvents({ search: 'letter' }).map((e) => e.id)).toEqual([c, a]);
    expect(() => store.rawForTests.prepare("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')").run()).not.toThrow();
    store.close();
  });
});
