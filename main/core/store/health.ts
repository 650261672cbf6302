// Read-only queries behind the dashboard: webhook health from the delivery log, accounts and chats seen in events.
import type { Db } from './db.js';
import { asRow, num, numOrNull, str, strOrNull, type SqlRow } from './hydrate.js';

/**
 * Kept here so every SQL statement stays in the store folder; the functions at the end take the store
 * (HookwatchStore.health runs them on its own connection).
 *
 * Each query is bounded by an index (deliveries.received_at, the account lookup events_by_account, the
 * events primary key) so it stays fast with a million events; none scans a whole table.
 */

export const HOUR_MS = 60 * 60 * 1000;

/**
 * Latency is bucketed on a log scale, four buckets per doubling (each about 19 % wide), so percentiles
 * over days of deliveries come from a few dozen numbers instead of every row.
 */
export const LATENCY_BINS_PER_DOUBLING = 4;
export function latencyOfBin(bin: number): number {
  return 2 ** (bin / LATENCY_BINS_PER_DOUBLING);
}

export interface DeliveryBucketRow {
  /** Hour number since the epoch (received_at / 1 h). */
  hour: number;
  /** Detected provider; the one named in the URL for rejected requests; `unmatched` for unknown paths and wrong secrets. */
  provider: string;
  /** Type of the delivery's first event; null for requests that produced none. */
  eventType: string | null;
  latencyBin: number;
  deliveries: number;
  rejected: number;
  lastId: number;
}

export interface DeliveryAnswerRow {
  id: number;
  receivedAt: number;
  status: number;
  reason: string | null;
  latencyMs: number;
}

export interface AccountSeenRow {
  phone: string | null;
  accountId: string | null;
  name: string | null;
  provider: string;
  lastEventId: number;
  lastEventAt: number;
  lastEventType: string;
}

export interface RecentChatRow {
  chatId: string;
  chatName: string | null;
  lastEventAt: number;
}

const D = 'deliveries';
const E = 'events';

function hydrateBucket(r: SqlRow): DeliveryBucketRow {
  return {
    hour: num(r, D, 'hour'),
    provider: str(r, D, 'provider'),
    eventType: strOrNull(r, D, 'eventType'),
    latencyBin: num(r, D, 'latencyBin'),
    deliveries: num(r, D, 'deliveries'),
    rejected: num(r, D, 'rejected'),
    lastId: num(r, D, 'lastId'),
  };
}

function hydrateAnswer(r: SqlRow): DeliveryAnswerRow {
  return {
    id: num(r, D, 'id'),
    receivedAt: num(r, D, 'receivedAt'),
    status: num(r, D, 'status'),
    reason: strOrNull(r, D, 'reason'),
    latencyMs: num(r, D, 'latencyMs'),
  };
}

function hydrateAccountSeen(r: SqlRow): AccountSeenRow {
  return {
    phone: strOrNull(r, E, 'phone'),
    accountId: strOrNull(r, E, 'accountId'),
    name: strOrNull(r, E, 'name'),
    provider: str(r, E, 'provider'),
    lastEventId: num(r, E, 'lastEventId'),
    lastEventAt: num(r, E, 'lastEventAt'),
    lastEventType: str(r, E, 'lastEventType'),
  };
}

export class HealthQueries {
  constructor(private readonly db: Db) {}

