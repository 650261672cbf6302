// A follower's batch of hub messages in one transaction: each claimed in hub_inbox, each event written by a short path that skips the checks its hub already made.
import type { NormalizedEvent } from '../events.js';
import type { Db } from './db.js';
import type { DeliveriesTable, DeliveryRecord } from './deliveries.js';
import type { EventsTable } from './events.js';
import { writeDelivery, type CommittedDelivery, type IngestedEvent } from './ingest.js';
import type { HubTables } from './outbox.js';

/** One message of a follower's batch: an event (with the delivery that carries it) or something else (`event: null`). */
export interface FollowedItem {
  /** Nats-Msg-Id: claimed in hub_inbox, so a message brought again (crash between commit and ack) is applied once. */
  msgId: string;
  /** Stream sequence, kept in hub_inbox beside the id. */
  seq: number;
  event: { delivery: DeliveryRecord; event: NormalizedEvent } | null;
}

export interface FollowedBatch {
  /** What the batch stored, one entry per new event message, as the receiver's commits report it. */
  committed: CommittedDelivery[];
  /** Messages skipped because they were applied before. */
  duplicates: number;
}

const isCatchup = (shape: string): boolean => shape === 'timelines.catchup';

/**
 * The receiver's ingest (ingest.ts, EventsTable.upsert) checks, for every event, whether it is a redelivery:
 * by its key (and, for a key already stored, by its content), by its message uid across catch-up, and
 * whether a body-hash key names a new occurrence. For a followed event the hub made those checks before it
 * published (it publishes an event only the first time it stores it), so on a follower they find nothing in
 * nearly every case. This path asks SQLite the cheap questions that tell when they could find something,
 * and only then takes the receiver's full path:
 * - the key: a plain `INSERT … ON CONFLICT DO NOTHING`; a key already stored (a conflict, nothing written)
 *   goes through `EventsTable.upsert`, which then folds it, keys it by content or retires the old body-hash
 *   key exactly as for a received event. Without a stored key those checks change nothing (they only touch
 *   rows of the same key).
 * - the message uid across catch-up: one query per batch for the batch's message uids; an event whose uid
 *   is already stored (or comes earlier in the batch) with the other side of the catch-up shape takes the
 *   full path too.
 * What this saves per event: the three lookups and updates that precede the insert, and re-parsing the
 * details for the returned record (the caller's object comes fresh from the hub's JSON and is handed over,
 * not shared). The delivery row and the event's INSERT are the receiver's own (DeliveriesTable.insert,
 * EventsTable.insertNew).
 */
export class FollowedWriter {
  private statements: {
    claim: ReturnType<Db['cached']>;
    uids: ReturnType<Db['cached']>;
  } | null = null;

  constructor(
    private readonly db: Db,
    private readonly events: EventsTable,
    private readonly deliveries: DeliveriesTable,
    private readonly hub: HubTables,
  ) {}

  /** Prepared on first use: a database migrated only part way (tests of old schemas) has no hub_inbox yet. */
  private prepared() {
    this.statements ??= {
      claim: this.db.cached('INSERT OR IGNORE INTO hub_inbox (msg_id, stream_seq, applied_at) VALUES (?, ?, ?)'),
      // Same conditions as EventsTable's catch-up check (message events, not reactions); the shape is compared in JS.
      uids: this.db.cached(
        `SELECT DISTINCT message_uid AS uid, provider, shape = 'timelines.catchup' AS catchup FROM events
          WHERE message_uid IS NOT NULL AND message_uid IN (SELECT value FROM json_each(?))
            AND type LIKE 'message:%' AND type != 'message:reaction'`,
      ),
    };
    return this.statements;
  }

  /**
   * Applies the batch in the caller's transaction, in order: claims each message id (a message applied
   * before is skipped and counted), writes each new event with its delivery, and hands every other new
   * message to `other(index)` (account states, incidents), all in the same transaction.
   */
  write(items: readonly FollowedItem[], at: number, other: (index: number) => void): FollowedBatch {
    const s = this.prepared();
    const committed: CommittedDelivery[] = [];
    let duplicates = 0;
    // The receiver's full path also queues a hub's outbox rows; a follower does not publish, but if this
    // store ever did, the full path keeps that guarantee.
    const full = this.hub.publishing;
    // "<provider> <0|1 catch-up shape> <uid>" of message events stored before this batch or written in it.
    const seen = full ? null : this.storedMessageUids(items);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (s.claim.run(item.msgId, item.seq, at).changes !== 1) {
        duplicates++;
        continue;
      }
      if (item.event === null) {
        other(i);
        continue;
      }
      const { delivery: d, event: e } = item.event;
      if (seen === null) {
        committed.push(writeDelivery(this.deliveries, this.events, d, [e], this.hub));
        continue;
      }
      const uidKey = isCatchupCandidate(e) ? `${e.provider} ${isCatchup(e.shape) ? 1 : 0} ${e.messageUid!}` : null;
      committed.push(this.writeOne(d, e, uidKey !== null && seen.has(`${e.provider} ${isCatchup(e.shape) ? 0 : 1} ${e.messageUid!}`)));
      if (uidKey !== null) seen.add(uidKey);
    }
    return { committed, duplicates };
  }

  /** Message uids of the batch already stored, keyed as `write` looks them up. */
  private storedMessageUids(items: readonly FollowedItem[]): Set<string> {
    const uids: string[] = [];
    for (const item of items) if (item.event && isCatchupCandidate(item.event.event)) uids.push(item.event.event.messageUid!);
    const seen = new Set<string>();
    if (uids.length === 0) return seen;
    for (const row of this.prepared().uids.raw().all(JSON.stringify(uids)) as Array<[string, string, number]>) {
      seen.add(`${row[1]} ${row[2]} ${row[0]}`);
    }
    return seen;
  }

  private writeOne(d: DeliveryRecord, e: NormalizedEvent, twinStored: boolean): CommittedDelivery {
    const delivery = this.deliveries.insert(d, { provider: e.provider, eventType: e.type, eventCount: 1 });
    // The plain INSERT of the receiver's path (no guard: the batch's uid query stood for it), its record
    // taking the caller's details object, which comes fresh from the hub's JSON.
    const inserted = twinStored ? null : this.events.insertNew(delivery.id, d.receivedAt, e, JSON.stringify(e.details), false, e.details);
    let event: IngestedEvent;
    if (inserted !== null) {
      event = inserted;
    } else {
      // A key or a catch-up twin already stored: the receiver's full path decides, as for a received event.
      const row = this.events.upsert(delivery.id, d.receivedAt, e);
      event = { ...row, duplicate: row.deliveryCount > 1 };
      if (event.duplicate) {
        this.deliveries.markDuplicate(delivery.id);
        delivery.duplicate = true;
      }
    }
    return { delivery, events: [event] };
  }
}

/** A message event (not a reaction) with a uid: what the catch-up check of EventsTable.upsert looks at. */
function isCatchupCandidate(e: NormalizedEvent): boolean {
  return e.messageUid !== null && e.type.startsWith('message:') && e.type !== 'message:reaction';
}
