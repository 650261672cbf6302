// The live feed: a virtualized list that streams new events and pages into history.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useReducer, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { EventQuery, EventSummary } from '../contract.js';
import { EmptyState, ErrorNote, ProviderBadge } from '../components/common.js';
import { describeFilter, fold, isFiltered, searchTerms, type FeedFilter } from '../lib/filter.js';
import { absoluteTime, relativeTime } from '../lib/time.js';
import { visibleControls } from '../lib/format.js';
import { accountOf, eventSentence, eventTone, eventWho } from '../lib/sentence.js';
import { useClient, useNotification, useNow } from '../hooks.js';
import { EventDetailPanel } from './EventDetailPanel.js';
import { FeedToolbar } from './FeedToolbar.js';
import { feedReducer, initialFeedState, type FeedState } from './feed-model.js';
import { prefetchedFirstPage } from './prefetch.js';

export const ROW_HEIGHT = 56;
export const FIRST_PAGE = 100;
const NEXT_PAGE = 300;
/** Rows left below the viewport when the next page is asked for. */
const PREFETCH_ROWS = 60;

interface Props {
  filter: FeedFilter;
  onFilterChange: (f: FeedFilter) => void;
  selectedId: number | null;
  onSelect: (id: number | null) => void;
  webhookUrl: string | null;
  onOpenSetup: () => void;
}

function apiQuery(f: FeedFilter, limit: number, beforeId?: number): EventQuery {
  return { provider: f.provider, group: f.group, type: f.type, account: f.account, chat: f.chat, from: f.from, to: f.to, limit, beforeId };
}

/** The text with each word that starts with a search term in <mark>: React elements, never HTML. */
function highlight(text: string, terms: string[]): ReactNode {
  if (terms.length === 0) return text;
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}_]+/gu)) {
    const word = fold(m[0]);
    if (!terms.some((t) => word.startsWith(t))) continue;
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(<mark key={m.index}>{m[0]}</mark>);
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(last));
  return parts;
}

