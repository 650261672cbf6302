// The deliveries table: every request the receiver answered (the delivery log and the raw request).
import type { Db } from './db.js';
import { asRow, blobOrNull, flag, jsonStringMap, num, str, strOrNull, type SqlRow } from './hydrate.js';

/** A request as the receiver hands it to the store. */
export interface DeliveryRecord {
  receivedAt: number;
  method: string;
  path: string;
  forcedProvider: string | null;
  remoteAddr: string | null;
  status: number;
  reason: string | null;
  latencyMs: number;
  size: number;
  contentType: string | null;
  headers: Record<string, string>;
  body: Buffer | null;
  bodyTruncated: boolean;
}

/** A delivery-log row as read back: the request as logged (without its body: see `body`), plus what its events said. */
export interface StoredDelivery extends Omit<DeliveryRecord, 'body'> {
  id: number;
  /** Detected provider of an accepted request (its first event's); null for requests that produced none. */
  provider: string | null;
  /** Type of the first event, for health per type. */
  eventType: string | null;
  eventCount: number;
  /** Every event in it had been seen before. */
  duplicate: boolean;
}

/** What the store derives from a delivery's events when it writes the row. */
export interface DeliveryEventSummary {
  provider: string | null;
  eventType: string | null;
  eventCount: number;
}

const T = 'deliveries';
export const DELIVERY_COLUMNS = `id, received_at, method, path, forced_provider, remote_addr, status, reason, latency_ms, size, content_type,
  headers, provider, event_type, event_count, duplicate, body_truncated`;

export function hydrateDelivery(r: SqlRow): StoredDelivery {
  return {
    id: num(r, T, 'id'),
    receivedAt: num(r, T, 'received_at'),
    method: str(r, T, 'method'),
    path: str(r, T, 'path'),
    forcedProvider: strOrNull(r, T, 'forced_provider'),
    remoteAddr: strOrNull(r, T, 'remote_addr'),
    status: num(r, T, 'status'),
    reason: strOrNull(r, T, 'reason'),
    latencyMs: num(r, T, 'latency_ms'),
    size: num(r, T, 'size'),
    contentType: strOrNull(r, T, 'content_type'),
    headers: jsonStringMap(r, T, 'headers'),
    provider: strOrNull(r, T, 'provider'),
    eventType: strOrNull(r, T, 'event_type'),
    eventCount: num(r, T, 'event_count'),
    duplicate: flag(r, T, 'duplicate'),
    bodyTruncated: flag(r, T, 'body_truncated'),
  };
}

export class DeliveriesTable {
  constructor(private readonly db: Db) {}

  /**
   * Writes one row and returns it as `list` would read it back. Positional parameters: binding by name
   * costs a lookup per column, which made the two inserts of every webhook about a quarter slower (measured).
   */
  insert(d: DeliveryRecord, events: DeliveryEventSummary): StoredDelivery {
    const headers = JSON.stringify(d.headers);
    const id = Number(
      this.db
        .cached(
          `INSERT INTO deliveries
            (received_at, method, path, forced_provider, remote_addr, status, reason, latency_ms, size, content_type,
             headers, body, body_truncated, provider, event_type, event_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          d.receivedAt,
          d.method,
          d.path,
          d.forcedProvider,
          d.remoteAddr,
          d.status,
          d.reason,
          d.latencyMs,
          d.size,
          d.contentType,
          headers,
          d.body,
          d.bodyTruncated ? 1 : 0,
          events.provider,
          events.eventType,
          events.eventCount,
        ).lastInsertRowid,
    );
    return {
      id,
      receivedAt: d.receivedAt,
      method: d.method,
      path: d.path,
      forcedProvider: d.forcedProvider,
      remoteAddr: d.remoteAddr,
      status: d.status,
      reason: d.reason,
      latencyMs: d.latencyMs,
      size: d.size,
      contentType: d.contentType,
      headers: { ...d.headers },
      provider: events.provider,
      eventType: events.eventType,
      eventCount: events.eventCount,
      duplicate: false,
      bodyTruncated: d.bodyTruncated,
    };
  }

  markDuplicate(id: number): void {
    this.db.cached('UPDATE deliveries SET duplicate = 1 WHERE id = ?').run(id);
  }

  list(options: { limit?: number; beforeId?: number } = {}): StoredDelivery[] {
    const limit = Math.max(1, Math.min(options.limit ?? 1000, 100_000));
    const rows =
      options.beforeId !== undefined
        ? this.db.cached(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id < ? ORDER BY id DESC LIMIT ?`).all(options.beforeId, limit)
        : this.db.cached(`SELECT ${DELIVERY_COLUMNS} FROM deliveries ORDER BY id DESC LIMIT ?`).all(limit);
    return rows.map((r) => hydrateDelivery(asRow(r, T)));
  }

  /** The raw request body as received (capped for rejected requests); null when none was kept. */
  body(id: number): Buffer | null {
    const row: unknown = this.db.cached('SELECT body FROM deliveries WHERE id = ?').get(id);
    return row === undefined ? null : blobOrNull(asRow(row, T), T, 'body');
  }

  /**
   * Deletes up to `batch` rows received before `before` that no remaining event points at (those hold the
   * raw requests of kept events). Never the newest row: ids must keep growing (INTEGER PRIMARY KEY reuses
   * them once a table is empty).
   */
  prune(before: number, batch: number): number {
    return this.db
      .cached(
        `DELETE FROM deliveries WHERE id IN (
          SELECT d.id FROM deliveries d WHERE d.received_at < ? AND d.id < (SELECT max(id) FROM deliveries)
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.delivery_id = d.id)
          ORDER BY d.id LIMIT ?)`,
      )
      .run(before, batch).changes;
  }
}
