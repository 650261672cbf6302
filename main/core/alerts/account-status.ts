// WhatsApp account status: the reducer from account events and API listings to one state per account.
import { toE164 } from '../phone.js';
import type { AccountLastEvent, AccountObservation, AccountState, AccountStatus, ObservationSource } from '../store/accounts.js';
import { parseProviderTime } from '../time.js';

/**
 * WhatsApp account status: a reducer from account events (and the API's account list) to one
 * state per account. No I/O and no clock: every instant is passed in. It changes the board it is
 * given in place (a copy per change does not scale to 200,000 accounts) and returns how to undo that.
 *
 * How order is handled. Providers retry, the tunnel drops, and Hookwatch may be off, so events
 * reach us late and out of order. Each account therefore keeps a short history of observations
 * sorted by *event time* (`occurredAt`, else `receivedAt`), and its state is derived from that
 * history: the state of the latest observation, "since" the first observation of the trailing
 * run of that same state. Inserting a late event in its place gives the same result as if it
 * had arrived on time, whatever the arrival order (tested with shuffled permutations). The only
 * limit is the history length: an event older than every kept observation of a full history
 * cannot change anything and is ignored (reported in `ignored`).
 */

// The account record as stored is the store's shape (main/core/store/accounts.ts); this reducer produces it.
export {
  ACCOUNT_STATES,
  type AccountLastEvent,
  type AccountObservation,
  type AccountState,
  type AccountStatus,
  type ObservationSource,
} from '../store/accounts.js';

/** Observations kept per account. Far more than any real out-of-order burst spans. */
export const ACCOUNT_HISTORY_LIMIT = 64;

/** The type written on observations that came from `GET /whatsapp_accounts`, not from a webhook. */
export const API_SNAPSHOT_TYPE = 'api:whatsapp_accounts';

export function isDown(state: AccountState): boolean {
  return state === 'disconnected' || state === 'suspended';
}

/**
 * The account state an event type announces, or null when the type says nothing about it.
 *
 * - `whatsapp:account:connected` is TimelinesAI's "reconnected" event, `resumed` ends a suspension.
 * - `waba:account:disabled` maps to suspended, not disconnected: the WABA number is still in the
 *   workspace (its raw state is `disabled`, and a later `waba:account:active` re-enables it), it is
 *   switched off by Meta or the workspace, the way a suspension pauses a WhatsApp account. The
 *   permanent removal is `waba:account:disconnected`, whose raw state is `removed` (webhook spec,
 *   WabaAccountInfo.state).
 */
export function accountStateForEventType(type: string): AccountState | null {
  switch (type) {
    case 'whatsapp:account:connected':
    case 'whatsapp:account:resumed':
    case 'waba:account:active':
      return 'connected';
    case 'whatsapp:account:disconnected':
    case 'waba:account:disconnected':
      return 'disconnected';
    case 'whatsapp:account:suspended':
    case 'waba:account:disabled':
      return 'suspended';
    default:
      return null;
  }
}

/** What the reducer reads from an event. `StoredEvent` fits as is; a `NormalizedEvent` needs `receivedAt`. */
export interface AccountEventInput {
  /** The stored event's id, linked from alerts; null for events not stored yet. */
  id?: number | null;
  type: string;
  occurredAt: number | null;
  receivedAt: number;
  accountPhone: string | null;
  accountId: string | null;
  accountName: string | null;
}

export interface AccountBoard {
  accounts: Record<string, AccountStatus>;
}

/** A change of an account's *current* state. Late events that only fill in the past produce none. */
export interface AccountTransition {
  key: string;
  phone: string | null;
  accountId: string | null;
  name: string | null;
  from: AccountState;
  to: AccountState;
  /** When the new state began (event time). */
  at: number;
  /** When the previous state began. */
  fromSince: number | null;
  /** When `from` is down: when that outage began (for "down for 12 min"). */
  downSince: number | null;
  eventId: number | null;
  /** The event type that caused it, or API_SNAPSHOT_TYPE. */
  eventType: string;
  source: ObservationSource;
}

export interface AccountUpdate {
  /** The board passed in, changed in place. */
  board: AccountBoard;
  /** Puts the board back as it was before this update (when saving the update failed). */
  undo: () => void;
  transitions: AccountTransition[];
  /** Accounts whose record changed (to upsert); keys of accounts merged away are in `removedKeys`. */
  changed: AccountStatus[];
  /** An account first seen under its id and later under its phone is re-keyed: delete these rows. */
  removedKeys: string[];
  /** Input that was not used, and why (never silently dropped). */
  ignored: string[];
}

