// Turns hub messages back into what the local store ingests (a delivery and its normalized event), and the follower's sink that stores a batch of them.
import type { NormalizedEvent } from '../events.js';
import type { CommittedDelivery, DeliveryRecord, FollowedItem, HookwatchStore } from '../store/store.js';
import type { HubRecord } from './encoding.js';
import type { FollowerSink } from './follower.js';

/**
 * The follower stores a hub event like a delivery of its own: the raw body and the request's
 * (credential-free) headers as the hub kept them, status 200, and the normalized event as the hub
 * made it (not normalized again, so hub and followers agree even across Hookwatch versions).
 * `remoteAddr` names the hub, not the provider's address, which followers have no need for.
 * The body is a view of the message's bytes, not a copy: it is written in the same batch and dropped.
 */
export function hubEventToIngest(
  r: Extract<HubRecord, { kind: 'event' }>,
  hubName: string,
): { delivery: DeliveryRecord; events: NormalizedEvent[] } {
  return { delivery: hubDelivery(r, `hub:${hubName}`), events: [r.record.event] };
}

function hubDelivery(r: Extract<HubRecord, { kind: 'event' }>, remoteAddr: string): DeliveryRecord {
  const req = r.record.request;
  const body = r.bodyOmitted === null ? Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) : null;
  return {
    receivedAt: r.record.receivedAt,
    method: req.method,
    path: req.path,
    forcedProvider: req.forcedProvider,
    remoteAddr,
    status: 200,
    reason: r.bodyOmitted === null ? null : `body of ${r.bodyOmitted} bytes not published by the hub (broker max_payload)`,
    latencyMs: 0,
    size: req.size,
    contentType: r.contentType ?? req.contentType,
    headers: req.headers,
    body,
    bodyTruncated: req.bodyTruncated || r.bodyOmitted !== null,
  };
}

/**
 * The follower's sink over its store: each batch is one local transaction (store.ingestFollowed) in
 * which every message id is claimed in hub_inbox and applied only the first time; events are stored as
 * the receiver stores them (delivery log with the raw body, feed, search, filters), account-state and
 * incident messages go to `applyState` inside the same transaction. Once committed, what was stored goes
 * to `afterCommit` (alerts, the live feed); the follower acks only after `apply` returns.
 */
export function followerStoreSink(
  store: HookwatchStore,
  hubName: string,
  hooks: {
    afterCommit?: (committed: CommittedDelivery[]) => void;
    applyState?: (record: HubRecord) => void;
    now?: () => number;
  } = {},
): FollowerSink & { duplicates: number; batches: number } {
  const remoteAddr = `hub:${hubName}`;
  const now = hooks.now ?? Date.now;
  const sink = {
    duplicates: 0,
    /** Local transactions so far (the benchmark reports records per transaction). */
    batches: 0,
    apply(records: HubRecord[]): void {
      const items: FollowedItem[] = new Array<FollowedItem>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        items[i] = {
          msgId: r.msgId,
          seq: r.seq,
          event: r.kind === 'event' ? { delivery: hubDelivery(r, remoteAddr), event: r.record.event } : null,
        };
      }
      sink.batches++;
      const done = store.ingestFollowed(items, now(), (i) => hooks.applyState?.(records[i]!));
      sink.duplicates += done.duplicates;
      hooks.afterCommit?.(done.committed);
    },
  };
  return sink;
}
