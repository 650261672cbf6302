// The feed's state: pages, streamed batches, the "N new" pill and the filter (pure).
import type { EventPage, EventSummary, HookwatchNotifications } from '../contract.js';
import { matchesEvent, normalizeEventFilter } from '../contract.js';
import type { FeedFilter } from '../lib/filter.js';

/**
 * The live feed's state, as a pure reducer: pages loaded newest first, live events prepended while the
 * user is at the top, and held back behind an "N new" pill while they have scrolled away (so rows never
 * jump under the reader's eyes).
 */

/** Rows kept while streaming at the top; older ones are dropped and reload by scrolling (a cursor is kept). */
export const LIVE_ROW_CAP = 5000;
/** Held-back events kept in memory; past this, showing them reloads the first page instead. */
export const PENDING_CAP = 2000;

export interface FeedState {
  /** Bumped by every reload, so answers to an older request are ignored. */
  generation: number;
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  rows: EventSummary[];
  nextBeforeId: number | null;
  loadingMore: boolean;
  /** Held back while scrolled away, newest first. */
  pending: EventSummary[];
  pendingCount: number;
  pendingOverflow: boolean;
  /** Search words the server matched (for highlighting). */
  terms: string[];
  /** Stored events under the filter (the server's count, capped; plus live arrivals since); null when unknown. */
  total: { count: number; atLeast: boolean } | null;
}

export type FeedAction =
  | { type: 'reload'; generation: number }
  | { type: 'first-page'; generation: number; page: EventPage; terms: string[] }
  | { type: 'more-requested' }
  | { type: 'more-page'; generation: number; page: EventPage }
  | { type: 'failed'; generation: number; message: string }
  | { type: 'live'; batch: HookwatchNotifications['events']; filter: FeedFilter; terms: string[]; atTop: boolean }
  | { type: 'show-pending' };

export const initialFeedState: FeedState = {
  generation: 0,
  status: 'loading',
  error: null,
  rows: [],
  nextBeforeId: null,
  loadingMore: false,
  pending: [],
  pendingCount: 0,
  pendingOverflow: false,
  terms: [],
  total: null,
};

function capRows(rows: EventSummary[], nextBeforeId: number | null): { rows: EventSummary[]; nextBeforeId: number | null } {
  if (rows.length <= LIVE_ROW_CAP) return { rows, nextBeforeId };
  const kept = rows.slice(0, LIVE_ROW_CAP);
  return { rows: kept, nextBeforeId: kept[kept.length - 1]!.id };
}

function applyRedelivered(rows: EventSummary[], redelivered: HookwatchNotifications['events']['redelivered']): EventSummary[] {
  if (redelivered.length === 0 || rows.length === 0) return rows;
  const counts = new Map(redelivered.map((r) => [r.id, r.deliveryCount]));
  let changed = false;
  const out = rows.map((r) => {
    const c = counts.get(r.id);
    if (c === undefined || c === r.deliveryCount) return r;
    changed = true;
    return { ...r, deliveryCount: c };
  });
  return changed ? out : rows;
}

export function feedReducer(state: FeedState, action: FeedAction): FeedState {
  switch (action.type) {
    case 'reload':
      return { ...initialFeedState, generation: action.generation };
    case 'first-page': {
      if (action.generation !== state.generation) return state;
      const top = action.page.events[0]?.id ?? 0;
      // Live events that arrived while the page was on its way and are newer than it.
      const newer = state.rows.filter((r) => r.id > top);
      return {
        ...state,
        status: 'ready',
        error: null,
        rows: [...newer, ...action.page.events],
        nextBeforeId: action.page.nextBeforeId,
        terms: action.terms,
        total: action.page.total ? { count: action.page.total.count + newer.length, atLeast: action.page.total.capped } : null,
      };
    }
    case 'more-requested':
      return state.loadingMore || state.nextBeforeId === null ? state : { ...state, loadingMore: true };
    case 'more-page': {
      if (action.generation !== state.generation) return state;
      const last = state.rows[state.rows.length - 1]?.id ?? Infinity;
      return {
        ...state,
        loadingMore: false,
        rows: [...state.rows, ...action.page.events.filter((e) => e.id < last)],
        nextBeforeId: action.page.nextBeforeId,
      };
    }
    case 'failed':
      if (action.generation !== state.generation) return state;
      return { ...state, status: state.rows.length ? 'ready' : 'error', loadingMore: false, error: action.message };
    case 'live': {
      const top = Math.max(state.rows[0]?.id ?? 0, state.pending[0]?.id ?? 0);
      // A batch arrives oldest first; the feed is newest first.
      const fresh: EventSummary[] = [];
      // The filter's choices (aliases, phone spelling, group) are made once per batch, not per event.
      const filter = normalizeEventFilter(action.filter);
      for (let i = action.batch.events.length - 1; i >= 0; i--) {
        const e = action.batch.events[i]!;
        if (e.id > top && matchesEvent(e, filter, action.terms)) fresh.push(e);
      }
      const rows = applyRedelivered(state.rows, action.batch.redelivered);
      const pending = applyRedelivered(state.pending, action.batch.redelivered);
      if (fresh.length === 0) return rows === state.rows && pending === state.pending ? state : { ...state, rows, pending };
      const total = state.total ? { ...state.total, count: state.total.count + fresh.length } : null;
      if (action.atTop && state.pendingCount === 0) {
        return { ...state, pending, total, ...capRows([...fresh, ...rows], state.nextBeforeId) };
      }
      const all = [...fresh, ...pending];
      return {
        ...state,
        total,
        rows,
        pending: all.slice(0, PENDING_CAP),
        pendingCount: state.pendingCount + fresh.length,
        pendingOverflow: state.pendingOverflow || all.length > PENDING_CAP,
      };
    }
    case 'show-pending': {
      if (state.pendingCount === 0) return state;
      // An overflow cannot be stitched to the rows without a gap; the caller reloads instead.
      if (state.pendingOverflow) return state;
      return { ...state, pending: [], pendingCount: 0, ...capRows([...state.pending, ...state.rows], state.nextBeforeId) };
    }
  }
}
