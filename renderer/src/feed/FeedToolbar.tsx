// The feed's filters and search box.
import { useEffect, useId, useRef, useState } from 'react';
import type { ExportFormat, FilterOptions } from '../contract.js';
import { accountLabel, EVENT_GROUP_NAMES } from '../contract.js';
import { downloadExport } from '../lib/download.js';
import { describeFilter, isFiltered, type FeedFilter } from '../lib/filter.js';
import { useAsync, useClient, useNotification, useThrottled } from '../hooks.js';

const GROUP_LABELS: Record<string, string> = {
  message: 'Messages',
  chat: 'Chats',
  account: 'Account status',
  call: 'Calls',
  waba: 'WABA',
  unknown: 'Not recognised',
};

/** The time ranges offered: the contract's filter has `from`/`to`; a range counts back from when it was chosen. */
const RANGES: Array<{ key: string; label: string; ms: number }> = [
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
];

/** Search box (debounced) and the filters of the feed. `/` anywhere focuses the search. */
export function FeedToolbar({ filter, onChange }: { filter: FeedFilter; onChange: (f: FeedFilter) => void }) {
  const client = useClient();
  const options = useAsync<FilterOptions>(() => client.api.getFilterOptions(), [client]);
  // A live event from an account or chat the choices do not list yet: read the choices again (at most every 5 s).
  const refreshOptions = useThrottled(options.reload, 5000);
  useNotification('events', (batch) => {
    const o = options.data;
    if (!o) return;
    const known = (key: string | null) => key === null || o.accounts.some((a) => a.key === key);
    if (
      batch.events.some(
        (e) => !known(e.accountPhone ?? e.accountId) || (e.chatId !== null && !o.recentChats.some((c) => c.chatId === e.chatId)),
      )
    )
      refreshOptions();
  });
  const [search, setSearch] = useState(filter.search ?? '');
  const searchRef = useRef<HTMLInputElement>(null);
  const chatListId = useId();
  const filterRef = useRef(filter);
  filterRef.current = filter;

  // The last search this box sent: a filter change that differs came from elsewhere (Clear filters) and
  // replaces the box's text; our own change coming back must not undo letters typed since.
  const sent = useRef(filter.search ?? '');
  useEffect(() => {
    if ((filter.search ?? '') !== sent.current) {
      sent.current = filter.search ?? '';
      setSearch(sent.current);
    }
  }, [filter.search]);

  const submitSearch = (value: string) => {
    if (value === sent.current) return;
    sent.current = value;
    onChange({ ...filterRef.current, search: value || undefined });
  };

  useEffect(() => {
    const t = setTimeout(() => submitSearch(search), 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing =
        target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const set = (patch: Partial<FeedFilter>) => onChange({ ...filter, ...patch });
  const [rangeKey, setRangeKey] = useState('');
  const rangeValue = filter.from === undefined && filter.to === undefined ? '' : rangeKey || 'custom';
  const accounts = options.data?.accounts ?? [];
  const exportAs = async (format: ExportFormat) => {
    const file = await client.api.exportEvents(filter, format);
    downloadExport(file);
  };

  return (
    <div className="toolbar" role="search">
      <label className="field field-search">
        <span className="visually-hidden">Search messages, chats and accounts</span>
        <input
          ref={searchRef}
          type="search"
          placeholder="Search messages, chats, phones  ( / )"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') submitSearch(search);
          }}
          data-testid="search"
        />
      </label>
      <label className="field">
        <span className="field-label">Provider</span>
        <select
          value={filter.provider ?? ''}
          onChange={(e) => set({ provider: (e.target.value || undefined) as FeedFilter['provider'] })}
          data-testid="filter-provider"
        >
          <option value="">All</option>
          <option value="timelines">TimelinesAI</option>
          <option value="whatsable">WhatsAble</option>
          <option value="unknown">Unknown</option>
        </select>
      </label>
      <label className="field">
        <span className="field-label">Events</span>
        <select
          value={filter.group ?? ''}
          onChange={(e) => set({ group: (e.target.value || undefined) as FeedFilter['group'], type: undefined })}
          data-testid="filter-group"
        >
          <option value="">All</option>
          {EVENT_GROUP_NAMES.map((g) => (
            <option key={g} value={g}>
              {GROUP_LABELS[g]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Account</span>
        <select value={filter.account ?? ''} onChange={(e) => set({ account: e.target.value || undefined })} data-testid="filter-account">
          <option value="">All</option>
          {filter.account && !accounts.some((a) => a.key === filter.account) ? (
            <option value={filter.account}>{filter.account}</option>
          ) : null}
          {accounts.map((a) => (
            <option key={a.key} value={a.key}>
              {accountLabel(a)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Chat</span>
        <input
          type="text"
          list={chatListId}
          placeholder="chat id"
          value={filter.chat ?? ''}
          onChange={(e) => set({ chat: e.target.value.trim() || undefined })}
          size={8}
          data-testid="filter-chat"
        />
        <datalist id={chatListId}>
          {(options.data?.recentChats ?? []).map((c) => (
            <option key={c.chatId} value={c.chatId}>
              {c.chatName ?? ''}
            </option>
          ))}
        </datalist>
      </label>
      <label className="field">
        <span className="field-label">When</span>
        <select
          value={rangeValue}
          onChange={(e) => {
            const r = RANGES.find((x) => x.key === e.target.value);
            setRangeKey(r ? r.key : '');
            set({ from: r ? Date.now() - r.ms : undefined, to: undefined });
          }}
          data-testid="filter-range"
        >
          <option value="">Any time</option>
          {RANGES.map((r) => (
            <option key={r.key} value={r.key}>
              {r.label}
            </option>
          ))}
          {rangeValue === 'custom' ? <option value="custom">{describeFilter({ from: filter.from, to: filter.to })}</option> : null}
        </select>
      </label>
      {isFiltered(filter) ? (
        <button type="button" className="button button-quiet" onClick={() => onChange({})}>
          Clear filters
        </button>
      ) : null}
      <details className="menu">
        <summary className="button button-quiet">Export</summary>
        <div className="menu-body">
          <p>Export {describeFilter(filter)} (newest first, up to 100,000 rows).</p>
          <button type="button" className="button" onClick={() => void exportAs('csv')}>
            CSV
          </button>{' '}
          <button type="button" className="button" onClick={() => void exportAs('jsonl')}>
            JSONL
          </button>
        </div>
      </details>
    </div>
  );
}
