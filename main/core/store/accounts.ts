// The account_state table: one row per WhatsApp account, the full status record the account board keeps.
import type { Db } from './db.js';
import { StoreDataError } from './errors.js';
import { asRow, isOneOf, isPlainObject, parseJsonColumn } from './hydrate.js';

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
