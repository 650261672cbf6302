// SQL of the team hub: the outbox the hub drains to NATS, the follower's inbox of applied messages, forwarding destinations and their delivery log.
import type { Db } from './db.js';
import { StoreDataError } from './errors.js';
import { asRow, blobOrNull, flag, num, numOrNull, oneOf, oneOfOrNull, parseJsonColumn, str, strOrNull, type SqlRow } from './hydrate.js';

export const OUTBOX_KINDS = ['event', 'account', 'incident'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxInsert {
  kind: OutboxKind;
  /** kind 'event': the stored event's id. */
  eventId?: number;
  type: string;
  msgId: string;
  /** kinds 'account' and 'incident': the record to publish (JSON-serializable). */
  payload?: unknown;
  createdAt: number;
}

/**
 * The message key an outbox row carries: its Nats-Msg-Id without the workspace, which the publisher
 * prefixes (docs/hub.md). Kept here so the receiver's transaction (possibly on the writer thread) can
 * write it without knowing the hub's settings.
 * An event's key is its own (provider, type, dedupe key), so the same webhook published twice (a re-send
 * after a crash, or two hubs of one workspace) is stored once by JetStream. A body-hash key (`h:`) names
 * a payload, not an occurrence ("suspended" twice is two events with one hash), so those carry the
 * hub's event id as well.
 */
export const outboxKey = {
  event(e: { provider: string; type: string; dedupeKey: string }, eventId: number): string {
    const base = `event:${e.provider}:${e.type}:${e.dedupeKey}`;
    return e.dedupeKey.startsWith('h:') ? `${base}@${eventId}` : base;
  },
  /** An account-state change: the account, its new state and when that state began. */
  account(a: { key: string; state: string; since: number | null }, at: number): string {
    return `account:${a.key}:${a.state}:${a.since ?? at}`;
  },
  /** An incident change (an alert raised, acknowledged) of this hub. */
  incident(alertId: number, change: string): string {
    return `incident:${alertId}:${change}`;
  },
};

/** An events row joined with its delivery, as the publisher needs it. */
export interface OutboxEventRow {
  id: number;
  deliveryId: number;
  receivedAt: number;
  occurredAt: number | null;
  provider: string;
  shape: string;
  type: string;
  originalType: string | null;
  dedupeKey: string;
  deliveryCount: number;
  accountPhone: string | null;
  accountId: string | null;
  accountName: string | null;
  chatId: string | null;
  chatName: string | null;
  chatPhone: string | null;
  messageUid: string | null;
  direction: string | null;
  text: string | null;
  details: string;
  request: {
    method: string;
    path: string;
    forcedProvider: string | null;
    contentType: string | null;
    headers: string;
    body: Buffer | null;
    bodyTruncated: boolean;
    size: number;
  };
}

export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  type: string;
  msgId: string;
  createdAt: number;
  /** kind 'event': the event, or null when retention removed it before it could be sent. */
  event: OutboxEventRow | null;
  /** kinds 'account' and 'incident': the JSON text. */
  payload: string | null;
}

const O = 'hub_outbox';

/** An outbox row joined with its event and delivery (LEFT JOIN: the event may be gone). */
export function hydrateOutboxRow(r: SqlRow): OutboxRow {
  const kind = oneOf(r, O, 'o_kind', OUTBOX_KINDS);
  const eventId = numOrNull(r, O, 'id');
  const body = blobOrNull(r, O, 'd_body');
  return {
    id: num(r, O, 'o_id'),
    kind,
    type: str(r, O, 'o_type'),
    msgId: str(r, O, 'o_msg_id'),
    createdAt: num(r, O, 'o_created_at'),
    payload: strOrNull(r, O, 'o_payload'),
    event:
      kind !== 'event' || eventId === null
        ? null
        : {
            id: eventId,
            deliveryId: num(r, O, 'delivery_id'),
            receivedAt: num(r, O, 'received_at'),
            occurredAt: numOrNull(r, O, 'occurred_at'),
            provider: str(r, O, 'provider'),
            shape: str(r, O, 'shape'),
            type: str(r, O, 'type'),
            originalType: strOrNull(r, O, 'original_type'),
            dedupeKey: str(r, O, 'dedupe_key'),
            deliveryCount: num(r, O, 'delivery_count'),
            accountPhone: strOrNull(r, O, 'account_phone'),
            accountId: strOrNull(r, O, 'account_id'),
            accountName: strOrNull(r, O, 'account_name'),
            chatId: strOrNull(r, O, 'chat_id'),
            chatName: strOrNull(r, O, 'chat_name'),
            chatPhone: strOrNull(r, O, 'chat_phone'),
            messageUid: strOrNull(r, O, 'message_uid'),
            direction: strOrNull(r, O, 'direction'),
            text: strOrNull(r, O, 'text'),
            details: str(r, O, 'details'),
            request: {
              method: strOrNull(r, O, 'd_method') ?? 'POST',
              path: strOrNull(r, O, 'd_path') ?? '',
              forcedProvider: strOrNull(r, O, 'd_forced_provider'),
              contentType: strOrNull(r, O, 'd_content_type'),
              headers: strOrNull(r, O, 'd_headers') ?? '{}',
              body,
              bodyTruncated: r.d_body_truncated === null ? false : flag(r, O, 'd_body_truncated'),
              size: numOrNull(r, O, 'd_size') ?? body?.length ?? 0,
            },
          },
  };
}

