// One table of filter cases, run against the page's in-memory matcher and the store's SQL: both must give the same events.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EventFilter } from '../../main/contract/api.js';
import { matchesEvent, normalizeEventFilter, searchTerms } from '../../main/contract/filter.js';
import { eventQuery } from '../../main/core/api/validate.js';
import { summaryOf } from '../../main/core/api/views.js';
import { blankEvent, type NormalizedEvent } from '../../main/core/events.js';
import { HookwatchStore, type StoredEvent } from '../../main/core/store/store.js';
import { webhookDelivery } from '../support/seed.js';
import { tempDir } from '../support/harness.js';

/**
 * The live feed decides in the page whether a new event belongs under the current filter; a reload asks
 * the store. If the two disagreed, an event would appear live and vanish on reload (or never appear). So
 * every case below runs twice: through `matchesEvent` on the feed's summaries, and through the API's
 * query checks into `HookwatchStore.listEvents` on a real SQLite file. Each must give the expected events.
 */

const T0 = 1_750_000_000_000;

type Seed = Partial<NormalizedEvent> & Pick<NormalizedEvent, 'provider' | 'type'>;

/** The corpus, by label; received one second apart in this order. */
const CORPUS: Record<string, Seed> = {
  A: {
    provider: 'timelines',
    type: 'message:new',
    accountPhone: '+15555550100',
    accountId: '15555550100@s.whatsapp.net',
    accountName: 'Acme Support',
    chatId: '4811201',
    chatName: 'Zoë Müller',
    chatPhone: '+15555550123',
    direction: 'received',
    text: 'Is my order shipped? Café au lait',
  },
  // Arrived under its stale name; stored under today's (the normalizer's job), the old one kept.
  B: {
    provider: 'timelines',
    type: 'chat:new',
    originalType: 'chat:created',
    accountPhone: '+15555550100',
    chatId: '4811202',
    chatName: 'New Lead',
  },
  C: {
    provider: 'timelines',
    type: 'whatsapp:account:disconnected',
    accountPhone: '+15555550200',
    accountName: 'Acme Sales',
    details: { status: 'disconnected' },
  },
  D: {
    provider: 'whatsable',
    type: 'message:received:new',
    accountPhone: '+447700900123',
    accountId: 'wa-user-77',
    chatId: '447700900555',
    text: 'Hello from London',
  },
  E: { provider: 'unknown', type: 'unknown' },
  // A WABA message is a WABA event, not a message one.
  F: { provider: 'timelines', type: 'waba:message:received', accountPhone: '+15555550100', text: 'waba hi' },
  // An unfamiliar name is stored as sent; case matters, as it does for every stored type.
  G: { provider: 'timelines', type: 'MESSAGE:odd' },
  H: { provider: 'timelines', type: 'call:incoming:missed', accountPhone: '+15555550100', details: { call: { status: 'missed' } } },
  J: { provider: 'timelines', type: 'chat:responsible:assigned', accountPhone: '+15555550100', chatId: '4811201' },
};
const LABELS = Object.keys(CORPUS);
const at = (label: string) => T0 + LABELS.indexOf(label) * 1000;
const ALL = LABELS.join('');

type Case = [name: string, filter: EventFilter & { search?: string }, expected: string];

