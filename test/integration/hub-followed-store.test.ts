// A follower's batch path (store.ingestFollowed) against a real SQLite file: it stores what the receiver's ingest stores, folds what the receiver folds, and applies each message id once.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blankEvent, type NormalizedEvent } from '../../main/core/events.js';
import { HookwatchStore, type DeliveryRecord, type FollowedItem } from '../../main/core/store/store.js';
import { hubTestBed } from '../support/hub.js';
import { webhookDelivery } from '../support/seed.js';

const bed = hubTestBed();

function open(name: string): HookwatchStore {
  const store = HookwatchStore.open(join(bed.tempDir(), `${name}.sqlite`), { durability: 'normal' });
  bed.defer(() => store.close());
  return store;
}

function delivery(n: number, at: number): DeliveryRecord {
  const body = Buffer.from(
    JSON.stringify({ event_type: 'message:received:new', message: { message_uid: `uid-${n}`, text: `Grüße ${n}` } }),
  );
  return {
    ...webhookDelivery(at, body),
    remoteAddr: 'hub:nats://hub.example:4222',
    latencyMs: 0,
    contentType: 'application/json; charset=utf-8',
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'TimelinesAI' },
  };
}

function message(n: number, over: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return {
    ...blankEvent('timelines', 'timelines.v2', 'message:received:new', `m:uid-${n}`),
    messageUid: `uid-${n}`,
    text: `Grüße ${n} 👋`,
    chatId: String(4800000 + (n % 3)),
    chatName: 'Dana',
    accountPhone: '+15555550100',
    direction: 'received',
    occurredAt: 1_760_000_000_000 + n,
    details: { status: 'delivered', n },
    ...over,
  };
}

const item = (n: number, event: NormalizedEvent, at: number): FollowedItem => ({
  msgId: `acme:event:${event.provider}:${event.type}:${event.dedupeKey}`,
  seq: n + 1,
  event: { delivery: delivery(n, at), event },
});

