import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import type { AccountStatus } from '../alerts/account-status.js';
import type { Alert } from '../alerts/rules.js';
import type { Direction, NormalizedEvent, ProviderId } from '../events.js';
import { normalizeEventFilter } from '../../contract/filter.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';

/**
 * The one place that talks SQL. Callers get typed functions; every statement is prepared once.
 */

export type Durability = 'full' | 'normal';

export interface OpenOptions {
  /** `full` (default) fsyncs every commit, so an acknowledged event survives a power cut, not only a crash. */
  durability?: Durability;
  /** Refuse to create a database that does not exist yet (for read commands). */
  mustExist?: boolean;
  /** Migrate only up to this version (tests of migrations on old data). */
  migrateTo?: number;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

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

export interface IngestedEvent {
  id: number;
  type: string;
  duplicate: boolean;
  deliveryCount: number;
}

export interface IngestResult {
  deliveryId: number;
  events: IngestedEvent[];
}

export interface StoredEvent {
  id: number;
  deliveryId: number;
  receivedAt: number;
  occurredAt: number | null;
  provider: ProviderId;
  shape: string;
  type: string;
  originalType: string | null;
  deliveryCount: number;
  lastDeliveredAt: number;
  accountPhone: string | null;
  accountId: string | null;
  accountName: string | null;
  chatId: string | null;
  chatName: string | null;
  chatPhone: string | null;
  messageUid: string | null;
  direction: Direction | null;
  text: string | null;
  details: Record<string, unknown>;
}

export interface StoredDelivery {
  id: number;
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
  provider: string | null;
  eventType: string | null;
  eventCount: number;
  duplicate: boolean;
  bodyTruncated: boolean;
}

export interface EventDetail extends StoredEvent {
  request: { headers: Record<string, string>; body: Buffer | null; bodyTruncated: boolean; path: string; method: string; forcedProvider: string | null };
  /** Other events that carry the same message uid (one message announced under two event types). */
  related: Array<{ id: number; type: string }>;
}

export interface StoredAlert extends Alert {
  id: number;
  acknowledgedAt: number | null;
}

export interface ProviderWebhookHealth {
  provider: string;
  webhookId: string;
  eventType: string | null;
  enabled: boolean;
  errorsCounter: number;
  pointsAtCurrentUrl: boolean;
  chosen: boolean;
  checkedAt: number;
}

export interface TunnelLogEntry {
  id: number;
  at: number;
  state: string;
  url: string | null;
  reason: string | null;
}

export interface EventFilter {
  /** An exact event type (aliases accepted), or a group: message, chat, account, call, waba, unknown. */
  type?: string;
  provider?: string;
  /** A phone number in any common spelling, or an account id (JID, WhatsAble user id). */
  account?: string;
  chat?: string;
  search?: string;
  /** Received at or after this instant (epoch ms). */
  since?: number;
  /** Received before this instant (epoch ms). */
  to?: number;
  /** Only events with an id below this (paging, newest first). */
  beforeId?: number;
  limit?: number;
}

const HASH_REDELIVERY_WINDOW_MS = 6 * 60 * 60 * 1000;

const EVENT_COLUMNS = `e.id, e.delivery_id, e.received_at, e.occurred_at, e.provider, e.shape, e.type, e.original_type,
  e.delivery_count, e.last_delivered_at, e.account_phone, e.account_id, e.account_name, e.chat_id, e.chat_name,
  e.chat_phone, e.message_uid, e.direction, e.text, e.details`;

interface EventRow {
  id: number;
  delivery_id: number;
  received_at: number;
  occurred_at: number | null;
  provider: ProviderId;
  shape: string;
  type: string;
  original_type: string | null;
  delivery_count: number;
  last_delivered_at: number;
  account_phone: string | null;
  account_id: string | null;
  account_name: string | null;
  chat_id: string | null;
  chat_name: string | null;
  chat_phone: string | null;
  message_uid: string | null;
  direction: Direction | null;
  text: string | null;
  details: string;
}

function eventFromRow(r: EventRow): StoredEvent {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    receivedAt: r.received_at,
    occurredAt: r.occurred_at,
    provider: r.provider,
    shape: r.shape,
    type: r.type,
    originalType: r.original_type,
    deliveryCount: r.delivery_count,
    lastDeliveredAt: r.last_delivered_at,
    accountPhone: r.account_phone,
    accountId: r.account_id,
    accountName: r.account_name,
    chatId: r.chat_id,
    chatName: r.chat_name,
    chatPhone: r.chat_phone,
    messageUid: r.message_uid,
    direction: r.direction,
    text: r.text,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

/** Words of a search box as an FTS5 query: every word must match, as a prefix. Operators are not exposed. */
export function ftsQuery(input: string): string | null {
  const words = input.match(/[\p{L}\p{N}_]+/gu);
  if (!words || words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}

function restrictToOwner(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(f)) chmodSync(f, 0o600);
    } catch {
      /* not ours to change (a read-only copy, another owner): opening still works */
    }
  }
}

