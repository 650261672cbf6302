// The one event filter: a UI filter normalized once (aliases, phones, groups, time range), and matched in memory.
import type { EventFilter, EventSummary } from './api.js';
import { canonicalEventType, EVENT_GROUP_PREFIXES, isEventGroupName, type ProviderId } from './events.js';
import { toE164 } from './phone.js';

/**
 * The store builds its SQL from `normalizeEventFilter` (main/core/store/store.ts, listEvents), and the page
 * checks live events with `matchesEvent`: one set of rules, pinned by one table of cases that runs against
 * both (test/unit/event-filter.test.ts). Whatever is decided here (an alias, a phone spelling, a group) is
 * decided for the feed, the search, the export and the CLI alike.
 */

/** The filter with every choice made: what a row must be to pass. null: no condition. */
export interface NormalizedEventFilter {
  provider: ProviderId | string | null;
  /** An exact (canonical) type, or a group's type prefix (case-sensitive, like the stored names). */
  type: { exact: string } | { prefix: string } | null;
  /** A phone (E.164) matches the account's phone; anything else is an account id, matched exactly. */
  account: { phone: string } | { id: string } | null;
  chat: string | null;
  /** Received at or after (epoch ms). */
  from: number | null;
  /** Received before (epoch ms). */
  to: number | null;
}

function text(v: string | undefined | null): string | null {
  return v === undefined || v === null || v === '' ? null : v;
}

/**
 * Makes the filter's choices once. `type` wins over `group`; either may name a group (`message`, …,
 * `unknown`, which is also the exact type of payloads no provider recognised); a stale TimelinesAI name
 * is read as today's name (events are stored under it). An account that spells a phone number (any
 * common spelling, or a person JID) is matched by phone, anything else by account id.
 */
export function normalizeEventFilter(f: Omit<EventFilter, 'provider'> & { provider?: string }): NormalizedEventFilter {
  const typeOrGroup = text(f.type) ?? text(f.group);
  let type: NormalizedEventFilter['type'] = null;
  if (typeOrGroup !== null) {
    if (isEventGroupName(typeOrGroup) && typeOrGroup !== 'unknown') type = { prefix: EVENT_GROUP_PREFIXES[typeOrGroup] };
    else type = { exact: canonicalEventType(typeOrGroup) };
  }
  const account = text(f.account);
  const phone = account === null ? null : toE164(account);
  return {
    provider: text(f.provider),
    type,
    account: account === null ? null : phone ? { phone } : { id: account },
    chat: text(f.chat),
    from: typeof f.from === 'number' ? f.from : null,
    to: typeof f.to === 'number' ? f.to : null,
  };
}

/** The fields of an event the filter and the search read. */
export type FilterableEvent = Pick<EventSummary, 'provider' | 'type' | 'accountPhone' | 'accountId' | 'chatId' | 'receivedAt'> &
  Partial<Pick<EventSummary, (typeof SEARCHED_FIELDS)[number]>>;

/** Whether an event passes a normalized filter and contains every search term (see `searchTerms`). */
export function matchesEvent(e: FilterableEvent, f: NormalizedEventFilter, terms: readonly string[] = []): boolean {
  if (f.provider !== null && e.provider !== f.provider) return false;
  if (f.type !== null) {
    if ('exact' in f.type ? e.type !== f.type.exact : !e.type.startsWith(f.type.prefix)) return false;
  }
  if (f.account !== null) {
    if ('phone' in f.account ? e.accountPhone !== f.account.phone : e.accountId !== f.account.id) return false;
  }
  if (f.chat !== null && e.chatId !== f.chat) return false;
  if (f.from !== null && e.receivedAt < f.from) return false;
  if (f.to !== null && e.receivedAt >= f.to) return false;
  return terms.length === 0 || containsTerms(e, terms);
}

// ---------------------------------------------------------------------------------------------
// Search words, as the store's full-text index (FTS5, unicode61, remove_diacritics 2) reads them

/** The fields the full-text index holds (main/core/store: events_fts). */
export const SEARCHED_FIELDS = ['text', 'chatName', 'accountName', 'chatPhone', 'accountPhone'] as const;

const WORD = /[\p{L}\p{N}_]+/gu;

/** Case and accents removed, as the index folds them. */
export function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** Words of a search box, folded: letters and digits only. Every one must start a word of the event. */
export function searchTerms(input: string | undefined | null): string[] {
  if (!input) return [];
  return (input.match(WORD) ?? []).map(fold);
}

function containsTerms(e: FilterableEvent, terms: readonly string[]): boolean {
  const words = new Set<string>();
  for (const field of SEARCHED_FIELDS) {
    const v = e[field];
    if (v) for (const w of v.match(WORD) ?? []) words.add(fold(w));
  }
  return terms.every((t) => {
    for (const w of words) if (w.startsWith(t)) return true;
    return false;
  });
}
