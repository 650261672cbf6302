// The account_state table: one row per WhatsApp account, the full status record the account board keeps.
import type { Db } from './db.js';
import { StoreDataError } from './errors.js';
import { asRow, isOneOf, isPlainObject, num, numOrNull, parseJsonColumn, str } from './hydrate.js';

export const ACCOUNT_STATES = ['connected', 'disconnected', 'suspended', 'unknown'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

export const OBSERVATION_SOURCES = ['event', 'api'] as const;
export type ObservationSource = (typeof OBSERVATION_SOURCES)[number];

/** One thing we learned about an account's state, placed at the time it happened. */
export interface AccountObservation {
  /** Event time: `occurredAt`, else `receivedAt`; for the API, the time of the check (or `connected_on`). */
  at: number;
  receivedAt: number;
  state: AccountState;
  eventId: number | null;
  /** The event type, or API_SNAPSHOT_TYPE. */
  type: string;
  source: ObservationSource;
  /** The account name the event carried, if any. */
  name?: string;
}

export interface AccountLastEvent {
  id: number | null;
  type: string;
  at: number;
}

/** An account's state as the reducer in main/core/alerts/account-status.ts derives it; stored whole. */
export interface AccountStatus {
  /** E.164 phone, else the provider's account id (a JID, or `waba:<id>`). */
  key: string;
  phone: string | null;
  accountId: string | null;
  name: string | null;
  state: AccountState;
  /** When the current state began; null while unknown. */
  since: number | null;
  /** Start of the current outage when down (a disconnection followed by a suspension is one outage). */
  downSince: number | null;
  /** The latest account event by event time (not the API check). */
  lastEvent: AccountLastEvent | null;
  /** What set the current state. */
  source: ObservationSource | null;
  /** Sorted by event time, oldest first, at most ACCOUNT_HISTORY_LIMIT. */
  history: AccountObservation[];
}

const T = 'account_state';

/** Field checks for the JSON record; each throws naming the field. */
function field(where: string, name: string): never {
  throw new StoreDataError(`${T}.record ${where}: ${name} has the wrong type`);
}
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): v is number | null => v === null || isNum(v);
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

function hydrateObservation(v: unknown, where: string): AccountObservation {
  if (!isPlainObject(v)) return field(where, 'a history entry');
  const { at, receivedAt, state, eventId, type, source, name } = v;
  if (!isNum(at)) return field(where, 'history.at');
  if (!isNum(receivedAt)) return field(where, 'history.receivedAt');
  if (!isOneOf(state, ACCOUNT_STATES)) return field(where, 'history.state');
  if (!isNumOrNull(eventId)) return field(where, 'history.eventId');
  if (typeof type !== 'string') return field(where, 'history.type');
  if (!isOneOf(source, OBSERVATION_SOURCES)) return field(where, 'history.source');
  const o: AccountObservation = { at, receivedAt, state, eventId, type, source };
  if (name !== undefined) o.name = typeof name === 'string' ? name : field(where, 'history.name');
  return o;
}

/** The status record of one row, checked field by field (the JSON column is ours, but a file can be edited). */
export function hydrateAccountStatus(record: unknown, key: string): AccountStatus {
  const where = `of ${key}`;
  if (!isPlainObject(record)) return field(where, 'the record');
  const { phone, accountId, name, state, since, downSince, lastEvent, source, history } = record;
  if (typeof record.key !== 'string') return field(where, 'key');
  if (!isStrOrNull(phone)) return field(where, 'phone');
  if (!isStrOrNull(accountId)) return field(where, 'accountId');
  if (!isStrOrNull(name)) return field(where, 'name');
  if (!isOneOf(state, ACCOUNT_STATES)) return field(where, 'state');
  if (!isNumOrNull(since)) return field(where, 'since');
  if (!isNumOrNull(downSince)) return field(where, 'downSince');
  if (!(source === null || isOneOf(source, OBSERVATION_SOURCES))) return field(where, 'source');
  if (!Array.isArray(history)) return field(where, 'history');
  let last: AccountLastEvent | null = null;
  if (lastEvent !== null) {
    if (!isPlainObject(lastEvent) || !isNumOrNull(lastEvent.id) || typeof lastEvent.type !== 'string' || !isNum(lastEvent.at))
      return field(where, 'lastEvent');
    last = { id: lastEvent.id, type: lastEvent.type, at: lastEvent.at };
  }
  return {
    key: record.key,
    phone,
    accountId,
    name,
    state,
    since,
    downSince,
    lastEvent: last,
    source,
    history: history.map((h) => hydrateObservation(h, where)),
  };
}

