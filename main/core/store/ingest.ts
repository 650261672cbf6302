// One delivery and its events, written together: the record the receiver and every live view share.
import type { NormalizedEvent } from '../events.js';
import type { DeliveriesTable, DeliveryRecord, StoredDelivery } from './deliveries.js';
import type { EventsTable, StoredEvent } from './events.js';
import { outboxKey, type HubTables } from './outbox.js';

/** A stored event as this delivery left it, and whether this delivery was a redelivery of it. */
export interface IngestedEvent extends StoredEvent {
  /** The event had been stored before (this delivery only bumped its count). Same as `deliveryCount > 1`. */
  duplicate: boolean;
}

/**
 * What one commit stored: the delivery-log row and its events exactly as a later read returns them
 * (`listDeliveries`, `listEvents`), times and ids from the store. A request that produced no event has
 * `events: []`. The receiver hands this record on as is, so the live feed and health show what a reload shows.
 */
export interface CommittedDelivery {
  delivery: StoredDelivery;
  events: IngestedEvent[];
}

/** Writes the row and its events (no transaction of its own: the caller's is joined). */
export function writeDelivery(
  deliveries: DeliveriesTable,
  events: EventsTable,
  d: DeliveryRecord,
  normalized: readonly NormalizedEvent[],
  hub?: HubTables,
): CommittedDelivery {
  const first = normalized[0];
  const delivery = deliveries.insert(d, {
    provider: first?.provider ?? null,
    eventType: first?.type ?? null,
    eventCount: normalized.length,
  });
  // upsert says `duplicate` itself: copying each record with a spread to add it made a new hidden class per event.
  const stored: IngestedEvent[] = normalized.map((e) => events.upsert(delivery.id, d.receivedAt, e));
  if (stored.length > 0 && stored.every((e) => e.duplicate)) {
    deliveries.markDuplicate(delivery.id);
    delivery.duplicate = true;
  }
  // A hub publishes every new event: its outbox row commits with it, so "stored" means "will be published".
  const fresh = hub?.publishing ? stored.filter((e) => !e.duplicate) : [];
  if (fresh.length > 0) {
    hub!.enqueue(
      fresh.map((e) => ({ kind: 'event', eventId: e.id, type: e.type, msgId: outboxKey.event(e, e.id), createdAt: d.receivedAt })),
    );
  }
  return { delivery, events: stored };
}
