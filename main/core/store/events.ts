// The events table: normalized events, their reads (feed, filters, search, detail) and the search index.
import { PROVIDER_IDS, type Direction, type NormalizedEvent } from '../events.js';
import { normalizeEventFilter } from '../../contract/filter.js';
import { canonicalJson, sha256Hex } from '../json.js';
import type { Db } from './db.js';
import {
  asRow,
  blobOrNull,
  flag,
  jsonObject,
  jsonStringMap,
  num,
  numOrNull,
  oneOf,
  oneOfOrNull,
  str,
  strOrNull,
  type SqlRow,
} from './hydrate.js';
import type { MetaTable } from './meta.js';
import { LOOKUPS_SCHEMA_VERSION } from './migrations.js';

/** A stored event: the normalized event as written, with what the store adds. */
export interface StoredEvent extends NormalizedEvent {
  id: number;
  /** The delivery that first brought it (a redelivery bumps `deliveryCount` and keeps this). */
  deliveryId: number;
  /** When the store received it first (the receiver's clock at that request, epoch ms). */
  receivedAt: number;
  /** How many deliveries brought it; more than 1 means providers redelivered it. */
  deliveryCount: number;
  lastDeliveredAt: number;
}

export interface EventDetail extends StoredEvent {
  request: {
    headers: Record<string, string>;
    body: Buffer | null;
    bodyTruncated: boolean;
    path: string;
    method: string;
    forcedProvider: string | null;
  };
  /** Other events that carry the same message uid (one message announced under two event types). */
  related: Array<{ id: number; type: string }>;
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

const DIRECTIONS: readonly Direction[] = ['received', 'sent'];

/** The columns every event read selects, in hydrateEvent's terms (alias `e`). */
export const EVENT_COLUMNS = `e.id, e.delivery_id, e.received_at, e.occurred_at, e.provider, e.shape, e.type, e.original_type, e.dedupe_key,
  e.delivery_count, e.last_delivered_at, e.account_phone, e.account_id, e.account_name, e.chat_id, e.chat_name,
  e.chat_phone, e.message_uid, e.direction, e.text, e.details`;

/** The same columns for RETURNING, which takes no table alias. */
const RETURNED_COLUMNS = EVENT_COLUMNS.replace(/\be\./g, '');

const T = 'events';

/** A message event that catch-up may have stored too (see EventsTable.redeliveryAcrossCatchup). */
function crossesCatchup(e: NormalizedEvent): boolean {
  return e.messageUid !== null && e.type.startsWith('message:') && e.type !== 'message:reaction';
}

// The statements of every ingested event, built once: a template literal here would build and hash the
// long SQL text again on every call (to find the prepared statement).
const SQL_INSERT_COLUMNS = `INSERT INTO events
  (delivery_id, received_at, occurred_at, provider, shape, type, original_type, dedupe_key, last_delivered_at,
   account_phone, account_id, account_name, chat_id, chat_name, chat_phone, message_uid, direction, text, details)`;
const SQL_INSERT = `${SQL_INSERT_COLUMNS}
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (provider, type, dedupe_key) DO NOTHING`;
/** The message stored across catch-up: the row redeliveryAcrossCatchup counts one more delivery on. */
const SQL_ACROSS_CATCHUP = `SELECT id FROM events WHERE message_uid = ? AND type LIKE 'message:%' AND type != 'message:reaction'
  AND provider = ? AND (shape = 'timelines.catchup') != (? = 'timelines.catchup') ORDER BY id LIMIT 1`;
/**
 * Whether the message is already stored across catch-up (upsert then says which row). A probe of its own,
 * not a `WHERE NOT EXISTS` on the INSERT: an `INSERT … SELECT` that reads the table it writes materializes
 * the SELECT into a temporary table first, which cost more than this second statement (4–10 µs an event).
 */
const SQL_STORED_ACROSS_CATCHUP = `SELECT 1 FROM events WHERE message_uid = ? AND type LIKE 'message:%' AND type != 'message:reaction'
  AND provider = ? AND (shape = 'timelines.catchup') != (? = 'timelines.catchup') LIMIT 1`;
const SQL_REDELIVERY_ACROSS_CATCHUP = `UPDATE events SET delivery_count = delivery_count + 1, last_delivered_at = ?
  WHERE id = (${SQL_ACROSS_CATCHUP})
  RETURNING ${RETURNED_COLUMNS}`;
const SQL_COUNT_REDELIVERY = `UPDATE events SET delivery_count = delivery_count + 1, last_delivered_at = ?
  WHERE provider = ? AND type = ? AND dedupe_key = ?
  RETURNING ${RETURNED_COLUMNS}`;
const SQL_BY_KEY = `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.provider = ? AND e.type = ? AND e.dedupe_key = ?`;

export function hydrateEvent(r: SqlRow): StoredEvent {
  return {
    id: num(r, T, 'id'),
    deliveryId: num(r, T, 'delivery_id'),
    receivedAt: num(r, T, 'received_at'),
    occurredAt: numOrNull(r, T, 'occurred_at'),
    provider: oneOf(r, T, 'provider', PROVIDER_IDS),
    shape: str(r, T, 'shape'),
    type: str(r, T, 'type'),
    originalType: strOrNull(r, T, 'original_type'),
    dedupeKey: str(r, T, 'dedupe_key'),
    deliveryCount: num(r, T, 'delivery_count'),
    lastDeliveredAt: num(r, T, 'last_delivered_at'),
    accountPhone: strOrNull(r, T, 'account_phone'),
    accountId: strOrNull(r, T, 'account_id'),
    accountName: strOrNull(r, T, 'account_name'),
    chatId: strOrNull(r, T, 'chat_id'),
    chatName: strOrNull(r, T, 'chat_name'),
    chatPhone: strOrNull(r, T, 'chat_phone'),
    messageUid: strOrNull(r, T, 'message_uid'),
    direction: oneOfOrNull(r, T, 'direction', DIRECTIONS),
    text: strOrNull(r, T, 'text'),
    details: jsonObject(r, T, 'details'),
  };
}

/** Words of a search box as an FTS5 query: every word must match, as a prefix. Operators are not exposed. */
export function ftsQuery(input: string): string | null {
  const words = input.match(/[\p{L}\p{N}_]+/gu);
  if (!words || words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}

/** What an event says, without what one delivery of it adds (names as of that delivery, bundle position, links). */
export function eventContentHash(e: NormalizedEvent): string {
  const { bundle: _bundle, sameKeyAs: _sameKeyAs, ...details } = e.details;
  return sha256Hex(
    canonicalJson([e.occurredAt, e.direction, e.messageUid, e.chatId, e.chatPhone, e.accountPhone, e.accountId, e.text, details]),
  );
}

const HASH_REDELIVERY_WINDOW_MS = 6 * 60 * 60 * 1000;

export class EventsTable {
  constructor(
    private readonly db: Db,
    private readonly meta: MetaTable,
  ) {}

  /**
   * Inserts an event, or counts one more delivery of the same (provider, type, dedupe key); returns the
   * row as it now stands, as a read would return it, with `duplicate` (this delivery was a redelivery:
   * `deliveryCount > 1`). Positional parameters, as for deliveries.
   * A new event (nearly every request) costs an `INSERT … ON CONFLICT DO NOTHING`, after an index probe for a
   * message that may be stored across catch-up (see redeliveryAcrossCatchup), and its
   * record is built from what was written, so it pays neither a RETURNING row nor hydrating it. Only when
   * that INSERT wrote nothing do the checks that need the stored row run (across catch-up, content differs),
   * in the same order as ever, so the outcome is the one they always gave.
   */
  upsert(deliveryId: number, receivedAt: number, given: NormalizedEvent): StoredEvent & { duplicate: boolean } {
    if (given.dedupeKey.startsWith('h:')) this.retireHashKeyIfNewOccurrence(given, receivedAt);
    const acrossCatchup = crossesCatchup(given);
    const details = JSON.stringify(given.details);
    const inserted = this.insertNew(deliveryId, receivedAt, given, details, acrossCatchup);
    if (inserted !== null) return inserted;
    if (acrossCatchup) {
      const recovered = this.redeliveryAcrossCatchup(receivedAt, given);
      if (recovered) return { ...recovered, duplicate: recovered.deliveryCount > 1 };
    }
    // The key is taken: the same content is a redelivery, other content its own event (keyForContent).
    const e = this.keyForContent(given);
    if (e !== given) {
      const own = this.insertNew(deliveryId, receivedAt, e, JSON.stringify(e.details), false);
      if (own !== null) return own;
    }
    const row: unknown = this.db.cached(SQL_COUNT_REDELIVERY).get(receivedAt, e.provider, e.type, e.dedupeKey);
    const stored = hydrateEvent(asRow(row, T));
    return { ...stored, duplicate: stored.deliveryCount > 1 };
  }

  /**
   * The INSERT of `upsert`: the new row's record, or null when nothing was written (the key is taken, or
   * with `guarded` the message is already stored across catch-up). Also a follower's short path
   * (followed.ts), which hands over `parsed`: its own object for these details, fresh from the hub's JSON
   * and shared with nothing, so the record takes it instead of parsing `details` again.
   */
  insertNew(
    deliveryId: number,
    receivedAt: number,
    e: NormalizedEvent,
    details: string,
    guarded: boolean,
    parsed?: StoredEvent['details'],
  ): (StoredEvent & { duplicate: boolean }) | null {
    if (guarded && this.db.cached(SQL_STORED_ACROSS_CATCHUP).get(e.messageUid, e.provider, e.shape) !== undefined) return null;
    const values: unknown[] = [
      deliveryId,
      receivedAt,
      e.occurredAt,
      e.provider,
      e.shape,
      e.type,
      e.originalType,
      e.dedupeKey,
      receivedAt,
      e.accountPhone,
      e.accountId,
      e.accountName,
      e.chatId,
      e.chatName,
      e.chatPhone,
      e.messageUid,
      e.direction,
      e.text,
      details,
    ];
    const inserted = this.db.cached(SQL_INSERT).run(values);
    if (inserted.changes !== 1) return null;
    // One literal with every field (no spread of a finished record): this object is made for every event.
    return {
      id: Number(inserted.lastInsertRowid),
      deliveryId,
      receivedAt,
      occurredAt: e.occurredAt,
      provider: e.provider,
      shape: e.shape,
      type: e.type,
      originalType: e.originalType,
      dedupeKey: e.dedupeKey,
      deliveryCount: 1,
      lastDeliveredAt: receivedAt,
      accountPhone: e.accountPhone,
      accountId: e.accountId,
      accountName: e.accountName,
      chatId: e.chatId,
      chatName: e.chatName,
      chatPhone: e.chatPhone,
      messageUid: e.messageUid,
      direction: e.direction,
      text: e.text,
      // Parsed from what was stored, as a read would: the record must not share (or differ from) the caller's object.
      details: parsed ?? (JSON.parse(details) as StoredEvent['details']),
      duplicate: false,
    };
  }

  /**
   * A provider id names an event, but a body under a known key whose CONTENT differs (another text, another
   * time, another status) is not a redelivery: folding it would lose what it says. Such a body becomes its
   * own event under the key `<key>#c:<content hash>` (so its own redeliveries still fold onto it) with
   * `details.sameKeyAs` = the earlier event's id. Display names are left out of the comparison: they are
   * snapshots that a redelivery may carry updated; so is a v1 bundle's position.
   */
  private keyForContent(e: NormalizedEvent): NormalizedEvent {
    if (e.dedupeKey.startsWith('h:')) return e; // a body hash already differs when the content does
    const earlier: unknown = this.db.cached(SQL_BY_KEY).get(e.provider, e.type, e.dedupeKey);
    if (earlier === undefined) return e;
    const stored = hydrateEvent(asRow(earlier, T));
    const hash = eventContentHash(e);
    if (eventContentHash(stored) === hash) return e;
    return { ...e, dedupeKey: `${e.dedupeKey}#c:${hash.slice(0, 16)}`, details: { ...e.details, sameKeyAs: stored.id } };
  }

  /**
   * Exactly once across catch-up: a message recovered from the API (shape `timelines.catchup`) and the
   * same message by webhook may come under different types or keys (`message:new` vs `message:received:new`,
   * an event id vs `uid:`). Either way round, the second is a redelivery of the first: it bumps that row's
   * count instead of storing the message twice. Reactions are left alone (they carry the message's uid too).
   * Only for events that crossesCatchup; upsert's INSERT checks the same condition first.
   */
  private redeliveryAcrossCatchup(receivedAt: number, e: NormalizedEvent): StoredEvent | null {
    const row: unknown = this.db.cached(SQL_REDELIVERY_ACROSS_CATCHUP).get(receivedAt, e.messageUid, e.provider, e.shape);
    return row === undefined ? null : hydrateEvent(asRow(row, T));
  }

  /** Which of `uids` are already stored on a message event (not a reaction), whatever its type or shape: for catch-up. */
  knownMessageUids(uids: readonly string[]): Set<string> {
    const known = new Set<string>();
    const stmt = this.db.cached(
      `SELECT 1 AS hit FROM events WHERE message_uid = ? AND type LIKE 'message:%' AND type != 'message:reaction' LIMIT 1`,
    );
    for (const uid of uids) if (stmt.get(uid) !== undefined) known.add(uid);
    return known;
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
   * The existing row keeps its data; only its key is set aside. "Stored after it" looks in the account
   * and chat lookups up to the batch watermark and in the events table beyond it (see indexSearch).
   */
  private retireHashKeyIfNewOccurrence(e: NormalizedEvent, receivedAt: number): void {
    const key = { provider: e.provider, type: e.type, dedupeKey: e.dedupeKey };
    const byAge = this.db.cached(`UPDATE events SET dedupe_key = dedupe_key || '#' || id
      WHERE provider = @provider AND type = @type AND dedupe_key = @dedupeKey AND last_delivered_at < @notBefore`);
    if (byAge.run({ ...key, notBefore: receivedAt - HASH_REDELIVERY_WINDOW_MS }).changes > 0) return;
    const family = `${e.type.split(':').slice(0, 2).join(':')}%`;
    if (e.chatId !== null) {
      this.db
        .cached(
          `UPDATE events SET dedupe_key = dedupe_key || '#' || id
          WHERE provider = @provider AND type = @type AND dedupe_key = @dedupeKey AND (EXISTS (
            SELECT 1 FROM events_by_chat x JOIN events later ON later.id = x.id
            WHERE x.chat_id = @chatId AND x.id > events.id AND later.type LIKE @family) OR EXISTS (
            SELECT 1 FROM events later WHERE later.id > max(events.id, @indexed) AND later.chat_id = @chatId AND later.type LIKE @family))`,
        )
        .run({ ...key, chatId: e.chatId, family, indexed: this.indexedUpto() });
    } else if (e.accountPhone !== null) {
      this.db
        .cached(
          `UPDATE events SET dedupe_key = dedupe_key || '#' || id
          WHERE provider = @provider AND type = @type AND dedupe_key = @dedupeKey AND (EXISTS (
            SELECT 1 FROM events_by_account x JOIN events later ON later.id = x.id
            WHERE x.account_phone = @accountPhone AND x.id > events.id AND later.type LIKE @family) OR EXISTS (
            SELECT 1 FROM events later WHERE later.id > max(events.id, @indexed) AND later.account_phone = @accountPhone
              AND later.type LIKE @family))`,
        )
        .run({ ...key, accountPhone: e.accountPhone, family, indexed: this.indexedUpto() });
    }
  }

  /** Every event up to this id is in the full-text index and the account and chat lookups; newer ones are not yet. */
  indexedUpto(): number {
    return this.meta.get('ftsIndexedUpto') ?? 0;
  }

  /**
   * Adds events not yet indexed, up to `limit`, in one transaction; returns how many. Indexed means the
   * full-text index and (migration 8) the account and chat lookups. Batches keep FTS5 from writing a
   * segment per delivery (migration 4), and the lookups from rewriting two scattered b-tree pages per
   * event inside the receiver's commit: a batch inserts them sorted, touching each page once. The core
   * calls this a few times a second while events arrive, and every search calls it first, so a search
   * never misses a stored event; account and chat filters read the rows beyond the watermark from the
   * events table itself, so their answers never depend on when the batch ran.
   */
  indexSearch(limit = 20_000): number {
    if (this.db.schemaVersion < 4) return 0;
    // Nothing new (an idle app): two reads, no write transaction, no commit.
    if (this.maxId() <= (this.meta.get('ftsIndexedUpto') ?? 0)) return 0;
    // The index can be rebuilt from the events table (the watermark moves with it), so its commit skips the fsync.
    return this.db.transactionWithoutSync(() => {
      const upto = this.meta.get('ftsIndexedUpto') ?? 0;
      const last = numOrNull(
        asRow(this.db.cached('SELECT max(id) AS id FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?)').get(upto, limit), T),
        T,
        'id',
      );
      if (last === null) return 0;
      const added = this.db
        .cached(
          `INSERT INTO events_fts(rowid, text, chat_name, account_name, chat_phone, account_phone)
          SELECT id, text, chat_name, account_name, chat_phone, account_phone FROM events WHERE id > ? AND id <= ? ORDER BY id`,
        )
        .run(upto, last).changes;
      if (this.db.schemaVersion >= LOOKUPS_SCHEMA_VERSION) {
        this.db
          .cached(
            `INSERT INTO events_by_account (account_phone, id) SELECT account_phone, id FROM events
              WHERE id > ? AND id <= ? AND account_phone IS NOT NULL ORDER BY account_phone, id`,
          )
          .run(upto, last);
        this.db
          .cached(
            `INSERT INTO events_by_chat (chat_id, id) SELECT chat_id, id FROM events
              WHERE id > ? AND id <= ? AND chat_id IS NOT NULL ORDER BY chat_id, id`,
          )
          .run(upto, last);
      }
      this.meta.set('ftsIndexedUpto', last);
      return added;
    });
  }

  list(filter: EventFilter = {}): StoredEvent[] {
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
    // An account phone or a chat drives the query from its lookup (the chat first: it is the narrower);
    // the other, if both are given, is a plain condition.
    let lookup: { table: 'events_by_chat' | 'events_by_account'; column: 'chat_id' | 'account_phone'; value: string } | null = null;
    if (f.chat) lookup = { table: 'events_by_chat', column: 'chat_id', value: f.chat };
    else if (f.account && 'phone' in f.account) lookup = { table: 'events_by_account', column: 'account_phone', value: f.account.phone };
    if (f.account && lookup?.column !== 'account_phone') {
      where.push('phone' in f.account ? 'e.account_phone = ?' : 'e.account_id = ?');
      params.push('phone' in f.account ? f.account.phone : f.account.id);
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
      if (lookup) {
        where.push(`e.${lookup.column} = ?`);
        params.push(lookup.value);
      }
      // Drive the query from the FTS index, newest first: FTS5 walks its doclist by rowid and stops at the limit.
      sql = `SELECT ${EVENT_COLUMNS} FROM events_fts f JOIN events e ON e.id = f.rowid
        WHERE events_fts MATCH ?${where.length ? ' AND ' + where.join(' AND ') : ''}
        ORDER BY f.rowid DESC LIMIT ?`;
      params.unshift(search);
    } else if (lookup && this.db.schemaVersion >= LOOKUPS_SCHEMA_VERSION) {
      // Two parts, merged newest first by the compound ORDER BY (SQLite walks both in id order and stops at
      // the limit): the rows the batches have indexed, through the lookup's (key, id) order, and the newer
      // ones (a few hundred at most, between two batches) from the end of the events table. The parts do
      // not overlap, and a watermark read a moment late only moves rows from the first part to the second.
      // NOT INDEXED keeps the planner on the id range for the newer part: it cannot know that range is short,
      // and with a type filter it would walk the whole type index instead.
      const indexed = this.indexedUpto();
      const rest = where.length ? ' AND ' + where.join(' AND ') : '';
      sql = `SELECT ${EVENT_COLUMNS} FROM events e NOT INDEXED WHERE e.id > ? AND e.${lookup.column} = ?${rest}
        UNION ALL
        SELECT x.id AS id, ${EVENT_COLUMNS.replace('e.id, ', '')} FROM ${lookup.table} x JOIN events e ON e.id = x.id
          WHERE x.${lookup.column} = ? AND x.id <= ?${rest}
        ORDER BY 1 DESC LIMIT ?`;
      params.splice(0, params.length, indexed, lookup.value, ...params, lookup.value, indexed, ...params);
    } else {
      if (lookup) {
        // A database migrated only part way (tests of old schemas): the plain column, as before migration 8.
        where.push(`e.${lookup.column} = ?`);
        params.push(lookup.value);
      }
      sql = `SELECT ${EVENT_COLUMNS} FROM events e${where.length ? ' WHERE ' + where.join(' AND ') : ''}
        ORDER BY e.id DESC LIMIT ?`;
    }
    params.push(limit);
    // The SQL text depends only on which filters are set (a few dozen variants), so it is worth caching.
    return this.db
      .cached(sql)
      .all(...params)
      .map((r) => hydrateEvent(asRow(r, T)));
  }

  get(id: number): EventDetail | null {
    const found: unknown = this.db
      .cached(
        `SELECT ${EVENT_COLUMNS}, d.headers AS req_headers, d.body AS req_body,
          d.body_truncated AS req_truncated, d.path AS req_path, d.method AS req_method, d.forced_provider AS req_forced
        FROM events e JOIN deliveries d ON d.id = e.delivery_id WHERE e.id = ?`,
      )
      .get(id);
    if (found === undefined) return null;
    const row = asRow(found, T);
    const event = hydrateEvent(row);
    const related = event.messageUid
      ? this.db
          .cached('SELECT id, type FROM events WHERE message_uid = ? AND id != ? ORDER BY id')
          .all(event.messageUid, id)
          .map((r) => {
            const x = asRow(r, T);
            return { id: num(x, T, 'id'), type: str(x, T, 'type') };
          })
      : [];
    const D = 'deliveries';
    return {
      ...event,
      request: {
        headers: jsonStringMap(row, D, 'req_headers'),
        body: blobOrNull(row, D, 'req_body'),
        bodyTruncated: flag(row, D, 'req_truncated'),
        path: str(row, D, 'req_path'),
        method: str(row, D, 'req_method'),
        forcedProvider: strOrNull(row, D, 'req_forced'),
      },
      related,
    };
  }

  /** Events stored after `afterId` whose type matches one of the LIKE patterns, oldest first (catch-up after a restart). */
  after(afterId: number, typePatterns: readonly string[], limit = 10_000): StoredEvent[] {
    const where = typePatterns.map(() => 'e.type LIKE ?').join(' OR ');
    return this.db
      .cached(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.id > ? AND (${where}) ORDER BY e.id LIMIT ?`)
      .all(afterId, ...typePatterns, limit)
      .map((r) => hydrateEvent(asRow(r, T)));
  }

  maxId(): number {
    return num(asRow(this.db.cached('SELECT coalesce(max(id), 0) AS n FROM events').get(), T), T, 'n');
  }

  /** How many events carry a message uid starting with `prefix` (benchmarks count what they sent). */
  countByMessageUidPrefix(prefix: string): number {
    const row = this.db.cached('SELECT count(*) AS n FROM events WHERE substr(message_uid, 1, length(?)) = ?').get(prefix, prefix);
    return num(asRow(row, T), T, 'n');
  }

  /**
   * Deletes up to `batch` events received before `before`. Never the newest row: ids must keep growing
   * (INTEGER PRIMARY KEY reuses them once a table is empty), and the search index watermark, the alerts'
   * last processed id and the feed all count on that.
   */
  prune(before: number, batch: number): number {
    return this.db
      .cached(
        `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ?
          AND id < (SELECT max(id) FROM events) ORDER BY id LIMIT ?)`,
      )
      .run(before, batch).changes;
  }
}
