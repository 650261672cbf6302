// Hub follower against a real nats-server: a durable consumer that resumes after a stop, acks after the local commit, and stores every message exactly once.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubRecord } from '../../main/core/hub/encoding.js';
import { storeInboxSink, type FollowerSink } from '../../main/core/hub/follower.js';
import { HookwatchStore } from '../../main/core/store/store.js';
import { countOf, hubTestBed, rawBody } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const bed = hubTestBed();

/** The follower's own database: the hub tables plus a simple table of what it stored and the alerts it raised. */
function followerDb(file: string) {
  const store = HookwatchStore.open(file, { durability: 'normal' });
  bed.defer(() => store.close());
  // The test's own record of what was applied sits beside the real hub tables, in the same file and transaction.
  const db = store.rawForTests;
  db.exec(`CREATE TABLE followed (msg_id TEXT NOT NULL, kind TEXT NOT NULL, type TEXT, body BLOB, content_type TEXT);
           CREATE TABLE raised (account TEXT NOT NULL, state TEXT NOT NULL);`);
  const put = db.prepare('INSERT INTO followed (msg_id, kind, type, body, content_type) VALUES (?, ?, ?, ?, ?)');
  const raise = db.prepare('INSERT INTO raised (account, state) VALUES (?, ?)');
  const applyNew = (r: HubRecord) => {
    if (r.kind === 'event') put.run(r.msgId, r.kind, r.record.event.type, Buffer.from(r.body), r.contentType);
    else {
      put.run(r.msgId, r.kind, r.type, null, null);
      const rec = r.record as { key: string; state: string };
      // The follower's own alert choice: outages alert.
      if (r.kind === 'account' && (rec.state === 'disconnected' || rec.state === 'suspended')) raise.run(rec.key, rec.state);
    }
  };
  return { store, db, applyNew };
}

describe.skipIf(!natsServerAvailable)('hub follower with a real nats-server', () => {
  it('stopped while 600 events and an account outage arrive, restarted: all stored exactly once and the outage alerted', async () => {
    const { dir, nats, hub, publisher } = await bed.hubWithPublisher({ name: 'hookwatch-hub' });

    const local = followerDb(join(dir, 'follower.sqlite'));
    const count = () => countOf(local.db, 'SELECT count(*) AS n FROM followed');

    // Run 1: follow, receive 10 events, stop.
    const sink1 = storeInboxSink(local.store, local.applyNew);
    let following = 0;
    let { link, follower } = bed.follower(nats.url, {
      linkName: 'hookwatch-follow-laptop',
      name: 'laptop',
      sink: sink1,
      ackWaitMs: 10_000,
      onFollowing: () => following++,
    });
    const firstIds: string[] = [];
    for (let n = 0; n < 10; n++) firstIds.push(hub.ingest(n));
    publisher.notify();
    await eventually('first 10 stored', () => count() === 10);
    expect(following).toBe(1);
    await follower.stop();
    await link.close();

    // While the follower is away: 600 events and an outage.
    for (let n = 10; n < 610; n++) hub.ingest(n);
    hub.accountChange('+15555550100', 'disconnected', Date.now());
    publisher.notify();
    await eventually('hub published everything', () => publisher.status().backlog === 0);

    // Run 2, same name: resumes. Its first batch commits and then "crashes" before the ack, so that
    // batch comes again from the server and must be skipped by message id.
    const sink2 = storeInboxSink(local.store, local.applyNew);
    let crashedBatch = 0;
    const seenInRun2 = new Set<string>();
    const crashingOnce: FollowerSink = {
      apply(records) {
        for (const r of records) seenInRun2.add(r.msgId);
        sink2.apply(records);
        if (crashedBatch === 0) {
          crashedBatch = records.length;
          throw new Error('simulated crash after the local commit, before the ack');
        }
      },
    };
    ({ link, follower } = bed.follower(nats.url, { linkName: 'hookwatch-follow-laptop', name: 'laptop', sink: crashingOnce }));
    await eventually('all 611 stored', () => count() === 611, 30_000);
    await eventually('caught up', () => follower.status().behind === 0, 10_000);

    expect(crashedBatch).toBeGreaterThan(0);
    // The crashed batch came again and was skipped by its message id; run 1's events were not sent again (resumed, not replayed).
    expect(sink2.duplicates).toBeGreaterThanOrEqual(crashedBatch);
    expect(firstIds.filter((id) => seenInRun2.has(id))).toEqual([]);
    const distinct = countOf(local.db, 'SELECT count(DISTINCT msg_id) AS n FROM followed');
    expect(distinct).toBe(611);
    expect(local.db.prepare('SELECT account, state FROM raised').all()).toEqual([{ account: '+15555550100', state: 'disconnected' }]);
    const row = local.db.prepare("SELECT body, content_type FROM followed WHERE msg_id LIKE '%uid-123'").get() as {
      body: Buffer;
      content_type: string;
    };
    expect(row.body.equals(rawBody(123))).toBe(true);
    expect(row.content_type).toBe('application/json; charset=utf-8');
    expect(follower.status()).toMatchObject({ state: 'following', consumer: 'hookwatch-follow-laptop', lastError: null });
  });

  it('survives a broker restart while following, and resumes without losing or repeating a message', async () => {
    const { dir, nats, hub, publisher } = await bed.hubWithPublisher({ publishTimeoutMs: 1000 });
    const local = followerDb(join(dir, 'follower.sqlite'));
    const count = () => countOf(local.db, 'SELECT count(*) AS n FROM followed');
    bed.follower(nats.url, { name: 'desk', sink: storeInboxSink(local.store, local.applyNew) });

    for (let n = 0; n < 100; n++) hub.ingest(n);
    publisher.notify();
    await eventually('first 100 followed', () => count() === 100);
    await nats.kill9();
    for (let n = 100; n < 300; n++) hub.ingest(n);
    publisher.notify();
    await new Promise((r) => setTimeout(r, 500));
    await nats.startAgain();
    await eventually('all 300 followed after the broker restart', () => count() === 300, 40_000);
    const distinct = countOf(local.db, 'SELECT count(DISTINCT msg_id) AS n FROM followed');
    expect(distinct).toBe(300);
  });
});