export interface ForwardDestination {
  id: number;
  url: string;
  /** Event types (or groups) to forward; empty: all events. */
  types: string[];
  createdAt: number;
}

const FD = 'forward_destinations';

export function hydrateForwardDestination(r: SqlRow): ForwardDestination {
  const types = parseJsonColumn(r, FD, 'types');
  if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string')) {
    throw new StoreDataError(`${FD}.types: expected a JSON array of text`);
  }
  return { id: num(r, FD, 'id'), url: str(r, FD, 'url'), types, createdAt: num(r, FD, 'created_at') };
}

export const FORWARD_OUTCOMES = ['delivered', 'failed', 'parked'] as const;
export type ForwardOutcome = (typeof FORWARD_OUTCOMES)[number];

export interface ForwardLogEntry {
  destinationId: number;
  at: number;
  msgId: string;
  streamSeq: number;
  eventType: string | null;
  attempt: number;
  outcome: ForwardOutcome;
  status: number | null;
  error: string | null;
  latencyMs: number | null;
}

const FL = 'forward_log';

export function hydrateForwardLogEntry(r: SqlRow): ForwardLogEntry {
  return {
    destinationId: num(r, FL, 'destination_id'),
    at: num(r, FL, 'at'),
    msgId: str(r, FL, 'msg_id'),
    streamSeq: num(r, FL, 'stream_seq'),
    eventType: strOrNull(r, FL, 'event_type'),
    attempt: num(r, FL, 'attempt'),
    outcome: oneOf(r, FL, 'outcome', FORWARD_OUTCOMES),
    status: numOrNull(r, FL, 'status'),
    error: strOrNull(r, FL, 'error'),
    latencyMs: numOrNull(r, FL, 'latency_ms'),
  };
}

export interface ForwardSummary {
  destinationId: number;
  delivered: number;
  failed: number;
  parked: number;
  lastAt: number | null;
  lastOutcome: ForwardOutcome | null;
}

function hydrateForwardSummary(r: SqlRow): ForwardSummary {
  return {
    destinationId: num(r, FL, 'destination_id'),
    delivered: num(r, FL, 'delivered'),
    failed: num(r, FL, 'failed'),
    parked: num(r, FL, 'parked'),
    lastAt: numOrNull(r, FL, 'last_at'),
    lastOutcome: oneOfOrNull(r, FL, 'last_outcome', FORWARD_OUTCOMES),
  };
}

/**
 * The team hub's tables (`store.hub`): the hub's outbox, a follower's inbox of applied message ids,
 * forwarding destinations and their delivery log.
 */
export class HubTables {
  /**
   * On for a hub (`serve --hub`): the receiver's ingest and the alert service queue what they store.
   * Off, nothing is queued, so an install without a hub never grows the outbox.
   */
  publishing = false;

  constructor(private readonly db: Db) {}

  /** Queues messages; call it inside the transaction that stores what they announce. */
  enqueue(rows: readonly OutboxInsert[]): void {
    const insert = this.db.cached('INSERT INTO hub_outbox (kind, event_id, type, msg_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of rows) {
      insert.run(r.kind, r.eventId ?? null, r.type, r.msgId, r.payload === undefined ? null : JSON.stringify(r.payload), r.createdAt);
    }
  }

  /**
   * The oldest `limit` messages after `afterId` (the publisher's position: rows up to it are sent and
   * wait only to be deleted), in id order, with their events read now.
   */
  pending(limit: number, afterId = 0): OutboxRow[] {
    return this.db
      .cached(
        `SELECT o.id AS o_id, o.kind AS o_kind, o.type AS o_type, o.msg_id AS o_msg_id, o.payload AS o_payload, o.created_at AS o_created_at,
                e.id, e.delivery_id, e.received_at, e.occurred_at, e.provider, e.shape, e.type, e.original_type, e.dedupe_key,
                e.delivery_count, e.account_phone, e.account_id, e.account_name, e.chat_id, e.chat_name, e.chat_phone,
                e.message_uid, e.direction, e.text, e.details,
                d.method AS d_method, d.path AS d_path, d.forced_provider AS d_forced_provider, d.content_type AS d_content_type,
                d.headers AS d_headers, d.body AS d_body, d.body_truncated AS d_body_truncated, d.size AS d_size
           FROM hub_outbox o
           LEFT JOIN events e ON o.kind = 'event' AND e.id = o.event_id
           LEFT JOIN deliveries d ON d.id = e.delivery_id
          WHERE o.id > ?
          ORDER BY o.id
          LIMIT ?`,
      )
      .all(afterId, limit)
      .map((r) => hydrateOutboxRow(asRow(r, O)));
  }