export function emptyAccountBoard(): AccountBoard {
  return { accounts: {} };
}

const STATE_RANK: Record<AccountState, number> = { unknown: 0, connected: 1, suspended: 2, disconnected: 3 };

/**
 * A total order on observations that does not depend on arrival: event time, then receive time,
 * then event id (API observations last), then state. This is what makes the result the same for
 * every arrival order.
 */
export function compareObservations(a: AccountObservation, b: AccountObservation): number {
  return (
    a.at - b.at ||
    a.receivedAt - b.receivedAt ||
    (a.eventId ?? Number.MAX_SAFE_INTEGER) - (b.eventId ?? Number.MAX_SAFE_INTEGER) ||
    STATE_RANK[a.state] - STATE_RANK[b.state] ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)
  );
}

interface Derived {
  state: AccountState;
  since: number | null;
  downSince: number | null;
  lastEvent: AccountLastEvent | null;
  source: ObservationSource | null;
}

function derive(history: readonly AccountObservation[]): Derived {
  const last = history[history.length - 1];
  if (!last) return { state: 'unknown', since: null, downSince: null, lastEvent: null, source: null };
  let i = history.length - 1;
  while (i > 0 && history[i - 1]!.state === last.state) i--;
  const since = history[i]!.at;
  let downSince: number | null = null;
  if (isDown(last.state)) {
    let j = history.length - 1;
    while (j > 0 && isDown(history[j - 1]!.state)) j--;
    downSince = history[j]!.at;
  }
  let lastEvent: AccountLastEvent | null = null;
  for (let k = history.length - 1; k >= 0; k--) {
    const o = history[k]!;
    if (o.source === 'event') {
      lastEvent = { id: o.eventId, type: o.type, at: o.at };
      break;
    }
  }
  return { state: last.state, since, downSince, lastEvent, source: last.source };
}

function withHistory(base: AccountStatus, history: AccountObservation[]): AccountStatus {
  const d = derive(history);
  let name = base.name;
  for (let k = history.length - 1; k >= 0; k--) {
    const n = history[k]!.name;
    if (n) {
      name = n;
      break;
    }
  }
  return { ...base, name, ...d, history };
}

/** Inserts in time order; returns null when the observation is a duplicate or older than a full history. */
function insertObservation(history: readonly AccountObservation[], obs: AccountObservation): AccountObservation[] | null {
  if (obs.eventId !== null && history.some((o) => o.eventId === obs.eventId)) return null;
  let i = history.length;
  while (i > 0 && compareObservations(history[i - 1]!, obs) > 0) i--;
  const prev = history[i - 1];
  if (prev && compareObservations(prev, obs) === 0 && prev.source === obs.source) return null;
  if (i === 0 && history.length >= ACCOUNT_HISTORY_LIMIT) return null;
  const next = [...history.slice(0, i), obs, ...history.slice(i)];
  return next.length > ACCOUNT_HISTORY_LIMIT ? next.slice(next.length - ACCOUNT_HISTORY_LIMIT) : next;
}

function mergeHistories(a: readonly AccountObservation[], b: readonly AccountObservation[]): AccountObservation[] {
  let merged = [...a];
  for (const o of b) merged = insertObservation(merged, o) ?? merged;
  return merged;
}

function newAccount(key: string, phone: string | null, accountId: string | null, name: string | null): AccountStatus {
  return {
    key,
    phone,
    accountId,
    name,
    state: 'unknown',
    since: null,
    downSince: null,
    lastEvent: null,
    source: null,
    history: [],
  };
}

/** Per account table: accountId -> keys of the accounts carrying it, oldest first (built on first need). */
const idIndexes = new WeakMap<Record<string, AccountStatus>, Map<string, string[]>>();

/**
 * The accounts being changed by one call (an event, a page of events, a part of an API listing). It
 * changes the board's table in place and remembers each key's prior record, so `undo()` puts the
 * board back (the caller does that when saving the change failed). Copying the table instead, per
 * row or per event, is what made merging 16,000 accounts take most of a minute; even one copy of
 * 200,000 accounts costs about a second, so none is made. Lookups by account id use an index kept
 * beside the table.
 */
class BoardDraft {
  private readonly accounts: Record<string, AccountStatus>;
  private readonly prior = new Map<string, AccountStatus | undefined>();

  constructor(private readonly board: AccountBoard) {
    this.accounts = board.accounts;
  }

  get(key: string): AccountStatus | undefined {
    return this.accounts[key];
  }