const FeedRow = memo(function FeedRow({
  row,
  start,
  selected,
  now,
  terms,
  onSelect,
}: {
  row: EventSummary;
  start: number;
  selected: boolean;
  now: number;
  terms: string[];
  onSelect: (id: number) => void;
}) {
  const arrow = row.direction === 'received' ? '←' : row.direction === 'sent' ? '→' : '';
  const tone = eventTone(row.type);
  const at = row.occurredAt ?? row.receivedAt;
  const whoText = eventWho(row);
  // The number the event came through, when it adds something (not for account events, where it is the "who").
  const via = row.group === 'account' || row.type.startsWith('waba:account:') ? null : accountOf(row);
  const what = row.text ? visibleControls(row.text, true) : eventSentence(row);
  return (
    <div
      role="option"
      id={`event-row-${row.id}`}
      aria-selected={selected}
      className={`feed-row group-${row.group} tone-${tone}${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
      onClick={() => onSelect(row.id)}
      data-event-id={row.id}
    >
      <div className="row-line">
        <bdi className="row-who" dir="auto">
          {visibleControls(whoText, true)}
        </bdi>
        {via ? (
          <span className="row-via muted">
            via <bdi dir="auto">{visibleControls(via, true)}</bdi>
          </span>
        ) : null}
        {row.recovered ? (
          <span className="badge muted" title="Recovered by catch-up from the TimelinesAI API">
            recovered
          </span>
        ) : null}
        {row.deliveryCount > 1 ? (
          <span className="badge badge-warn" title={`delivered ${row.deliveryCount} times`}>
            ×{row.deliveryCount}
          </span>
        ) : null}
        <span className="type-tag" title={`${row.provider} event type`}>
          {row.type}
        </span>
        <ProviderBadge provider={row.provider} />
        <time className="row-time" dateTime={new Date(at).toISOString()} title={absoluteTime(at)}>
          {relativeTime(at, now)}
        </time>
      </div>
      <div className={`row-text${row.text ? '' : ' row-sentence'}`} dir="auto">
        {tone !== 'info' ? (
          <span className={`tone-mark tone-mark-${tone}`} aria-label={tone === 'down' ? 'problem' : 'recovered'}>
            {tone === 'down' ? '▼ ' : '▲ '}
          </span>
        ) : null}
        {arrow ? (
          <span className="row-arrow" aria-label={row.direction ?? undefined}>
            {arrow}{' '}
          </span>
        ) : null}
        {highlight(what, terms)}
        {row.text === null && row.note && !row.note.startsWith('status:') && !row.note.startsWith('assigned to') ? (
          <span className="muted"> · {highlight(visibleControls(row.note, true), terms)}</span>
        ) : null}
      </div>
    </div>
  );
});

/**
 * The live feed: newest first, virtualized (only the rows in view exist in the page), paged by cursor
 * while scrolling down. New events stream in at the top; once the reader scrolls away they wait behind
 * an "N new" pill. Keys: ↑/↓ or k/j move, Home/End, PageUp/PageDown, Escape closes the event, / searches.
 */
export function LiveFeed({ filter, onFilterChange, selectedId, onSelect, webhookUrl, onOpenSetup }: Props) {
  const client = useClient();
  const now = useNow(15_000);
  const [state, dispatch] = useReducer(feedReducer, filter, (f): FeedState => {
    const page = isFiltered(f) ? null : prefetchedFirstPage();
    if (!page) return initialFeedState;
    const loading = feedReducer(initialFeedState, { type: 'reload', generation: 1 });
    return feedReducer(loading, { type: 'first-page', generation: 1, page, terms: [] });
  });
  const scrollRef = useRef<HTMLDivElement>(null);
  const atTop = useRef(true);
  const generation = useRef(state.generation);
  /** Started with the prefetched page: the first load is already done. */
  const skipFirstLoad = useRef(state.status === 'ready');
  const stateRef = useRef(state);
  stateRef.current = state;
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const terms = useMemo(() => searchTerms(filter.search), [filter.search]);
  const termsRef = useRef(terms);
  termsRef.current = terms;
  const painted = useRef(false);
  /** The newest event id this feed knows exists (from pages and notifications, whatever the filter). */
  const knownMax = useRef(state.status === 'ready' ? (prefetchedFirstPage()?.newestStoredId ?? 0) : 0);
  const streamMark = useRef<number | null>(null);

  const reload = useCallback(() => {
    const gen = ++generation.current;
    dispatch({ type: 'reload', generation: gen });
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    atTop.current = true;
    const f = filterRef.current;
    const search = f.search?.trim();
    performance.mark('hookwatch:feed-request');
    const request = search ? client.api.searchEvents(search, apiQuery(f, FIRST_PAGE)) : client.api.listEvents(apiQuery(f, FIRST_PAGE));
    request.then(
      (page) => {
        knownMax.current = Math.max(knownMax.current, page.newestStoredId ?? 0);
        dispatch({ type: 'first-page', generation: gen, page, terms: 'terms' in page ? (page.terms as string[]).map(fold) : [] });
      },
      (err: unknown) => dispatch({ type: 'failed', generation: gen, message: (err as Error).message }),
    );
  }, [client]);

  useEffect(() => {
    if (skipFirstLoad.current) {
      skipFirstLoad.current = false;
      return;
    }
    reload();
  }, [reload, filter.provider, filter.group, filter.type, filter.account, filter.chat, filter.from, filter.to, filter.search]);

  // Events can slip between the first page and the stream opening, or while the stream was cut (Hookwatch
  // restarted, the computer slept). Each (re)connection says the newest stored id: newer than anything this
  // feed has seen means it missed some, and it reloads (once per hello, so a filtered feed cannot loop).
  const checkGap = useCallback(() => {
    const mark = streamMark.current;
    if (mark === null || stateRef.current.status !== 'ready') return;
    streamMark.current = null;
    if (mark > knownMax.current) reload();
  }, [reload]);
  useNotification('stream', (hello) => {
    streamMark.current = hello.lastEventId ?? 0;
    checkGap();
  });
  useEffect(() => {
    knownMax.current = Math.max(knownMax.current, state.rows[0]?.id ?? 0);
    if (state.status === 'ready') checkGap();
  }, [state.status, state.generation, state.rows, checkGap]);

  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (s.loadingMore || s.nextBeforeId === null || s.status !== 'ready') return;
    const gen = generation.current;
    dispatch({ type: 'more-requested' });
    const f = filterRef.current;
    const search = f.search?.trim();
    const q = apiQuery(f, NEXT_PAGE, s.nextBeforeId);
    (search ? client.api.searchEvents(search, q) : client.api.listEvents(q)).then(
      (page) => dispatch({ type: 'more-page', generation: gen, page }),
      (err: unknown) => dispatch({ type: 'failed', generation: gen, message: (err as Error).message }),
    );
  }, [client]);

  useNotification('events', (batch) => {
    for (const e of batch.events) knownMax.current = Math.max(knownMax.current, e.id);
    dispatch({ type: 'live', batch, filter: filterRef.current, terms: termsRef.current, atTop: atTop.current });
  });

  const showPending = useCallback(() => {
    if (stateRef.current.pendingOverflow) {
      reload();
      return;
    }
    dispatch({ type: 'show-pending' });
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    atTop.current = true;
  }, [reload]);

  const rows = state.rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => rows[i]!.id,
    initialRect: { width: 800, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : -1;

  useEffect(() => {
    if (state.status === 'ready' && state.nextBeforeId !== null && !state.loadingMore && lastIndex >= rows.length - PREFETCH_ROWS)
      loadMore();
  }, [lastIndex, rows.length, state.status, state.nextBeforeId, state.loadingMore, loadMore]);

  // For the benchmark and for anyone profiling: when the first rows reached the screen.
  useEffect(() => {
    if (painted.current || rows.length === 0) return;
    painted.current = true;
    performance.mark('hookwatch:feed-rows-committed');
    requestAnimationFrame(() => performance.mark('hookwatch:feed-rows-painted'));
  }, [rows.length]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const top = el.scrollTop < 8;
    if (top === atTop.current) return;
    atTop.current = top;
    if (top && stateRef.current.pendingCount > 0) showPending();
  };

  const selectedIndex = useMemo(() => (selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId)), [rows, selectedId]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const last = rows.length - 1;
    const perPage = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        next = selectedIndex < 0 ? 0 : Math.min(last, selectedIndex + 1);
        break;
      case 'ArrowUp':
      case 'k':
        next = Math.max(0, selectedIndex - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      case 'PageDown':
        next = Math.min(last, Math.max(0, selectedIndex) + perPage);
        break;
      case 'PageUp':
        next = Math.max(0, selectedIndex - perPage);
        break;
      case 'Enter':
        if (selectedIndex < 0) next = 0;
        break;
      case 'Escape':
        if (selectedId !== null) {
          e.preventDefault();
          onSelect(null);
        }
        return;
      default:
        return;
    }
    if (next === null || last < 0) return;
    e.preventDefault();
    onSelect(rows[next]!.id);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const selectRow = useCallback(
    (id: number) => {
      onSelect(id);
      scrollRef.current?.focus({ preventScroll: true });
    },
    [onSelect],
  );

  const filtered = isFiltered(filter);
  return (
    <div className={`feed-layout${selectedId !== null ? ' with-detail' : ''}`}>
      <section className="feed-main" aria-labelledby="feed-heading">
        <h1 id="feed-heading" className="visually-hidden">
          Live feed
        </h1>
        <FeedToolbar filter={filter} onChange={onFilterChange} />
        <div className="feed-status" aria-live="off">
          <span data-testid="feed-count">
            {state.status === 'loading'
              ? 'Loading…'
              : state.total
                ? `${state.total.count.toLocaleString()}${state.total.atLeast ? '+' : ''} event${state.total.count === 1 && !state.total.atLeast ? '' : 's'}${filtered ? ' match' : ' stored'}`
                : `${rows.length.toLocaleString()}${state.nextBeforeId !== null ? '+' : ''} event${rows.length === 1 && state.nextBeforeId === null ? '' : 's'}`}
          </span>{' '}
          <span className="muted">· {describeFilter(filter)} · newest first</span>
          {state.pendingCount > 0 ? <span className="muted"> · paused while you read</span> : null}
        </div>
        {state.error ? <ErrorNote message={state.error} /> : null}
        <div className="feed-list-wrap">
          {state.pendingCount > 0 ? (
            <button type="button" className="pill" onClick={showPending} data-testid="new-pill">
              ↑ {state.pendingCount.toLocaleString()} new
            </button>
          ) : null}
          <span className="visually-hidden" role="status">
            {state.pendingCount > 0 ? 'New events are waiting above the list' : ''}
          </span>
          <div
            ref={scrollRef}
            className="feed-scroll"
            role="listbox"
            tabIndex={0}
            aria-label="Events, newest first. Arrow keys move, Escape closes the event."
            aria-activedescendant={selectedIndex >= 0 ? `event-row-${selectedId}` : undefined}
            onKeyDown={onKeyDown}
            onScroll={onScroll}
            data-testid="feed-list"
          >
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const row = rows[item.index];
                if (!row) return null;
                return (
                  <FeedRow
                    key={row.id}
                    row={row}
                    start={item.start}
                    selected={row.id === selectedId}
                    now={now}
                    terms={state.terms.length ? state.terms : terms}
                    onSelect={selectRow}
                  />
                );
              })}
            </div>
            {state.loadingMore ? <p className="muted feed-more">Loading older events…</p> : null}
          </div>
          {state.status === 'ready' && rows.length === 0 ? (
            filtered ? (
              <EmptyState title="Nothing matches">
                <p>No stored event matches {describeFilter(filter)}.</p>
                <button type="button" className="button" onClick={() => onFilterChange({})}>
                  Clear filters
                </button>
              </EmptyState>
            ) : (
              <EmptyState title="No events yet" tone="waiting">
                <p>Events appear here the moment a provider delivers one.</p>
                <button type="button" className="button" onClick={onOpenSetup}>
                  Set up a provider
                </button>
              </EmptyState>
            )
          ) : null}
        </div>
      </section>
      {selectedId !== null ? (
        <EventDetailPanel
          eventId={selectedId}
          webhookUrl={webhookUrl}
          onClose={() => {
            onSelect(null);
            scrollRef.current?.focus({ preventScroll: true });
          }}
          onSelect={(id) => onSelect(id)}
          onFilter={(patch) => onFilterChange({ ...filter, ...patch })}
        />
      ) : null}
    </div>
  );
}
