// Forwarding against a real nats-server and real HTTP destinations on 127.0.0.1: retries deliver the exact bytes once, a dead destination holds back nothing else, and give-ups are parked.
import { describe, expect, it } from 'vitest';
import { DestinationForwarder, ForwarderPool, storeForwardLog } from '../../main/core/hub/forwarder.js';
import { hubTestBed, rawBody } from '../support/hub.js';
import { eventually, natsServerAvailable } from '../support/nats.js';

const bed = hubTestBed();

/** A hub with its publisher, connected: forwarders read the stream it fills. */
async function hubWithPublisher() {
  const hub = await bed.hubWithPublisher();
  await hub.link.connection();
  return hub;
}

describe.skipIf(!natsServerAvailable)('hub forwarding with a real nats-server', () => {
  it('a destination that fails three times then succeeds receives the exact bytes and content type once', async () => {
    const { hub, link, publisher } = await hubWithPublisher();
    const dest = await bed.destination((n) => (n < 3 ? 503 : 200));
    const d = hub.store.hub.addDestination({ url: dest.url, types: [], createdAt: Date.now() - 1000 });
    const fwd = new DestinationForwarder({ link, destination: d, log: storeForwardLog(hub.store), backoffMs: [100, 200, 300] });
    bed.defer(() => fwd.stop());
    fwd.start();

    const msgId = hub.ingest(42);
    publisher.notify();
    await eventually('delivered after three failures', () => fwd.status().delivered === 1);
    // Give a wrong extra redelivery the time it would need to show up (ack wait and backoff are far shorter).
    await new Promise((r) => setTimeout(r, 1000));

    expect(dest.got.map((g) => g.answered)).toEqual([503, 503, 503, 200]);
    const ok = dest.got.filter((g) => g.answered === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.body.equals(rawBody(42))).toBe(true);
    expect(ok[0]!.contentType).toBe('application/json; charset=utf-8');
    expect(ok[0]!.eventId).toBe(msgId);
    const log = hub.store.hub.listForwardLog(d.id).reverse();
    expect(log.map((l) => [l.outcome, l.attempt, l.status])).toEqual([
      ['failed', 1, 503],
      ['failed', 2, 503],
      ['failed', 3, 503],
      ['delivered', 4, 200],
    ]);
    expect(hub.store.hub.forwardSummary()).toEqual([
      { destinationId: d.id, delivered: 1, failed: 3, parked: 0, lastAt: expect.any(Number), lastOutcome: 'delivered' },
    ]);
  });

  it('a dead destination does not slow another; each gets only its types', async () => {
    const { hub, link, publisher } = await hubWithPublisher();
    const dead = await bed.destination(() => 'hang');
    const live = await bed.destination(() => 204);
    const now = Date.now() - 1000;
    const dDead = hub.store.hub.addDestination({ url: dead.url, types: [], createdAt: now });
    const dLive = hub.store.hub.addDestination({ url: live.url, types: ['message:received:new'], createdAt: now });
    // The dead one would need 60 s per attempt: far beyond this test, so the live one must not wait for it.
    const pool = new ForwarderPool({ link, log: storeForwardLog(hub.store), timeoutMs: 60_000, inFlight: 2 });
    bed.defer(() => pool.stop());
    await pool.sync([dDead, dLive]);

    const expected: Buffer[] = [];
    for (let n = 0; n < 60; n++) {
      if (n % 10 === 9) hub.ingest(n, 'chat:new');
      else {
        hub.ingest(n);
        expected.push(rawBody(n));
      }
    }
    publisher.notify();
    await eventually('live destination received all its events', () => live.got.length === expected.length, 20_000);
    expect(live.got.map((g) => g.body.toString()).sort()).toEqual(expected.map((b) => b.toString()).sort());
    // The destination sees a request before the forwarder has read its answer: wait for the count to catch up.
    const liveStatus = () => pool.status().find((s) => s.destinationId === dLive.id);
    await eventually('live destination counted all its deliveries', () => liveStatus()?.delivered === expected.length);
    const byId = new Map(pool.status().map((s) => [s.destinationId, s]));
    expect(byId.get(dLive.id)).toMatchObject({ delivered: expected.length, failed: 0 });
    expect(byId.get(dDead.id)).toMatchObject({ delivered: 0 });
    // The dead destination got at most its in-flight limit, all still hanging.
    expect(dead.got.length).toBeLessThanOrEqual(2);

    // Removing the dead destination deletes its consumer on the server.
    await pool.sync([dLive]);
    expect(pool.status().map((s) => s.destinationId)).toEqual([dLive.id]);
  });

  it('parks a message after the retry period and logs it', async () => {
    const { hub, link, publisher } = await hubWithPublisher();
    const dest = await bed.destination(() => 500);
    const d = hub.store.hub.addDestination({ url: dest.url, types: [], createdAt: Date.now() - 1000 });
    const fwd = new DestinationForwarder({ link, destination: d, log: storeForwardLog(hub.store), backoffMs: [100], retryForMs: 800 });
    bed.defer(() => fwd.stop());
    fwd.start();
    hub.ingest(1);
    publisher.notify();
    await eventually('parked', () => fwd.status().parked === 1);
    const attempts = dest.got.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(dest.got.length).toBe(attempts); // terminated: JetStream delivers it no more
    const log = hub.store.hub.listForwardLog(d.id);
    expect(log[0]).toMatchObject({ outcome: 'parked', status: 500 });
    expect(log.filter((l) => l.outcome === 'failed').length).toBe(attempts - 1);
  });
});