  /** The first account carrying this id (as a scan of the table in its order would find it). */
  findById(accountId: string): AccountStatus | undefined {
    let index = idIndexes.get(this.accounts);
    if (!index) {
      index = new Map();
      for (const a of Object.values(this.accounts)) if (a.accountId) indexAdd(index, a.accountId, a.key);
      idIndexes.set(this.accounts, index);
    }
    const key = index.get(accountId)?.[0];
    return key === undefined ? undefined : this.accounts[key];
  }

  set(account: AccountStatus): void {
    if (!this.prior.has(account.key)) this.prior.set(account.key, this.accounts[account.key]);
    write(this.accounts, account.key, account);
  }

  delete(key: string): void {
    if (!this.prior.has(key)) this.prior.set(key, this.accounts[key]);
    write(this.accounts, key, undefined);
  }

  /** The board (the same object, changed in place) and how to put it back. */
  result(): { board: AccountBoard; undo: () => void } {
    const accounts = this.accounts;
    const prior = [...this.prior];
    return {
      board: this.board,
      undo: () => {
        for (const [key, record] of prior) write(accounts, key, record);
      },
    };
  }
}

/** Sets or (undefined) deletes one record, keeping the id index of the table right. */
function write(accounts: Record<string, AccountStatus>, key: string, record: AccountStatus | undefined): void {
  const index = idIndexes.get(accounts);
  const old = accounts[key];
  if (index && old?.accountId !== record?.accountId) {
    if (old?.accountId) indexRemove(index, old.accountId, key);
    if (record?.accountId) indexAdd(index, record.accountId, key);
  }
  if (record) accounts[key] = record;
  else delete accounts[key];
}

function indexAdd(index: Map<string, string[]>, accountId: string, key: string): void {
  const keys = index.get(accountId);
  if (!keys) index.set(accountId, [key]);
  else if (!keys.includes(key)) keys.push(key);
}

function indexRemove(index: Map<string, string[]>, accountId: string, key: string): void {
  const keys = index.get(accountId);
  if (!keys) return;
  const i = keys.indexOf(key);
  if (i >= 0) keys.splice(i, 1);
  if (keys.length === 0) index.delete(accountId);
}

interface Resolved {
  /** The account record to update, under its final key (merged with an id-keyed twin if any). */
  account: AccountStatus;
  /** The record as it was before this update (for the transition), or null if new. */
  before: AccountStatus | null;
  removedKeys: string[];
}

/**
 * Finds the account an event or API row is about. Keyed by E.164 phone, else account id; an
 * account first seen without a phone (WABA events may lack `display_phone_number`) is found
 * again by its id, and moved under its phone once one is known.
 */
function resolveAccount(draft: BoardDraft, phone: string | null, accountId: string | null, name: string | null): Resolved | null {
  if (phone) {
    const existing = draft.get(phone) ?? null;
    const twin = accountId && accountId !== phone ? (draft.get(accountId) ?? null) : null;
    if (!twin) {
      const account = existing ? { ...existing, accountId: accountId ?? existing.accountId } : newAccount(phone, phone, accountId, name);
      return { account, before: existing, removedKeys: [] };
    }
    const base = existing ?? { ...twin, key: phone, phone };
    const account = withHistory(
      { ...base, key: phone, phone, accountId: accountId ?? base.accountId },
      existing ? mergeHistories(existing.history, twin.history) : twin.history,
    );
    return { account, before: existing ?? twin, removedKeys: [twin.key] };
  }
  if (!accountId) return null;
  const byKey = draft.get(accountId);
  if (byKey) return { account: byKey, before: byKey, removedKeys: [] };
  const byId = draft.findById(accountId);
  if (byId) return { account: byId, before: byId, removedKeys: [] };
  return { account: newAccount(accountId, null, accountId, name), before: null, removedKeys: [] };
}

function transitionOf(before: AccountStatus | null, after: AccountStatus, cause: AccountObservation): AccountTransition | null {
  const from = before?.state ?? 'unknown';
  if (from === after.state) return null;
  return {
    key: after.key,
    phone: after.phone,
    accountId: after.accountId,
    name: after.name,
    from,
    to: after.state,
    at: after.since ?? cause.at,
    fromSince: before?.since ?? null,
    downSince: before?.downSince ?? null,
    eventId: cause.eventId,
    eventType: cause.type,
    source: cause.source,
  };
}