export function migrate(db: Database.Database, upTo = LATEST_SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      `the database was written by a newer Hookwatch (schema ${current}; this build knows up to ${LATEST_SCHEMA_VERSION}). ` +
        'Upgrade Hookwatch, or point --data at another folder.',
    );
  }
  // Already current: no write lock (a read command must not wait on a busy writer, nor fail on a read-only copy).
  if (current >= upTo) return;
  for (const m of MIGRATIONS) {
    if (m.version > upTo) break;
    // IMMEDIATE: a second process starting at the same moment waits, then sees the new version and skips.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (m.version <= now) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

/** insertDelivery's arguments, in its column order. */
function deliveryArgs(d: DeliveryRecord, events: NormalizedEvent[]): unknown[] {
  return [
    d.receivedAt, d.method, d.path, d.forcedProvider, d.remoteAddr, d.status, d.reason, d.latencyMs, d.size, d.contentType,
    JSON.stringify(d.headers), d.body, d.bodyTruncated ? 1 : 0, events[0]?.provider ?? null, events[0]?.type ?? null, events.length,
  ];
}

/** upsertEvent's arguments, in its column order (last_delivered_at starts as received_at). */
function eventArgs(deliveryId: number, receivedAt: number, e: NormalizedEvent): unknown[] {
  return [
    deliveryId, receivedAt, e.occurredAt, e.provider, e.shape, e.type, e.originalType, e.dedupeKey, receivedAt,
    e.accountPhone, e.accountId, e.accountName, e.chatId, e.chatName, e.chatPhone, e.messageUid, e.direction, e.text, JSON.stringify(e.details),
  ];
}

export class HookwatchStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly stmts;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.db = db;
    this.stmts = {
      // Positional parameters: binding by name costs a lookup per column, which made the two inserts
      // of every webhook about a quarter slower (measured). The argument order is in deliveryArgs/eventArgs.
      insertDelivery: db.prepare(`INSERT INTO deliveries
        (received_at, method, path, forced_provider, remote_addr, status, reason, latency_ms, size, content_type,
         headers, body, body_truncated, provider, event_type, event_count)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      markDuplicate: db.prepare('UPDATE deliveries SET duplicate = 1 WHERE id = ?'),
      // See retireHashKeyIfNewOccurrence. The existing row keeps its data; only its key is set aside.
      retireHashKeyByAge: db.prepare(`UPDATE events SET dedupe_key = dedupe_key || '#' || id
        WHERE provider = @provider AND type = @type AND dedupe_key = @dedupeKey AND last_delivered_at < @notBefore`),
      retireHashKeyByChat: db.prepare(`UPDATE events SET dedupe_key = dedupe_key || '#' || id
        WHERE provider = @provider AND type = @type AND dedupe_key = @dedupeKey AND EXISTS (
          SELECT 1 FROM events later WHERE later.chat_id = @chatId AND later.id > events.id AND later.type LIKE @family)`),
      retireHashKeyByAccount: db.prepare(`UPDATE events SET dedupe_key = dedupe_key || '#' || id
        WHERE provider = @provider AND type = @type AND dedupe_key = @dedupeKey AND EXISTS (
          SELECT 1 FROM events later WHERE later.account_phone = @accountPhone AND later.id > events.id AND later.type LIKE @family)`),
      upsertEvent: db.prepare(`INSERT INTO events
        (delivery_id, received_at, occurred_at, provider, shape, type, original_type, dedupe_key, last_delivered_at,
         account_phone, account_id, account_name, chat_id, chat_name, chat_phone, message_uid, direction, text, details)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (provider, type, dedupe_key) DO UPDATE SET
          delivery_count = delivery_count + 1, last_delivered_at = excluded.last_delivered_at
        RETURNING id, delivery_count`),
      getEvent: db.prepare(`SELECT ${EVENT_COLUMNS}, d.headers AS req_headers, d.body AS req_body,
          d.body_truncated AS req_truncated, d.path AS req_path, d.method AS req_method, d.forced_provider AS req_forced
        FROM events e JOIN deliveries d ON d.id = e.delivery_id WHERE e.id = ?`),
      related: db.prepare('SELECT id, type FROM events WHERE message_uid = ? AND id != ? ORDER BY id'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      // Never the newest row: ids must keep growing (INTEGER PRIMARY KEY reuses them once a table is empty),
      // and the search index watermark, the alerts' last processed id and the feed all count on that.
      pruneEvents: db.prepare(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ?
          AND id < (SELECT max(id) FROM events) ORDER BY id LIMIT ?)`),
      pruneDeliveries: db.prepare(`DELETE FROM deliveries WHERE id IN (
          SELECT d.id FROM deliveries d WHERE d.received_at < ? AND d.id < (SELECT max(id) FROM deliveries)
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.delivery_id = d.id)
          ORDER BY d.id LIMIT ?)`),
      counts: db.prepare('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deliveries) AS deliveries'),
    };
  }

  private readonly statementCache = new Map<string, Database.Statement>();

  /** Prepared once on first use: statements on tables of later migrations must not be prepared at open. */
  private cached(sql: string): Database.Statement {
    let stmt = this.statementCache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statementCache.set(sql, stmt);
    }
    return stmt;
  }

  static open(file: string, options: OpenOptions = {}): HookwatchStore {
    if (options.mustExist && !existsSync(file)) {
      throw new StoreError(`no Hookwatch database at ${file} (start \`hookwatch serve\` once, or pass --data DIR)`);
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { fileMustExist: options.mustExist ?? false });
      // The database holds the webhook secret and every customer message: readable by its owner only,
      // whatever folder --data points at.
      restrictToOwner(file);
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma('foreign_keys = ON');
      migrate(db, options.migrateTo);
      return new HookwatchStore(file, db);
    } catch (err) {
      db?.close();
      if (err instanceof StoreError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new StoreError(`${file} is not a readable Hookwatch database (${(err as Error).message}); move it aside or pass another --data folder`, { cause: err });
      }
      throw new StoreError(`cannot open the database ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Direct access for migrations tests and benchmarks that seed data in bulk. Not for application code. */
  get raw(): Database.Database {
    return this.db;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `fn` in a transaction (a savepoint when nested). A top-level transaction is IMMEDIATE: it takes
   * the write lock up front, waiting (busy_timeout) for the receiver's writer thread, instead of starting
   * as a reader and failing with SQLITE_BUSY when it first writes.
   */
  transaction<T>(fn: () => T): T {
    const tx = this.db.transaction(fn);
    return this.db.inTransaction ? tx() : tx.immediate();
  }

  /** Logs a request that produced no event (rejected, or not a webhook). Returns the delivery id. */
  recordDelivery(d: DeliveryRecord): number {
    return Number(this.stmts.insertDelivery.run(...deliveryArgs(d, [])).lastInsertRowid);
  }

  /**
   * Stores the raw request and its events atomically; redelivered events bump their delivery count.
   * Called inside a transaction (the receiver's group commit), it joins it instead of opening a
   * savepoint, and the caller rolls back on failure.
   */
  ingest(d: DeliveryRecord, events: NormalizedEvent[]): IngestResult {
    return this.db.inTransaction ? this.ingestNow(d, events) : this.transaction(() => this.ingestNow(d, events));
  }

  private ingestNow(d: DeliveryRecord, events: NormalizedEvent[]): IngestResult {
    const deliveryId = Number(this.stmts.insertDelivery.run(...deliveryArgs(d, events)).lastInsertRowid);
    const out: IngestedEvent[] = events.map((e) => {
      if (e.dedupeKey.startsWith('h:')) this.retireHashKeyIfNewOccurrence(e, d.receivedAt);
      const row = this.stmts.upsertEvent.get(...eventArgs(deliveryId, d.receivedAt, e)) as { id: number; delivery_count: number };
      return { id: row.id, type: e.type, duplicate: row.delivery_count > 1, deliveryCount: row.delivery_count };
    });
    if (out.length > 0 && out.every((e) => e.duplicate)) this.stmts.markDuplicate.run(deliveryId);
    return { deliveryId, events: out };
  }

  /**
   * A body-hash key (`h:`) names a payload, not an occurrence. Account events carry no event id and
   * `suspended`/`resumed` only the old `connected_on`, so "suspended, resumed, suspended again" sends
   * two byte-identical `suspended` bodies; WABA chat events carry no time at all. A repeat of such a
   * body is a NEW event when another event of the same family (whatsapp:account, chat:responsible,
   * waba:chat, ...) for the same chat or account was stored after it, or when its last delivery is
   * older than the redelivery window; otherwise it is a provider retry. Retries come within minutes
   * (TimelinesAI: three attempts), so 6 hours is generous for them and short for a real repeat.
   * The trade-off: a retry that arrives only after a newer event of its family (a late retry of
   * "disconnected" after "connected") is stored as a new occurrence; the account board still places it
   * by its event time, and the next account check with the API corrects the state.
   */
  private retireHashKeyIfNewOccurrence(e: NormalizedEvent, receivedAt: number): void {
    const key = { provider: e.provider, type: e.type, dedupeKey: e.dedupeKey };
    if (this.stmts.retireHashKeyByAge.run({ ...key, notBefore: receivedAt - HASH_REDELIVERY_WINDOW_MS }).changes > 0) return;
    const family = `${e.type.split(':').slice(0, 2).join(':')}%`;
    if (e.chatId !== null) this.stmts.retireHashKeyByChat.run({ ...key, chatId: e.chatId, family });
    else if (e.accountPhone !== null) this.stmts.retireHashKeyByAccount.run({ ...key, accountPhone: e.accountPhone, family });
  }

  /**
   * Adds events not yet in the full-text index, up to `limit`, in one transaction; returns how many.
   * Batches keep FTS5 from writing a segment per delivery (migration 4). The core calls this a few
   * times a second, and every search calls it first, so a search never misses a stored event.
   */
  indexSearch(limit = 20_000): number {
    if (this.schemaVersion < 4) return 0;
    return this.transaction(() => {
      const upto = Number(this.getMeta('fts_indexed_upto') ?? 0);
      const last = this.cached('SELECT max(id) AS id FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?)').get(upto, limit) as { id: number | null };
      if (last.id === null) return 0;
      const added = this.cached(`INSERT INTO events_fts(rowid, text, chat_name, account_name, chat_phone, account_phone)
          SELECT id, text, chat_name, account_name, chat_phone, account_phone FROM events WHERE id > ? AND id <= ? ORDER BY id`).run(upto, last.id).changes;
      this.setMeta('fts_indexed_upto', String(last.id));
      return added;
    });
  }

  listEvents(filter: EventFilter = {}): StoredEvent[] {
    const where: string[] = [];
    const params: unknown[] = [];
    // The contract's one filter makes the choices (aliases, phones, groups); the page matches with the same rules.
    const f = normalizeEventFilter({ ...filter, from: filter.since });
    if (f.type) {
      // GLOB, not LIKE: case-sensitive like the page's startsWith, and it can use the type index.
      where.push('exact' in f.type ? 'e.type = ?' : 'e.type GLOB ?');
      params.push('exact' in f.type ? f.type.exact : `${f.type.prefix}*`);
    }
    if (f.provider) {
      where.push('e.provider = ?');
      params.push(f.provider);
    }
    if (f.account) {
      where.push('phone' in f.account ? 'e.account_phone = ?' : 'e.account_id = ?');
      params.push('phone' in f.account ? f.account.phone : f.account.id);
    }
    if (f.chat) {
      where.push('e.chat_id = ?');
      params.push(f.chat);
    }
    if (f.from !== null) {
      where.push('e.received_at >= ?');
      params.push(f.from);
    }
    if (f.to !== null) {
      where.push('e.received_at < ?');
      params.push(f.to);
    }
    if (filter.beforeId !== undefined) {
      where.push('e.id < ?');
      params.push(filter.beforeId);
    }
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 100_000));
    let sql: string;
    const search = filter.search ? ftsQuery(filter.search) : null;
    if (filter.search && !search) return [];
    if (search) {
      while (this.indexSearch() > 0) {
        /* index the tail first: a search never misses a stored event */
      }
      // Drive the query from the FTS index, newest first: FTS5 walks its doclist by rowid and stops at the limit.
      sql = `SELECT ${EVENT_COLUMNS} FROM events_fts f JOIN events e ON e.id = f.rowid
        WHERE events_fts MATCH ?${where.length ? ' AND ' + where.join(' AND ') : ''}
        ORDER BY f.rowid DESC LIMIT ?`;
      params.unshift(search);
    } else {
      sql = `SELECT ${EVENT_COLUMNS} FROM events e${where.length ? ' WHERE ' + where.join(' AND ') : ''}
        ORDER BY e.id DESC LIMIT ?`;
    }
    params.push(limit);
    return (this.db.prepare(sql).all(...params) as EventRow[]).map(eventFromRow);
  }

  getEvent(id: number): EventDetail | null {
    const row = this.stmts.getEvent.get(id) as
      | (EventRow & { req_headers: string; req_body: Buffer | null; req_truncated: number; req_path: string; req_method: string; req_forced: string | null })
      | undefined;
    if (!row) return null;
    const event = eventFromRow(row);
    const related = event.messageUid ? (this.stmts.related.all(event.messageUid, id) as Array<{ id: number; type: string }>) : [];
    return {
      ...event,
      request: {
        headers: JSON.parse(row.req_headers) as Record<string, string>,
        body: row.req_body,
        bodyTruncated: row.req_truncated === 1,
        path: row.req_path,
        method: row.req_method,
        forcedProvider: row.req_forced,
      },
      related,
    };
  }

  listDeliveries(options: { limit?: number; beforeId?: number } = {}): StoredDelivery[] {
    const limit = Math.max(1, Math.min(options.limit ?? 1000, 100_000));
    const rows = this.db
      .prepare(
        `SELECT id, received_at, method, path, forced_provider, remote_addr, status, reason, latency_ms, size, content_type,
           headers, provider, event_type, event_count, duplicate, body_truncated
         FROM deliveries ${options.beforeId !== undefined ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...(options.beforeId !== undefined ? [options.beforeId, limit] : [limit])) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as number,
      receivedAt: r.received_at as number,
      method: r.method as string,
      path: r.path as string,
      forcedProvider: r.forced_provider as string | null,
      remoteAddr: r.remote_addr as string | null,
      status: r.status as number,
      reason: r.reason as string | null,
      latencyMs: r.latency_ms as number,
      size: r.size as number,
      contentType: r.content_type as string | null,
      headers: JSON.parse(r.headers as string) as Record<string, string>,
      provider: r.provider as string | null,
      eventType: r.event_type as string | null,
      eventCount: r.event_count as number,
      duplicate: r.duplicate === 1,
      bodyTruncated: r.body_truncated === 1,
    }));
  }

  getDeliveryBody(id: number): Buffer | null {
    const row = this.db.prepare('SELECT body FROM deliveries WHERE id = ?').get(id) as { body: Buffer | null } | undefined;
    return row?.body ?? null;
  }

  counts(): { events: number; deliveries: number } {
    return this.stmts.counts.get() as { events: number; deliveries: number };
  }

  /**
   * Changes whenever another connection (another process, or the writer thread) commits; stays the same
   * across this connection's own commits. About 1 µs, against several for a read of the meta table: the
   * receiver asks it on every request to notice a secret rotated elsewhere at once.
   */
  dataVersion(): number {
    return this.stmts.dataVersion.get() as number;
  }

  getMeta(key: string): string | null {
    const row = this.stmts.getMeta.get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  /** The install's webhook secret (256 random bits, base64url), made on first use. */
  webhookSecret(): string {
    return this.transaction(() => this.getMeta('webhook_secret') ?? this.rotateWebhookSecret());
  }

  rotateWebhookSecret(): string {
    const secret = randomBytes(32).toString('base64url');
    this.transaction(() => {
      // Remember a few former secrets: registration must recognise webhooks still pointing at an old
      // URL as ours (to update them), not as another integration's (to leave alone).
      const current = this.getMeta('webhook_secret');
      if (current !== null) this.setJson('webhook_secrets_previous', [current, ...this.formerWebhookSecrets()].slice(0, 5));
      this.setMeta('webhook_secret', secret);
    });
    return secret;
  }

  formerWebhookSecrets(): string[] {
    return this.getJson<string[]>('webhook_secrets_previous') ?? [];
  }

  /** Account and assignment events stored after `afterId`, oldest first (catch-up after a restart). */
  eventsAfter(afterId: number, typePatterns: readonly string[], limit = 10_000): StoredEvent[] {
    const where = typePatterns.map(() => 'e.type LIKE ?').join(' OR ');
    return (
      this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.id > ? AND (${where}) ORDER BY e.id LIMIT ?`).all(afterId, ...typePatterns, limit) as EventRow[]
    ).map(eventFromRow);
  }

  maxEventId(): number {
    return (this.db.prepare('SELECT coalesce(max(id), 0) AS n FROM events').get() as { n: number }).n;
  }

  getJson<T>(key: string): T | null {
    const v = this.getMeta(key);
    if (v === null) return null;
    try {
      return JSON.parse(v) as T;
    } catch {
      return null;
    }
  }

  setJson(key: string, value: unknown): void {
    this.setMeta(key, JSON.stringify(value));
  }

  listAccountStates(): AccountStatus[] {
    return (this.db.prepare('SELECT record FROM account_state ORDER BY key').all() as Array<{ record: string }>).map(
      (r) => JSON.parse(r.record) as AccountStatus,
    );
  }

  saveAccounts(changed: readonly AccountStatus[], removedKeys: readonly string[], now = Date.now()): void {
    const del = this.db.prepare('DELETE FROM account_state WHERE key = ?');
    const put = this.db.prepare(`INSERT INTO account_state (key, phone, name, state, since, record, updated_at)
      VALUES (@key, @phone, @name, @state, @since, @record, @now)
      ON CONFLICT (key) DO UPDATE SET phone = excluded.phone, name = excluded.name, state = excluded.state,
        since = excluded.since, record = excluded.record, updated_at = excluded.updated_at`);
    this.transaction(() => {
      for (const key of removedKeys) del.run(key);
      for (const a of changed) put.run({ key: a.key, phone: a.phone, name: a.name, state: a.state, since: a.since, record: JSON.stringify(a), now });
    });
  }

  insertAlert(a: Alert): number {
    return Number(
      this.cached(`INSERT INTO alerts (at, severity, kind, account_key, account_phone, chat_id, title, text, event_id, count, notified, suppressed)
        VALUES (@at, @severity, @kind, @accountKey, @accountPhone, @chatId, @title, @text, @eventId, @count, @notified, @suppressed)`).run({
        at: a.at,
        severity: a.severity,
        kind: a.kind,
        accountKey: a.accountKey ?? null,
        accountPhone: a.accountPhone ?? null,
        chatId: a.chatId ?? null,
        title: a.title,
        text: a.text,
        // The event may have been pruned meanwhile: keep the alert, drop the link.
        eventId: a.eventId !== undefined && this.cached('SELECT 1 FROM events WHERE id = ?').get(a.eventId) ? a.eventId : null,
        count: a.count ?? null,
        notified: a.notify ? 1 : 0,
        suppressed: a.suppressed,
      }).lastInsertRowid,
    );
  }

  listAlerts(options: { limit?: number; beforeId?: number } = {}): StoredAlert[] {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 100_000));
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${options.beforeId !== undefined ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`)
      .all(...(options.beforeId !== undefined ? [options.beforeId, limit] : [limit])) as Array<Record<string, unknown>>;
    return rows.map((r) => {
      const a: StoredAlert = {
        id: r.id as number,
        at: r.at as number,
        severity: r.severity as Alert['severity'],
        kind: r.kind as Alert['kind'],
        title: r.title as string,
        text: r.text as string,
        notify: r.notified === 1,
        suppressed: r.suppressed as Alert['suppressed'],
        acknowledgedAt: r.acknowledged_at as number | null,
      };
      if (r.account_key !== null) a.accountKey = r.account_key as string;
      if (r.account_phone !== null) a.accountPhone = r.account_phone as string;
      if (r.chat_id !== null) a.chatId = r.chat_id as string;
      if (r.event_id !== null) a.eventId = r.event_id as number;
      if (r.count !== null) a.count = r.count as number;
      return a;
    });
  }

  acknowledgeAlerts(ids: readonly number[], at = Date.now()): number {
    const stmt = this.db.prepare('UPDATE alerts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL');
    return this.transaction(() => ids.reduce((n, id) => n + stmt.run(at, id).changes, 0));
  }

  /** Replaces what we know of one provider's webhooks with its latest listing. */
  recordProviderWebhooks(provider: string, rows: ReadonlyArray<Omit<ProviderWebhookHealth, 'provider' | 'checkedAt'>>, at = Date.now()): void {
    const put = this.db.prepare(`INSERT INTO provider_webhooks
      (provider, webhook_id, event_type, enabled, errors_counter, points_at_current_url, chosen, checked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.transaction(() => {
      this.db.prepare('DELETE FROM provider_webhooks WHERE provider = ?').run(provider);
      for (const r of rows) put.run(provider, r.webhookId, r.eventType, r.enabled ? 1 : 0, r.errorsCounter, r.pointsAtCurrentUrl ? 1 : 0, r.chosen ? 1 : 0, at);
    });
  }

  listProviderWebhooks(): ProviderWebhookHealth[] {
    return (this.db.prepare('SELECT * FROM provider_webhooks ORDER BY provider, event_type').all() as Array<Record<string, unknown>>).map((r) => ({
      provider: r.provider as string,
      webhookId: r.webhook_id as string,
      eventType: r.event_type as string | null,
      enabled: r.enabled === 1,
      errorsCounter: r.errors_counter as number,
      pointsAtCurrentUrl: r.points_at_current_url === 1,
      chosen: r.chosen === 1,
      checkedAt: r.checked_at as number,
    }));
  }

  recordTunnelState(entry: Omit<TunnelLogEntry, 'id'>): number {
    return Number(this.db.prepare('INSERT INTO tunnel_log (at, state, url, reason) VALUES (?, ?, ?, ?)').run(entry.at, entry.state, entry.url, entry.reason).lastInsertRowid);
  }

  /** The last public URL a tunnel had while up, or null. */
  lastPublicUrl(): string | null {
    const row = this.db.prepare("SELECT url FROM tunnel_log WHERE state = 'up' AND url IS NOT NULL ORDER BY id DESC LIMIT 1").get() as { url: string } | undefined;
    return row?.url ?? null;
  }

  /** Tunnel log entries since `since` (and the one in force at that moment), oldest first. */
  listTunnelStates(since = 0, limit = 10_000): TunnelLogEntry[] {
    return this.db
      .prepare(`SELECT id, at, state, url, reason FROM tunnel_log WHERE at >= coalesce(
          (SELECT max(at) FROM tunnel_log WHERE at < ?), ?) ORDER BY at, id LIMIT ?`)
      .all(since, since, limit) as TunnelLogEntry[];
  }

  /**
   * Deletes up to `batch` events received before `eventsBefore`, then up to `batch` delivery-log rows
   * before `deliveriesBefore` that no remaining event points at (those hold raw requests). Returns how
   * many rows went, so a caller can loop in small steps and keep the receiver responsive.
   */
  pruneStep(
    eventsBefore: number | null,
    deliveriesBefore: number | null,
    batch = 2000,
    historyBefore: number | null = null,
  ): { events: number; deliveries: number } {
    return this.transaction(() => {
      // Alerts and the tunnel log are small and worth keeping longer; they go with their own cutoff.
      const history =
        historyBefore === null
          ? 0
          : this.cached('DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE at < ? ORDER BY id LIMIT ?)').run(historyBefore, batch).changes +
            this.cached('DELETE FROM tunnel_log WHERE id IN (SELECT id FROM tunnel_log WHERE at < ? ORDER BY id LIMIT ?)').run(historyBefore, batch).changes;
      return {
        events: eventsBefore === null ? 0 : this.stmts.pruneEvents.run(eventsBefore, batch).changes,
        deliveries: (deliveriesBefore === null ? 0 : this.stmts.pruneDeliveries.run(deliveriesBefore, batch).changes) + history,
      };
    });
  }
}