const CASES: Case[] = [
  ['no filter', {}, ALL],
  ['provider timelines', { provider: 'timelines' }, 'ABCFGHJ'],
  ['provider whatsable', { provider: 'whatsable' }, 'D'],
  ['provider unknown', { provider: 'unknown' }, 'E'],
  ['group message (not waba:message:…, not MESSAGE:…)', { group: 'message' }, 'AD'],
  ['group waba', { group: 'waba' }, 'F'],
  ['group account', { group: 'account' }, 'C'],
  ['group chat', { group: 'chat' }, 'BJ'],
  ['group call', { group: 'call' }, 'H'],
  ['group unknown (the exact type unknown)', { group: 'unknown' }, 'E'],
  ['exact type', { type: 'message:new' }, 'A'],
  ['exact type, no such event', { type: 'message:sent:new' }, ''],
  ['stale alias chat:created', { type: 'chat:created' }, 'B'],
  ['stale alias chat:assigned', { type: 'chat:assigned' }, 'J'],
  ['a group name given as the type', { type: 'message' }, 'AD'],
  ['type wins over group', { type: 'message:new', group: 'account' }, 'A'],
  ['an unfamiliar type, exactly as stored', { type: 'MESSAGE:odd' }, 'G'],
  ['an unfamiliar type in another case', { type: 'message:odd' }, ''],
  ['account in E.164', { account: '+15555550100' }, 'ABFHJ'],
  ['account spelled with spaces and brackets', { account: '+1 (555) 555-0100' }, 'ABFHJ'],
  ['account with 00 instead of +', { account: '0015555550100' }, 'ABFHJ'],
  ['account as bare digits', { account: '15555550100' }, 'ABFHJ'],
  ['account as a person JID (its phone)', { account: '15555550100@s.whatsapp.net' }, 'ABFHJ'],
  ['account as an id', { account: 'wa-user-77' }, 'D'],
  ['account nobody has', { account: '+15555550999' }, ''],
  ['chat', { chat: '4811201' }, 'AJ'],
  ['chat nobody has', { chat: '999' }, ''],
  ['from (inclusive)', { from: at('D') }, 'DEFGHJ'],
  ['to (exclusive)', { to: at('C') }, 'AB'],
  ['from and to', { from: at('B'), to: at('D') }, 'BC'],
  ['provider, group and account together', { provider: 'timelines', group: 'message', account: '+1 555 555 0100' }, 'A'],
  ['account and time range', { account: '+15555550100', from: at('C'), to: at('J') }, 'FH'],
  ['search: a word prefix', { search: 'ship' }, 'A'],
  ['search: every word, any case', { search: 'SHIPPED order' }, 'A'],
  ['search: accents folded', { search: 'cafe' }, 'A'],
  ['search: chat name with accents', { search: 'zoe mull' }, 'A'],
  ['search: not a prefix', { search: 'hipped' }, ''],
  ['search: one word missing', { search: 'shipped tea' }, ''],
  ['search: a phone', { search: '15555550123' }, 'A'],
  ['search: account names', { search: 'acme' }, 'AC'],
  ['search: two words of one name', { search: 'acme sales' }, 'C'],
  ['search with a group', { group: 'message', search: 'hello' }, 'D'],
  ['search with a group that excludes it', { group: 'waba', search: 'hello' }, ''],
];

let tmp: ReturnType<typeof tempDir>;
let store: HookwatchStore;
let stored: StoredEvent[];

beforeAll(() => {
  tmp = tempDir('hookwatch-filter-');
  store = HookwatchStore.open(join(tmp.dir, 'filter.sqlite3'), { durability: 'normal' });
  for (const label of LABELS) {
    const seed = CORPUS[label]!;
    store.ingest(webhookDelivery(at(label)), [{ ...blankEvent(seed.provider, 'test', seed.type, `k:${label}`), ...seed }]);
  }
  stored = store.listEvents({ limit: 1000 });
});

afterAll(() => {
  store.close();
  tmp.cleanup();
});

/** The labels of events, in corpus order. */
function labelsOf(events: ReadonlyArray<{ receivedAt: number }>): string {
  return events
    .map((e) => LABELS[(e.receivedAt - T0) / 1000]!)
    .sort((a, b) => LABELS.indexOf(a) - LABELS.indexOf(b))
    .join('');
}

describe('one event filter: the page and the store agree', () => {
  test('the corpus is stored as seeded', () => {
    expect(labelsOf(stored)).toBe(ALL);
  });

  test.each(CASES)('%s: in memory', (_name, filter, expected) => {
    const f = normalizeEventFilter(filter);
    const terms = searchTerms(filter.search);
    expect(labelsOf(stored.map(summaryOf).filter((e) => matchesEvent(e, f, terms)))).toBe(expected);
  });

  test.each(CASES)('%s: in SQLite', (_name, filter, expected) => {
    // The service's own path: its input checks, then the store's SQL.
    const { search, ...rest } = filter;
    const q = eventQuery({ ...rest, limit: 1000 });
    expect(labelsOf(store.listEvents({ ...q, search }))).toBe(expected);
  });
});

describe('normalizing a filter', () => {
  test('choices are made once: alias, group prefix, phone, time range', () => {
    expect(normalizeEventFilter({ type: 'chat:assigned', account: '00 44 7700 900123', from: 5, to: 9 })).toEqual({
      provider: null,
      type: { exact: 'chat:responsible:assigned' },
      account: { phone: '+447700900123' },
      chat: null,
      from: 5,
      to: 9,
    });
    expect(normalizeEventFilter({ group: 'account', account: 'wa-user-77' })).toMatchObject({
      type: { prefix: 'whatsapp:account:' },
      account: { id: 'wa-user-77' },
    });
    expect(normalizeEventFilter({ group: 'unknown' }).type).toEqual({ exact: 'unknown' });
    expect(normalizeEventFilter({ type: '', account: '', chat: '' })).toMatchObject({ type: null, account: null, chat: null });
  });

  test('the API refuses a time range that ends before it starts, and a bad group', () => {
    expect(() => eventQuery({ from: 10, to: 10 })).toThrow(/to \(10\) must be after from \(10\)/);
    expect(() => eventQuery({ from: -1 })).toThrow(/from must be a whole number/);
    expect(() => eventQuery({ group: 'messages' })).toThrow(/group must be one of message, chat, account, call, waba, unknown/);
  });
});
