// SQL of the team hub: the outbox the hub drains to NATS, the follower's inbox of applied messages, forwarding destinations and their delivery log.
import type Database from 'better-sqlite3';

/**
 * One migration, to be registered in migrations.ts after the last one (the lead numbers it at merge).
 * Why an outbox: the receiver answers 200 only after its commit, and publishing must never delay or
 * fail that answer. Writing a tiny row in the SAME transaction as the event makes "stored" imply
 * "will be published" (no event can be stored and forgotten, none published that was rolled back);
 * the publisher drains the rows in id order afterwards, at its own pace, and a NATS outage only
 * makes the table longer (the backlog shown in health and status).
 * Events are not copied into the outbox: the row points at the event, and the message (normalized
 * record + raw body) is read from events/deliveries when it is sent, so the receiver's transaction
 * writes about 40 more bytes per event, not the body twice. Account states and incidents change in
 * place, so their rows carry the JSON as it was at that moment.
 */
export const OUTBOX_MIGRATION = {
  name: 'team hub: outbox, follower inbox, forwarding destinations and log',
  sql: `
    -- Messages waiting to be published to the hub's JetStream stream, in id order.
    CREATE TABLE hub_outbox (
      id         INTEGER PRIMARY KEY,
      kind       TEXT NOT NULL CHECK (kind IN ('event', 'account', 'incident')),
      event_id   INTEGER,                 -- kind 'event': events.id (read when sent)
      type       TEXT NOT NULL,           -- event type, account state or incident kind: the subject's tail
      msg_id     TEXT NOT NULL,           -- Nats-Msg-Id: JetStream drops a re-publish of the same id
      payload    TEXT,                    -- kinds 'account' and 'incident': the JSON record at that moment
      created_at INTEGER NOT NULL
    );

    -- Follower: hub messages already applied to this database, by message id, so a redelivery
    -- (crash between local commit and ack, or a hub re-publish after its duplicate window) is applied once.
    CREATE TABLE hub_inbox (
      msg_id     TEXT PRIMARY KEY,
      stream_seq INTEGER NOT NULL,
      applied_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX hub_inbox_applied_at ON hub_inbox(applied_at);

    -- Forwarding destinations (hookwatch forward add URL --types LIST). types: JSON array, empty = all.
    CREATE TABLE forward_destinations (
      id         INTEGER PRIMARY KEY,
      url        TEXT NOT NULL,
      types      TEXT NOT NULL DEFAULT '[]',
      created_at INTEGER NOT NULL
    );

    -- Every forwarding attempt: delivered, failed (will retry), parked (gave up after 24 h), skipped.
    CREATE TABLE forward_log (
      id             INTEGER PRIMARY KEY,
      destination_id INTEGER NOT NULL,
      at             INTEGER NOT NULL,
      msg_id         TEXT NOT NULL,
      stream_seq     INTEGER NOT NULL,
      event_type     TEXT,
      attempt        INTEGER NOT NULL,
      outcome        TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed', 'parked')),
      status         INTEGER,
      error          TEXT,
      latency_ms     REAL
    );
    CREATE INDEX forward_log_destination ON forward_log(destination_id, id);
  `,
} as const;

export type OutboxKind = 'event' | 'account' | 'incident';

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

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function stmt(db: Database.Database, sql: string): Database.Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

/** Queues messages; call it inside the transaction that stores what they announce. */
export function enqueueOutbox(db: Database.Database, rows: readonly OutboxInsert[]): void {
  const insert = stmt(db, 'INSERT INTO hub_outbox (kind, event_id, type, msg_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  for (const r of rows) {
    insert.run(r.kind, r.eventId ?? null, r.type, r.msgId, r.payload === undefined ? null : JSON.stringify(r.payload), r.createdAt);
  }
}

interface JoinedRow {
  o_id: number;
  o_kind: OutboxKind;
  o_type: string;
  o_msg_id: string;
  o_payload: string | null;
  o_created_at: number;
  id: number | null;
  delivery_id: number;
  received_at: number;
  occurred_at: number | null;
  provider: string;
  shape: string;
  type: string;
  original_type: string | null;
  dedupe_key: string;
  delivery_count: number;
  account_phone: string | null;
  account_id: string | null;
  account_name: string | null;
  chat_id: string | null;
  chat_name: string | null;
  chat_phone: string | null;
  message_uid: string | null;
  direction: string | null;
  text: string | null;
  details: string;
  d_method: string | null;
  d_path: string | null;
  d_forced_provider: string | null;
  d_content_type: string | null;
  d_headers: string | null;
  d_body: Buffer | null;
  d_body_truncated: number | null;
  d_size: number | null;
}