  /** The search-index watermark (EventsTable.indexedUpto): the account lookup holds every event up to it. */
  private indexedUpto(): number {
    const v: unknown = this.db.cached(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_indexed_upto'`).pluck().get();
    return typeof v === 'number' ? v : 0;
  }

  /**
   * Delivery counts per hour, provider, event type and latency bucket for deliveries received in
   * [fromMs, toMs). A range scan of the received_at index; callers ask for a few hours at a time.
   * Messages recovered by catch-up (reason 'catch-up') are logged as deliveries but were never webhook
   * deliveries: they stay out of these statistics.
   */
  deliveryBuckets(fromMs: number, toMs: number): DeliveryBucketRow[] {
    return this.db
      .cached(
        `SELECT received_at / ${HOUR_MS} AS hour,
           CASE WHEN provider IS NOT NULL THEN provider
                WHEN forced_provider IS NOT NULL THEN forced_provider
                WHEN status = 404 THEN 'unmatched'
                ELSE 'unknown' END AS provider,
           event_type AS eventType,
           CAST(round(log2(max(latency_ms, 0.01)) * ${LATENCY_BINS_PER_DOUBLING}) AS INTEGER) AS latencyBin,
           count(*) AS deliveries,
           sum(status < 200 OR status >= 300) AS rejected,
           max(id) AS lastId
         FROM deliveries
         WHERE received_at >= ? AND received_at < ? AND (reason IS NULL OR reason != 'catch-up')
         GROUP BY 1, 2, 3, 4`,
      )
      .all(fromMs, toMs)
      .map((r) => hydrateBucket(asRow(r, D)));
  }

  /** The answer we gave to each of these deliveries (primary-key lookups). */
  deliveryAnswers(ids: readonly number[]): DeliveryAnswerRow[] {
    if (ids.length === 0) return [];
    const out: DeliveryAnswerRow[] = [];
    // SQLite caps bound parameters per statement; 500 per query is well inside every build's limit.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const r of this.db
        .prepareOnce(
          `SELECT id, received_at AS receivedAt, status, reason, latency_ms AS latencyMs
           FROM deliveries WHERE id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(...chunk)) {
        out.push(hydrateAnswer(asRow(r, D)));
      }
    }
    return out;
  }

  /**
   * Accounts that appear in events: every distinct phone (a skip-scan of the account index: one seek per
   * phone, however many events each has), plus accounts without a phone (WhatsAble user ids) among the
   * most recent `recentWindow` events, since account_id has no index of its own.
   */
  accountsSeen(options: { limit?: number; recentWindow?: number } = {}): AccountSeenRow[] {
    const limit = options.limit ?? 500;
    // The account lookup holds the events up to the search-index watermark (migration 8); the newer
    // ones, a few hundred between two batches, are read from the end of the events table.
    const indexed = this.indexedUpto();
    const withPhone = this.db
      .cached(
        `WITH RECURSIVE phones(phone) AS (
           SELECT (SELECT min(account_phone) FROM events_by_account)
           UNION ALL
           SELECT (SELECT min(account_phone) FROM events_by_account WHERE account_phone > phones.phone) FROM phones WHERE phones.phone IS NOT NULL
           LIMIT @limit
         ),
         every_phone(phone) AS (
           SELECT phone FROM phones WHERE phone IS NOT NULL
           UNION SELECT account_phone FROM events WHERE id > @indexed AND account_phone IS NOT NULL
         ),
         latest(phone, id) AS (
           SELECT p.phone, max(coalesce((SELECT max(id) FROM events WHERE id > @indexed AND account_phone = p.phone), 0),
             coalesce((SELECT max(id) FROM events_by_account WHERE account_phone = p.phone), 0))
           FROM every_phone p
         )
         SELECT e.account_phone AS phone, e.account_id AS accountId, e.provider AS provider, e.id AS lastEventId,
           e.received_at AS lastEventAt, e.type AS lastEventType,
           (SELECT n.account_name FROM (
               SELECT id, account_name FROM events WHERE id > @indexed AND account_phone = latest.phone
               UNION ALL
               SELECT x.id, e2.account_name FROM events_by_account x JOIN events e2 ON e2.id = x.id WHERE x.account_phone = latest.phone
               ORDER BY 1 DESC LIMIT 1000) n
              WHERE n.account_name IS NOT NULL LIMIT 1) AS name
         FROM latest
         JOIN events e ON e.id = latest.id`,
      )
      .all({ limit: limit + 1, indexed })
      .map((r) => hydrateAccountSeen(asRow(r, E)));
    const withoutPhone = this.db
      .cached(
        `SELECT r.account_id AS accountId, max(r.id) AS lastEventId, r.received_at AS lastEventAt, r.type AS lastEventType,
           r.provider AS provider, r.account_name AS name, NULL AS phone
         FROM (SELECT id, account_id, received_at, type, provider, account_name FROM events
               WHERE account_phone IS NULL ORDER BY id DESC LIMIT ?) r
         WHERE r.account_id IS NOT NULL
         GROUP BY r.account_id
         LIMIT ?`,
      )
      .all(options.recentWindow ?? 20_000, limit)
      .map((r) => hydrateAccountSeen(asRow(r, E)));
    return [...withPhone, ...withoutPhone].sort((a, b) => b.lastEventId - a.lastEventId).slice(0, limit);
  }

  /** Distinct chats among the most recent `recentWindow` events, most recent first. */
  recentChats(options: { limit?: number; recentWindow?: number } = {}): RecentChatRow[] {
    // With max() as the only aggregate, SQLite takes the bare columns from the row that holds the maximum.
    return this.db
      .cached(
        `SELECT r.chat_id AS chatId, max(r.id) AS lastId, r.chat_name AS chatName, r.received_at AS lastEventAt
         FROM (SELECT id, chat_id, chat_name, received_at FROM events ORDER BY id DESC LIMIT ?) r
         WHERE r.chat_id IS NOT NULL
         GROUP BY r.chat_id
         ORDER BY lastId DESC
         LIMIT ?`,
      )
      .all(options.recentWindow ?? 5000, options.limit ?? 200)
      .map((x) => {
        const r = asRow(x, E);
        return { chatId: str(r, E, 'chatId'), chatName: strOrNull(r, E, 'chatName'), lastEventAt: num(r, E, 'lastEventAt') };
      });
  }

  /** Rows in events and deliveries, read in one statement (one snapshot, and no write lock). */
  counts(): { events: number; deliveries: number } {
    const r = asRow(
      this.db.cached('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deliveries) AS deliveries').get(),
      E,
    );
    return { events: num(r, E, 'events'), deliveries: num(r, D, 'deliveries') };
  }

  hasEvents(): boolean {
    return numOrNull(asRow(this.db.cached('SELECT EXISTS (SELECT 1 FROM events) AS x').get(), E), E, 'x') === 1;
  }
}