describe('follower batches (store.ingestFollowed) on a real SQLite file', () => {
  it('stores what the receiver stores: the same feed, filters, search, detail, delivery log and raw body', () => {
    const received = open('received');
    const followed = open('followed');
    const at = 1_760_000_100_000;
    const events = [0, 1, 2, 3, 4].map((n) => message(n));
    events.push({ ...blankEvent('timelines', 'timelines.v2', 'whatsapp:account:disconnected', 'h:abc'), accountPhone: '+15555550100' });
    for (const [i, e] of events.entries()) received.ingest(delivery(i, at + i), [e]);
    const batch = followed.ingestFollowed(
      events.map((e, i) => item(i, e, at + i)),
      at,
    );

    expect(batch.duplicates).toBe(0);
    // The batch reports what a read returns, like the receiver's commit.
    expect(batch.committed.map((c) => c.events[0])).toEqual(
      followed
        .listEvents()
        .reverse()
        .map((e) => ({ ...e, duplicate: false })),
    );
    expect(batch.committed.map((c) => c.delivery)).toEqual(followed.listDeliveries().reverse());
    received.indexSearch();
    followed.indexSearch();
    for (const filter of [
      {},
      { search: 'Grüße 3' },
      { account: '+15555550100' },
      { chat: '4800001' },
      { type: 'message' },
      { type: 'account' },
    ]) {
      expect(followed.listEvents(filter)).toEqual(received.listEvents(filter));
    }
    expect(followed.getEvent(3)).toEqual(received.getEvent(3));
    // Delivery ids start at 1: delivery 3 carried event index 2.
    expect(followed.getDeliveryBody(3)?.equals(delivery(2, at).body!)).toBe(true);
    expect(followed.listDeliveries()).toEqual(received.listDeliveries());
  });

  it('a message id applied before is skipped; other messages reach `other` in order, inside the transaction', () => {
    const store = open('dupes');
    const at = 1_760_000_100_000;
    const others: number[] = [];
    const first = store.ingestFollowed(
      [item(0, message(0), at), { msgId: 'acme:account:+1:disconnected:1', seq: 2, event: null }, item(2, message(2), at)],
      at,
      (i) => others.push(i),
    );
    expect(first.committed).toHaveLength(2);
    expect(others).toEqual([1]);
    // The same messages again (a crash between commit and ack brings them back), plus a new one.
    const again = store.ingestFollowed(
      [
        item(0, message(0), at),
        { msgId: 'acme:account:+1:disconnected:1', seq: 2, event: null },
        item(2, message(2), at),
        item(3, message(3), at),
      ],
      at,
      (i) => others.push(i),
    );
    expect(again.duplicates).toBe(3);
    expect(again.committed.map((c) => c.events[0]!.messageUid)).toEqual(['uid-3']);
    expect(others).toEqual([1]);
    expect(store.counts()).toEqual({ events: 3, deliveries: 3 });
    expect(store.hub.inboxIds().sort()).toHaveLength(4);

    // A failure inside the batch rolls back everything of it, its message ids included: it comes again and applies.
    expect(() =>
      store.ingestFollowed([item(4, message(4), at), { msgId: 'acme:incident:9:raised', seq: 6, event: null }], at, () => {
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(store.counts()).toEqual({ events: 3, deliveries: 3 });
    expect(store.hub.inboxIds()).toHaveLength(4);
  });

  it('folds a webhook onto the message this install recovered by catch-up, in a store and within one batch', () => {
    const store = open('twins');
    const at = 1_760_000_100_000;
    const recovered = { ...message(7, { shape: 'timelines.catchup' }), dedupeKey: 'uid:uid-7' };
    store.ingest(delivery(7, at), [recovered]);
    const webhook = message(7);
    const twinsInBatch = [message(8, { shape: 'timelines.catchup', dedupeKey: 'uid:uid-8' }), message(8)];
    const batch = store.ingestFollowed(
      [item(7, webhook, at + 1), item(8, twinsInBatch[0]!, at + 2), { ...item(9, twinsInBatch[1]!, at + 3), msgId: 'acme:m8-webhook' }],
      at + 5,
    );
    expect(
      batch.committed.map((c) => [c.events[0]!.messageUid, c.events[0]!.deliveryCount, c.events[0]!.duplicate, c.delivery.duplicate]),
    ).toEqual([
      ['uid-7', 2, true, true],
      ['uid-8', 1, false, false],
      ['uid-8', 2, true, true],
    ]);
    expect(store.listEvents().map((e) => [e.messageUid, e.shape, e.deliveryCount])).toEqual([
      ['uid-8', 'timelines.catchup', 2],
      ['uid-7', 'timelines.catchup', 2],
    ]);
    // Every delivery stays in the log with its raw body, the folded ones marked duplicate.
    expect(store.listDeliveries().map((d) => d.duplicate)).toEqual([true, false, true, false]);
  });

  it('a key already stored takes the receiver path: same content folds, other content gets its own content key', () => {
    const store = open('keys');
    const at = 1_760_000_100_000;
    store.ingest(delivery(1, at), [message(1)]);
    store.ingest(delivery(2, at), [message(2)]);
    const batch = store.ingestFollowed(
      [item(1, message(1), at + 1), { ...item(2, message(2, { text: 'edited' }), at + 2), msgId: 'acme:edited' }],
      at + 3,
    );
    const [same, other] = batch.committed.map((c) => c.events[0]!);
    expect(same).toMatchObject({ id: 1, deliveryCount: 2, duplicate: true });
    expect(other).toMatchObject({ deliveryCount: 1, duplicate: false, text: 'edited', details: { sameKeyAs: 2 } });
    expect(other!.dedupeKey).toMatch(/^m:uid-2#c:[0-9a-f]{16}$/);
    expect(store.getEvent(other!.id)).toMatchObject({ text: 'edited', dedupeKey: other!.dedupeKey });
  });

  it('a body-hash key (a repeated account event) is judged as the receiver judges it', () => {
    const received = open('hash-received');
    const followed = open('hash-followed');
    const at = 1_760_000_100_000;
    const suspended = { ...blankEvent('timelines', 'timelines.v2', 'whatsapp:account:suspended', 'h:same'), accountPhone: '+15555550100' };
    const resumed = { ...blankEvent('timelines', 'timelines.v2', 'whatsapp:account:resumed', 'h:other'), accountPhone: '+15555550100' };
    const sequence = [suspended, resumed, suspended];
    sequence.forEach((e, i) => received.ingest(delivery(i, at + i), [e]));
    sequence.forEach((e, i) => followed.ingestFollowed([{ ...item(i, e, at + i), msgId: `acme:${i}` }], at + i));
    const view = (s: HookwatchStore) => s.listEvents().map((e) => [e.type, e.dedupeKey, e.deliveryCount]);
    expect(view(followed)).toEqual(view(received));
    expect(view(followed)).toHaveLength(3);
  });
});
