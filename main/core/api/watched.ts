// The numbers the one status watches: accounts seen in events kept current from commits, and WhatsAble numbers as activity-only cards.
import { accountLabel } from '../../contract/account-label.js';
import type { AccountCard, AccountSeen } from '../../contract/api.js';
import type { StatusInputs } from '../../contract/status.js';
import type { AccountSeenRow } from '../store/health.js';
import type { Incident, StoredEvent } from '../store/store.js';
import { accountSeenOf } from './views.js';

/** As many accounts as the store's `accountsSeen` lists by default (its newest ones). */
const SEEN_LIMIT = 500;
/**
 * How long the list is trusted between two reads of the store. Commits keep it current; what no commit tells
 * (retention deleting a number's last events) is picked up by this slow re-read, about 30 ms on a big store.
 */
const RESCAN_MS = 60 * 60 * 1000;

type CommittedEvent = Pick<StoredEvent, 'id' | 'provider' | 'type' | 'receivedAt' | 'accountPhone' | 'accountId' | 'accountName'> & {
  duplicate?: boolean;
};

/**
 * The accounts seen in events (the store's `accountsSeen`), read once and then kept current from what each
 * commit stored, so the status (recomputed on every change and every 30 s) costs no scan of the events.
 * A commit's new event updates its account the way the store's query would read it back: the newest event
 * gives the provider, type and time, the newest non-null name is kept; a phone-less event counts under its
 * account id.
 */
export class SeenAccounts {
  private rows: Map<string, AccountSeenRow> | null = null;
  private readAt = 0;

  constructor(
    private readonly scan: () => AccountSeenRow[],
    private readonly now: () => number = Date.now,
  ) {}

  /** Newest first, like `accountsSeen`. */
  list(): AccountSeen[] {
    if (this.rows === null || this.now() - this.readAt >= RESCAN_MS) {
      this.rows = new Map(this.scan().map((r) => [mapKey(r.phone, r.accountId), r]));
      this.readAt = this.now();
    }
    return [...this.rows.values()]
      .sort((a, b) => b.lastEventId - a.lastEventId)
      .slice(0, SEEN_LIMIT)
      .map(accountSeenOf);
  }

  /** After a commit: its new events (a redelivery changes no row). Nothing to do before the first read. */
  noteCommitted(events: readonly CommittedEvent[]): void {
    if (this.rows === null) return;
    for (const e of events) {
      if (e.duplicate || (e.accountPhone === null && e.accountId === null)) continue;
      const key = mapKey(e.accountPhone, e.accountId);
      const row = this.rows.get(key);
      if (!row) {
        this.rows.set(key, {
          phone: e.accountPhone,
          accountId: e.accountId,
          name: e.accountName,
          provider: e.provider,
          lastEventId: e.id,
          lastEventAt: e.receivedAt,
          lastEventType: e.type,
        });
      } else if (e.id > row.lastEventId) {
        // Updated in place: this runs for every stored event once the status has been asked for.
        // A phone's row takes the account id of its newest event, as the store's query does.
        row.accountId = e.accountId;
        if (e.accountName !== null) row.name = e.accountName;
        row.provider = e.provider;
        row.lastEventId = e.id;
        row.lastEventAt = e.receivedAt;
        row.lastEventType = e.type;
      }
    }
  }
}

function mapKey(phone: string | null, accountId: string | null): string {
  return phone !== null ? `phone:${phone}` : `id:${accountId ?? ''}`;
}

/**
 * WhatsAble numbers send no status events, so account tracking never makes them a card: each one seen in
 * events (and not on the board) gets a card whose only signal is its last event, and how long it has been
 * silent while a silence warning about it is open (an open `silence` incident).
 */
export function eventOnlyNumbers(
  boardKeys: ReadonlySet<string>,
  seen: readonly AccountSeen[],
  open: ReadonlyArray<Pick<Incident, 'kind' | 'subject'>>,
): AccountCard[] {
  const silent = new Set(open.filter((i) => i.kind === 'silence').map((i) => i.subject));
  return (
    seen
      // Its number when an event named it; otherwise the WhatsAble account's id, which is all its webhooks carry.
      .filter((a) => a.provider === 'whatsable' && a.key !== '' && !boardKeys.has(a.key))
      .map((a): AccountCard => ({
        key: a.key,
        phone: a.phone,
        accountId: a.accountId,
        name: a.name,
        state: 'unknown',
        since: null,
        lastEvent: { id: null, type: a.lastEventType, at: a.lastEventAt },
        outages7d: [],
        // The silence began with its last event (the warning itself comes hours later).
        activity: { provider: a.provider, lastEventAt: a.lastEventAt, silentSince: silent.has(a.key) ? a.lastEventAt : null },
      }))
  );
}

/** The board with a card for each number watched only by its activity (see eventOnlyNumbers). */
export function withEventOnlyNumbers(
  board: AccountCard[],
  seen: readonly AccountSeen[],
  open: ReadonlyArray<Pick<Incident, 'kind' | 'subject'>>,
): AccountCard[] {
  return [...board, ...eventOnlyNumbers(new Set(board.map((c) => c.key)), seen, open)];
}

/** How a number is named in the status: the one account label (contract/account-label.ts). */
export function statusLabel(a: Pick<AccountCard, 'key' | 'name' | 'phone' | 'accountId' | 'activity'>): string {
  return accountLabel({ ...a, provider: a.activity?.provider ?? null });
}

/** The status's `watched` input: the cards without status events (`activity`), with their silence. */
export function watchedOf(cards: readonly AccountCard[]): NonNullable<StatusInputs['watched']> {
  return cards.flatMap((a) => (a.activity ? [{ key: a.key, label: statusLabel(a), silentSince: a.activity.silentSince }] : []));
}