/** The oldest `limit` messages to publish, in order, with their events read now. */
export function pendingOutbox(db: Database.Database, limit: number): OutboxRow[] {
  const rows = stmt(
    db,
    `SELECT o.id AS o_id, o.kind AS o_kind, o.type AS o_type, o.msg_id AS o_msg_id, o.payload AS o_payload, o.created_at AS o_created_at,
            e.id, e.delivery_id, e.received_at, e.occurred_at, e.provider, e.shape, e.type, e.original_type, e.dedupe_key,
            e.delivery_count, e.account_phone, e.account_id, e.account_name, e.chat_id, e.chat_name, e.chat_phone,
            e.message_uid, e.direction, e.text, e.details,
            d.method AS d_method, d.path AS d_path, d.forced_provider AS d_forced_provider, d.content_type AS d_content_type,
            d.headers AS d_headers, d.body AS d_body, d.body_truncated AS d_body_truncated, d.size AS d_size
       FROM hub_outbox o
       LEFT JOIN events e ON o.kind = 'event' AND e.id = o.event_id
       LEFT JOIN deliveries d ON d.id = e.delivery_id
      ORDER BY o.id
      LIMIT ?`,
  ).all(limit) as JoinedRow[];
  return rows.map((r) => ({
    id: r.o_id,
    kind: r.o_kind,
    type: r.o_type,
    msgId: r.o_msg_id,
    createdAt: r.o_created_at,
    payload: r.o_payload,
    event:
      r.o_kind !== 'event' || r.id === null
        ? null
        : {
            id: r.id,
            deliveryId: r.delivery_id,
            receivedAt: r.received_at,
            occurredAt: r.occurred_at,
            provider: r.provider,
            shape: r.shape,
            type: r.type,
            originalType: r.original_type,
            dedupeKey: r.dedupe_key,
            deliveryCount: r.delivery_count,
            accountPhone: r.account_phone,
            accountId: r.account_id,
            accountName: r.account_name,
            chatId: r.chat_id,
            chatName: r.chat_name,
            chatPhone: r.chat_phone,
            messageUid: r.message_uid,
            direction: r.direction,
            text: r.text,
            details: r.details,
            request: {
              method: r.d_method ?? 'POST',
              path: r.d_path ?? '',
              forcedProvider: r.d_forced_provider,
              contentType: r.d_content_type,
              headers: r.d_headers ?? '{}',
              body: r.d_body,
              bodyTruncated: r.d_body_truncated === 1,
              size: r.d_size ?? r.d_body?.length ?? 0,
            },
          },
  }));
}

/** Removes published messages (one transaction, so one fsync per batch). */
export function deleteOutbox(db: Database.Database, ids: readonly number[]): void {
  if (ids.length === 0) return;
  const del = stmt(db, 'DELETE FROM hub_outbox WHERE id = ?');
  db.transaction(() => {
    for (const id of ids) del.run(id);
  }).immediate();
}

/** How many messages wait, and since when: shown in health and `hookwatch status`. */
export function outboxBacklog(db: Database.Database): { count: number; oldestAt: number | null } {
  const r = stmt(db, 'SELECT count(*) AS count, min(created_at) AS oldest FROM hub_outbox').get() as {
    count: number;
    oldest: number | null;
  };
  return { count: r.count, oldestAt: r.oldest };
}

/**
 * Follower: records that a hub message is applied; false when it already was (skip it).
 * Call it in the transaction that applies the message.
 */
export function claimInbox(db: Database.Database, msgId: string, streamSeq: number, at: number): boolean {
  return (
    stmt(db, 'INSERT OR IGNORE INTO hub_inbox (msg_id, stream_seq, applied_at) VALUES (?, ?, ?)').run(msgId, streamSeq, at).changes === 1
  );
}