/** What one batch changed, gathered as it goes (a key removed and then written again counts as changed). */
class Changes {
  readonly transitions: AccountTransition[] = [];
  readonly ignored: string[] = [];
  private readonly changed = new Map<string, AccountStatus>();
  private readonly removed = new Set<string>();

  commit(draft: BoardDraft, resolved: Resolved, after: AccountStatus, cause: AccountObservation | null): AccountTransition | null {
    for (const k of resolved.removedKeys) {
      draft.delete(k);
      this.changed.delete(k);
      this.removed.add(k);
    }
    draft.set(after);
    this.changed.set(after.key, after);
    this.removed.delete(after.key);
    const t = cause ? transitionOf(resolved.before, after, cause) : null;
    if (t) this.transitions.push(t);
    return t;
  }

  update(draft: BoardDraft): AccountUpdate {
    return {
      ...draft.result(),
      transitions: this.transitions,
      changed: [...this.changed.values()],
      removedKeys: [...this.removed],
      ignored: this.ignored,
    };
  }
}

function describeEvent(e: AccountEventInput): string {
  return e.id !== null && e.id !== undefined ? `event ${e.id} (${e.type})` : `a ${e.type} event`;
}

/** Applies one event to the draft; returns its transition, if any. */
function applyToDraft(draft: BoardDraft, changes: Changes, event: AccountEventInput): AccountTransition | null {
  const state = accountStateForEventType(event.type);
  if (state === null) return null;
  const at = event.occurredAt ?? event.receivedAt;
  if (!Number.isFinite(at) || !Number.isFinite(event.receivedAt)) {
    changes.ignored.push(`${describeEvent(event)} has no usable time; the account state was not changed`);
    return null;
  }
  const phone = toE164(event.accountPhone);
  const accountId = event.accountId?.trim() || null;
  const name = event.accountName?.trim() || null;
  const resolved = resolveAccount(draft, phone, accountId, name);
  if (!resolved) {
    changes.ignored.push(`${describeEvent(event)} names no account (no phone, no account id); it is kept but changes no account state`);
    return null;
  }
  const obs: AccountObservation = {
    at,
    receivedAt: event.receivedAt,
    state,
    eventId: event.id ?? null,
    type: event.type,
    source: 'event',
    ...(name ? { name } : {}),
  };
  const history = insertObservation(resolved.account.history, obs);
  if (!history) {
    const duplicate = obs.eventId !== null && resolved.account.history.some((o) => o.eventId === obs.eventId);
    if (!duplicate) {
      changes.ignored.push(
        `${describeEvent(event)} is older than the ${ACCOUNT_HISTORY_LIMIT} observations kept for ${resolved.account.key}; it cannot change the state`,
      );
    }
    // Nothing new to place, but an id-keyed twin may still have been merged under the phone.
    if (resolved.removedKeys.length > 0) return changes.commit(draft, resolved, resolved.account, obs);
    return null;
  }
  return changes.commit(draft, resolved, withHistory(resolved.account, history), obs);
}

/**
 * Applies one event to the board (in place; `undo` reverts it). Events that are not account status
 * events change nothing (and report no change, so callers can skip persisting). Redeliveries (same
 * event id) change nothing.
 */
export function applyAccountEvent(board: AccountBoard, event: AccountEventInput): AccountUpdate {
  const draft = new BoardDraft(board);
  const changes = new Changes();
  applyToDraft(draft, changes, event);
  return changes.update(draft);
}

/**
 * Applies events in the order given, with the result of applying them one by one with
 * applyAccountEvent, in time linear in the events. `transitionsByEvent[i]` are the
 * transitions event i caused (so a caller can interleave its own per-event signals).
 */
export function applyAccountEvents(
  board: AccountBoard,
  events: Iterable<AccountEventInput>,
): AccountUpdate & { transitionsByEvent: AccountTransition[][] } {
  const draft = new BoardDraft(board);
  const changes = new Changes();
  const transitionsByEvent: AccountTransition[][] = [];
  for (const e of events) {
    const t = applyToDraft(draft, changes, e);
    transitionsByEvent.push(t ? [t] : []);
  }
  return { ...changes.update(draft), transitionsByEvent };
}

/** The board from a list of events in any order (the result does not depend on the order). */
export function accountStatusFromEvents(events: Iterable<AccountEventInput>, board: AccountBoard = emptyAccountBoard()): AccountBoard {
  return applyAccountEvents(board, events).board;
}

/** One row of `GET /whatsapp_accounts` (`data.whatsapp_accounts[]`), as received. */
export interface ApiWhatsappAccount {
  id?: unknown;
  phone?: unknown;
  connected_on?: unknown;
  status?: unknown;
  account_name?: unknown;
  [field: string]: unknown;
}