/** Events of one account in one 5-minute slot: what silence detection learns from (main/core/alerts/silence.ts). */
export interface AccountActivityRow {
  /** E.164 phone, else the provider's account id: the key the account board and the alerts use. */
  key: string;
  /** The slot's start (epoch ms, a multiple of ACTIVITY_SLOT_MS). */
  slot: number;
  /** The latest event in the slot. */
  lastAt: number;
  count: number;
  provider: string;
}

export const ACTIVITY_SLOT_MS = 5 * 60_000;

export class AccountsTable {
  constructor(private readonly db: Db) {}

  list(): AccountStatus[] {
    return this.db
      .cached('SELECT key, record FROM account_state ORDER BY key')
      .all()
      .map((r) => {
        const row = asRow(r, T);
        return hydrateAccountStatus(parseJsonColumn(row, T, 'record'), String(row.key));
      });
  }

  /**
   * Per account and 5-minute slot, how many events it had: events stored after `afterId` whose time is at or
   * after `since` (ids only grow, so a caller that keeps the returned `lastId` reads each event once). The
   * time is when it happened, but never later than when it reached us (a sender's clock ahead of ours), and
   * test events (`hookwatch:test`) are not the account's activity. One grouped scan of at most `limit` events:
   * a caller reads again from `lastId` until it returns no rows and the same id.
   */
  activity(afterId: number, since: number, limit = 250_000): { rows: AccountActivityRow[]; lastId: number } {
    const E = 'events';
    if (afterId <= 0) {
      // The first read starts at the first event received since `since` (an event's time is never later than
      // its receipt), found on the received_at index, instead of walking every older event kept.
      const first = numOrNull(asRow(this.db.cached('SELECT min(id) AS m FROM events WHERE received_at >= ?').get(since), E), E, 'm');
      if (first === null)
        return { rows: [], lastId: num(asRow(this.db.cached('SELECT coalesce(max(id), 0) AS m FROM events').get(), E), E, 'm') };
      afterId = first - 1;
    }
    const lastId = num(
      asRow(
        this.db
          .cached('SELECT coalesce(max(id), 0) AS m FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?)')
          .get(afterId, limit),
        E,
      ),
      E,
      'm',
    );
    if (lastId <= afterId) return { rows: [], lastId: afterId };
    const rows = this.db
      .cached(
        `SELECT key, (at / ${ACTIVITY_SLOT_MS}) * ${ACTIVITY_SLOT_MS} AS slot, max(at) AS lastAt, count(*) AS count,
             max(provider) AS provider FROM (
           SELECT coalesce(account_phone, account_id) AS key, provider, min(coalesce(occurred_at, received_at), received_at) AS at
           FROM events
           WHERE id > ? AND id <= ? AND type <> 'hookwatch:test' AND (account_phone IS NOT NULL OR account_id IS NOT NULL)
         )
         WHERE at >= ?
         GROUP BY key, slot`,
      )
      .all(afterId, lastId, since)
      .map((r) => {
        const row = asRow(r, E);
        return {
          key: str(row, E, 'key'),
          slot: num(row, E, 'slot'),
          lastAt: num(row, E, 'lastAt'),
          count: num(row, E, 'count'),
          provider: str(row, E, 'provider'),
        };
      });
    return { rows, lastId };
  }

  /** Upserts `changed` and deletes `removedKeys`, in one transaction. */
  save(changed: readonly AccountStatus[], removedKeys: readonly string[], now: number): void {
    const del = this.db.cached('DELETE FROM account_state WHERE key = ?');
    const put = this.db.cached(`INSERT INTO account_state (key, phone, name, state, since, record, updated_at)
      VALUES (@key, @phone, @name, @state, @since, @record, @now)
      ON CONFLICT (key) DO UPDATE SET phone = excluded.phone, name = excluded.name, state = excluded.state,
        since = excluded.since, record = excluded.record, updated_at = excluded.updated_at`);
    this.db.transaction(() => {
      for (const key of removedKeys) del.run(key);
      for (const a of changed)
        put.run({ key: a.key, phone: a.phone, name: a.name, state: a.state, since: a.since, record: JSON.stringify(a), now });
    });
  }
}