/** Forgets applied ids older than the stream's retention (the broker no longer has those messages). */
export function pruneInbox(db: Database.Database, before: number): number {
  return stmt(db, 'DELETE FROM hub_inbox WHERE applied_at < ?').run(before).changes;
}

export interface ForwardDestination {
  id: number;
  url: string;
  /** Event types (or groups) to forward; empty: all events. */
  types: string[];
  createdAt: number;
}

export function addDestination(db: Database.Database, d: { url: string; types: readonly string[]; createdAt: number }): ForwardDestination {
  const id = Number(
    stmt(db, 'INSERT INTO forward_destinations (url, types, created_at) VALUES (?, ?, ?)').run(d.url, JSON.stringify(d.types), d.createdAt)
      .lastInsertRowid,
  );
  return { id, url: d.url, types: [...d.types], createdAt: d.createdAt };
}

export function listDestinations(db: Database.Database): ForwardDestination[] {
  return (
    stmt(db, 'SELECT id, url, types, created_at FROM forward_destinations ORDER BY id').all() as Array<{
      id: number;
      url: string;
      types: string;
      created_at: number;
    }>
  ).map((r) => ({
    id: r.id,
    url: r.url,
    types: JSON.parse(r.types) as string[],
    createdAt: r.created_at,
  }));
}

/** Removes a destination; its log stays until retention (what was sent where remains answerable). */
export function removeDestination(db: Database.Database, id: number): boolean {
  return stmt(db, 'DELETE FROM forward_destinations WHERE id = ?').run(id).changes === 1;
}

export type ForwardOutcome = 'delivered' | 'failed' | 'parked';

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

export function recordForward(db: Database.Database, e: ForwardLogEntry): void {
  stmt(
    db,
    `INSERT INTO forward_log (destination_id, at, msg_id, stream_seq, event_type, attempt, outcome, status, error, latency_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(e.destinationId, e.at, e.msgId, e.streamSeq, e.eventType, e.attempt, e.outcome, e.status, e.error, e.latencyMs);
}

export function listForwardLog(db: Database.Database, destinationId: number, limit = 100): ForwardLogEntry[] {
  return (
    stmt(db, 'SELECT * FROM forward_log WHERE destination_id = ? ORDER BY id DESC LIMIT ?').all(destinationId, limit) as Array<{
      destination_id: number;
      at: number;
      msg_id: string;
      stream_seq: number;
      event_type: string | null;
      attempt: number;
      outcome: ForwardOutcome;
      status: number | null;
      error: string | null;
      latency_ms: number | null;
    }>
  ).map((r) => ({
    destinationId: r.destination_id,
    at: r.at,
    msgId: r.msg_id,
    streamSeq: r.stream_seq,
    eventType: r.event_type,
    attempt: r.attempt,
    outcome: r.outcome,
    status: r.status,
    error: r.error,
    latencyMs: r.latency_ms,
  }));
}

/** Per destination: counts by outcome and the last attempt, for `forward list` and the dashboard. */
export function forwardSummary(db: Database.Database): Array<{
  destinationId: number;
  delivered: number;
  failed: number;
  parked: number;
  lastAt: number | null;
  lastOutcome: ForwardOutcome | null;
}> {
  return (
    stmt(
      db,
      `SELECT d.id AS destination_id,
              coalesce(sum(l.outcome = 'delivered'), 0) AS delivered,
              coalesce(sum(l.outcome = 'failed'), 0) AS failed,
              coalesce(sum(l.outcome = 'parked'), 0) AS parked,
              max(l.at) AS last_at,
              (SELECT outcome FROM forward_log WHERE destination_id = d.id ORDER BY id DESC LIMIT 1) AS last_outcome
         FROM forward_destinations d LEFT JOIN forward_log l ON l.destination_id = d.id
        GROUP BY d.id ORDER BY d.id`,
    ).all() as Array<{
      destination_id: number;
      delivered: number;
      failed: number;
      parked: number;
      last_at: number | null;
      last_outcome: ForwardOutcome | null;
    }>
  ).map((r) => ({
    destinationId: r.destination_id,
    delivered: r.delivered,
    failed: r.failed,
    parked: r.parked,
    lastAt: r.last_at,
    lastOutcome: r.last_outcome,
  }));
}