/**
 * Catches the board up with `GET /whatsapp_accounts`, which covers events missed while Hookwatch
 * was off. The API knows only `active` and `disconnected` (any case; its own example says
 * "Active"), and reports suspended, banned and paused accounts as `disconnected`. So:
 *
 * | we know      | API says     | result                                                        |
 * |--------------|--------------|---------------------------------------------------------------|
 * | (new)        | active       | connected, since `connected_on` (else now)                    |
 * | (new)        | disconnected | disconnected since now (the API does not say since when)      |
 * | connected    | active       | nothing                                                       |
 * | connected    | disconnected | disconnected since now (an outage we missed)                  |
 * | disconnected | disconnected | nothing                                                       |
 * | suspended    | disconnected | nothing: the API cannot tell suspended from disconnected      |
 * | down         | active       | connected (a recovery): since `connected_on` if it is after   |
 * |              |              | our last observation, else now (a resumed account keeps its   |
 * |              |              | old `connected_on`)                                           |
 * | unknown      | either       | as for a new account                                          |
 * | any          | other status | nothing (reported in `ignored`); a new account is `unknown`   |
 *
 * Accounts missing from the list are left alone (the token may not see every account).
 * The observation is placed at its time, so an older event arriving later cannot undo it.
 *
 * Linear in the rows (changes in place, an index by account id). A long listing may be merged in
 * consecutive parts with the same result; `firstIndex` is the position of the part's first row in
 * the whole listing (for the reports).
 */
export function mergeApiSnapshot(board: AccountBoard, accountsFromApi: readonly unknown[], now: number, firstIndex = 0): AccountUpdate {
  const draft = new BoardDraft(board);
  const changes = new Changes();
  const ignored = changes.ignored;
  accountsFromApi.forEach((raw, i) => {
    const index = firstIndex + i;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      ignored.push(`whatsapp_accounts[${index}] is not an object`);
      return;
    }
    const row = raw as ApiWhatsappAccount;
    const idText = typeof row.id === 'string' ? row.id.trim() : typeof row.id === 'number' ? String(row.id) : '';
    const accountId = idText || null;
    const phone = toE164(row.phone) ?? toE164(accountId);
    const name = typeof row.account_name === 'string' && row.account_name.trim() ? row.account_name.trim() : null;
    const resolved = resolveAccount(draft, phone, accountId, name);
    if (!resolved) {
      ignored.push(`whatsapp_accounts[${index}] has neither a phone nor an id`);
      return;
    }
    const status = typeof row.status === 'string' ? row.status.trim().toLowerCase() : '';
    const current = resolved.account;
    const connectedOn = parseProviderTime(row.connected_on);
    let obs: AccountObservation | null = null;
    if (status === 'active') {
      if (current.state !== 'connected') {
        const lastAt = current.history[current.history.length - 1]?.at ?? -Infinity;
        const at = connectedOn !== null && connectedOn > lastAt && connectedOn <= now ? connectedOn : now;
        obs = { at, receivedAt: now, state: 'connected', eventId: null, type: API_SNAPSHOT_TYPE, source: 'api' };
      }
    } else if (status === 'disconnected') {
      if (current.state === 'connected' || current.state === 'unknown') {
        obs = { at: now, receivedAt: now, state: 'disconnected', eventId: null, type: API_SNAPSHOT_TYPE, source: 'api' };
      }
    } else {
      ignored.push(
        `whatsapp_accounts[${index}] (${current.key}) has status ${JSON.stringify(row.status)}, expected active or disconnected`,
      );
    }
    let after: AccountStatus = current;
    if (obs) after = withHistory(current, insertObservation(current.history, obs) ?? current.history);
    if (name && after.name !== name) after = { ...after, name };
    const isNew = resolved.before === null;
    if (after === resolved.account && !isNew && resolved.removedKeys.length === 0) return;
    changes.commit(draft, resolved, after, obs);
  });
  return changes.update(draft);
}

/** Accounts sorted for display: down first, then unknown, then connected; by name/phone within. */
export function listAccounts(board: AccountBoard): AccountStatus[] {
  const order: Record<AccountState, number> = { disconnected: 0, suspended: 1, unknown: 2, connected: 3 };
  return Object.values(board.accounts).sort(
    (a, b) => order[a.state] - order[b.state] || (a.name ?? a.key).localeCompare(b.name ?? b.key) || a.key.localeCompare(b.key),
  );
}