  /**
   * Removes every message up to and including `lastId` (the publisher sends in id order and passes the
   * last one JetStream acknowledged), in one statement. Returns true when the outbox is empty afterwards:
   * ids then start over (a rowid table numbers a new row after its largest one), so the publisher must
   * read from the start again. Checked in the same transaction, so no insert slips in between.
   * Its commit does not fsync: a delete lost to a power cut only means those messages are published
   * again, and JetStream drops them by their message id (a follower's inbox too, past the duplicate
   * window). The receiver's commits, which must be durable, keep theirs.
   */
  deleteThrough(lastId: number): boolean {
    const del = this.db.cached('DELETE FROM hub_outbox WHERE id <= ?');
    const any = this.db.cached('SELECT 1 FROM hub_outbox LIMIT 1');
    return this.db.transactionWithoutSync(() => {
      del.run(lastId);
      return any.get() === undefined;
    });
  }

  /**
   * deleteThrough for the receiver's thread, which deletes what the publisher thread sent (see
   * main/core/hub/publisher-thread.ts): null, deleting nothing, while a transaction is open on this
   * connection, because a rollback of that transaction would undo the delete unnoticed. Try again later.
   */
  deleteSentThrough(lastId: number): boolean | null {
    return this.db.inTransaction ? null : this.deleteThrough(lastId);
  }

  /**
   * How many messages wait, and since when: shown in health and `hookwatch status`. `afterId`: the
   * running publisher's position, when known (rows up to it are sent, deleted a moment later).
   */
  backlog(afterId = 0): { count: number; oldestAt: number | null } {
    const r = asRow(this.db.cached('SELECT count(*) AS count, min(created_at) AS oldest FROM hub_outbox WHERE id > ?').get(afterId), O);
    return { count: num(r, O, 'count'), oldestAt: numOrNull(r, O, 'oldest') };
  }

  /**
   * Follower: records that a hub message is applied; false when it already was (skip it).
   * Call it in the transaction that applies the message.
   */
  claimInbox(msgId: string, streamSeq: number, at: number): boolean {
    return (
      this.db.cached('INSERT OR IGNORE INTO hub_inbox (msg_id, stream_seq, applied_at) VALUES (?, ?, ?)').run(msgId, streamSeq, at)
        .changes === 1
    );
  }

  /** Forgets applied ids older than the stream's retention (the broker no longer has those messages). */
  pruneInbox(before: number): number {
    return this.db.cached('DELETE FROM hub_inbox WHERE applied_at < ?').run(before).changes;
  }

  /** Message ids applied by this follower (tests and the benchmark compare them with what was sent). */
  inboxIds(): string[] {
    return this.db
      .cached('SELECT msg_id FROM hub_inbox')
      .all()
      .map((r) => str(asRow(r, 'hub_inbox'), 'hub_inbox', 'msg_id'));
  }

  addDestination(d: { url: string; types: readonly string[]; createdAt: number }): ForwardDestination {
    const id = Number(
      this.db
        .cached('INSERT INTO forward_destinations (url, types, created_at) VALUES (?, ?, ?)')
        .run(d.url, JSON.stringify(d.types), d.createdAt).lastInsertRowid,
    );
    return { id, url: d.url, types: [...d.types], createdAt: d.createdAt };
  }

  listDestinations(): ForwardDestination[] {
    return this.db
      .cached('SELECT id, url, types, created_at FROM forward_destinations ORDER BY id')
      .all()
      .map((r) => hydrateForwardDestination(asRow(r, FD)));
  }

  /** Removes a destination; its log stays until retention (what was sent where remains answerable). */
  removeDestination(id: number): boolean {
    return this.db.cached('DELETE FROM forward_destinations WHERE id = ?').run(id).changes === 1;
  }

  recordForward(e: ForwardLogEntry): void {
    this.db
      .cached(
        `INSERT INTO forward_log (destination_id, at, msg_id, stream_seq, event_type, attempt, outcome, status, error, latency_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.destinationId, e.at, e.msgId, e.streamSeq, e.eventType, e.attempt, e.outcome, e.status, e.error, e.latencyMs);
  }

  listForwardLog(destinationId: number, limit = 100): ForwardLogEntry[] {
    return this.db
      .cached('SELECT * FROM forward_log WHERE destination_id = ? ORDER BY id DESC LIMIT ?')
      .all(destinationId, limit)
      .map((r) => hydrateForwardLogEntry(asRow(r, FL)));
  }

  /** Per destination: counts by outcome and the last attempt, for `forward list` and the dashboard. */
  forwardSummary(): ForwardSummary[] {
    return this.db
      .cached(
        `SELECT d.id AS destination_id,
                coalesce(sum(l.outcome = 'delivered'), 0) AS delivered,
                coalesce(sum(l.outcome = 'failed'), 0) AS failed,
                coalesce(sum(l.outcome = 'parked'), 0) AS parked,
                max(l.at) AS last_at,
                (SELECT outcome FROM forward_log WHERE destination_id = d.id ORDER BY id DESC LIMIT 1) AS last_outcome
           FROM forward_destinations d LEFT JOIN forward_log l ON l.destination_id = d.id
          GROUP BY d.id ORDER BY d.id`,
      )
      .all()
      .map((r) => hydrateForwardSummary(asRow(r, FL)));
  }
}
