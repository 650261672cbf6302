import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliverySummary, EventSummary, HookwatchNotification } from '../../main/contract/api.js';
import { HookwatchService } from '../../main/core/api/service.js';
import { HookwatchCore } from '../../main/core/core.js';
import type { CommittedDelivery } from '../../main/core/store/store.js';
import { FIXTURES, postJson, tempDir } from '../support/harness.js';

/**
 * One record from the commit to the window: what the receiver streams live (the core's onCommitted, and
 * the API service's notifications built from it) must be exactly what a reload reads back from the store,
 * received time included, for both ways of writing (main thread, writer thread).
 */

const fixture = (name: string) => readFileSync(join(FIXTURES, 'payloads', name), 'utf8');

const stopAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stopAll.splice(0)) await stop();
});

async function start(writerThread: boolean) {
  const tmp = tempDir();
  const core = await HookwatchCore.start({ dataDir: tmp.dir, port: 0, durability: 'normal', writerThread, log: () => {} });
  // The service's clock runs a minute ahead: every time it streams must come from the store, not from it.
  const service = new HookwatchService({ core, batchMs: 5, warmHealthAfterMs: null, now: () => Date.now() + 60_000 });
  const committed: CommittedDelivery[] = [];
  const notes: HookwatchNotification[] = [];
  core.onCommitted((c) => committed.push(c));
  service.subscribe((n) => notes.push(n));
  stopAll.push(async () => {
    service.close();
    await core.stop();
    tmp.cleanup();
  });
  const streamed = () => ({
    events: notes.flatMap((n): EventSummary[] => (n.kind === 'events' ? n.data.events : [])),
    redelivered: notes.flatMap((n) => (n.kind === 'events' ? n.data.redelivered : [])),
    deliveries: notes.flatMap((n): DeliverySummary[] => (n.kind === 'deliveries' ? n.data.deliveries : [])),
  });
  /** Waits (bounded) until the service has streamed `count` deliveries. */
  const settled = async (count: number) => {
    for (let i = 0; i < 400 && streamed().deliveries.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    expect(streamed().deliveries).toHaveLength(count);
  };
  return { core, service, committed, streamed, settled, url: core.receiver.localUrl };
}

describe.each([
  ['on the main thread', false],
  ['on the writer thread', true],
])('the live record, written %s', (_label, writerThread) => {
  it('equals the same record read back from the store: same ids, receivedAt, provider and type', async () => {
    const s = await start(writerThread);
    const res = await postJson(s.url, fixture('tl_message_new.json'));
    expect(res.status).toBe(200);
    await s.settled(1);

    // The core hands on what the store committed, exactly as a later read returns it.
    expect(s.committed).toHaveLength(1);
    const [{ delivery, events }] = s.committed as [CommittedDelivery];
    const storedDelivery = s.core.store.listDeliveries({ limit: 10 }).find((d) => d.id === delivery.id);
    expect(delivery).toEqual(storedDelivery);
    expect(events).toHaveLength(1);
    const { duplicate, ...event } = events[0]!;
    expect(duplicate).toBe(false);
    expect(event).toEqual(s.core.store.listEvents({ limit: 10 }).find((e) => e.id === event.id));
    expect(event.deliveryId).toBe(delivery.id);
    expect(event.receivedAt).toBe(delivery.receivedAt);
    expect(res.json.events[0]).toEqual({ id: event.id, type: event.type, duplicate: false, deliveries: 1 });

    // The API service streams that record as is: the feed row a reload shows, and the delivery as health lists it.
    const live = s.streamed();
    const page = await s.service.api.listEvents({ limit: 10 });
    expect(live.events).toEqual(page.events.filter((e) => e.id === event.id));
    expect(live.events[0]).toMatchObject({ receivedAt: storedDelivery!.receivedAt, provider: 'timelines', type: 'message:new' });
    expect(live.deliveries).toEqual([
      {
        id: storedDelivery!.id,
        receivedAt: storedDelivery!.receivedAt,
        status: 200,
        provider: storedDelivery!.provider,
        eventType: storedDelivery!.eventType,
      },
    ]);
    expect(live.deliveries[0]).toMatchObject({ provider: 'timelines', eventType: 'message:new' });
  });

  it('a redelivery streams the stored count and last delivery time; a rejected request streams its logged row', async () => {
    const s = await start(writerThread);
    const body = fixture('tl_account_disconnected.json');
    const first = await postJson(s.url, body);
    const again = await postJson(s.url, body);
    const rejected = await postJson(`${s.url}/timelines`, '{"truncated":');
    expect([first.status, again.status, rejected.status]).toEqual([200, 200, 400]);
    await s.settled(3);

    const id = first.json.events[0].id as number;
    const stored = s.core.store.getEvent(id)!;
    expect(stored.deliveryCount).toBe(2);
    const second = s.committed[1]!;
    expect(second.events[0]).toMatchObject({
      id,
      duplicate: true,
      deliveryCount: 2,
      lastDeliveredAt: stored.lastDeliveredAt,
      receivedAt: stored.receivedAt,
    });
    expect(second.delivery).toEqual(s.core.store.listDeliveries({ limit: 10 }).find((d) => d.id === second.delivery.id));
    expect(second.delivery.duplicate).toBe(true);
    expect(s.streamed().redelivered).toEqual([{ id, deliveryCount: 2, lastDeliveredAt: stored.lastDeliveredAt }]);

    const logged = s.committed[2]!;
    expect(logged.events).toEqual([]);
    const row = s.core.store.listDeliveries({ limit: 10 }).find((d) => d.id === logged.delivery.id)!;
    expect(logged.delivery).toEqual(row);
    expect(row).toMatchObject({ status: 400, forcedProvider: 'timelines', provider: null, eventType: null });
    expect(s.streamed().deliveries[2]).toEqual({
      id: row.id,
      receivedAt: row.receivedAt,
      status: 400,
      provider: 'timelines',
      eventType: null,
    });
  });
});
