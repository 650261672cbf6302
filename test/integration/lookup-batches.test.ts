// The account and chat lookups follow the events in batches: every filter answers the same before, during and after a batch.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { EventFilter } from '../../main/contract/api.js';
import { matchesEvent, normalizeEventFilter } from '../../main/contract/filter.js';
import { eventQuery } from '../../main/core/api/validate.js';
import { summaryOf } from '../../main/core/api/views.js';
import { blankEvent, type NormalizedEvent } from '../../main/core/events.js';
import { HookwatchStore, type StoredEvent } from '../../main/core/store/store.js';
import { webhookDelivery } from '../support/seed.js';
import { tempDir } from '../support/harness.js';

/**
 * Migration 8 moved events(account_phone, id) and events(chat_id, id) out of the receiver's commit into
 * tables the search-index batch fills; reads take the rows beyond the batch watermark from the events
 * table. A feed answer must not depend on where that watermark is: each filter below is asked with
 * nothing indexed yet (right after ingest), with part indexed (the watermark mid-way through the rows a
 * page returns), and with everything indexed, on a real SQLite file, and must give the same events as
 * the page's own matcher over every stored event, newest first.
 */

const T0 = 1_760_000_000_000;
const ACCOUNTS = ['+15555550100', '+15555550200', '+447700900123', null] as const;
const CHATS = ['4811201', '4811202', '447700900555', null, '4811203'] as const;
const TYPES = [
  'message:new',
  'message:received:new',
  'chat:new',
  'whatsapp:account:disconnected',
  'call:incoming:missed',
  'unknown',
] as const;

/** 60 events spread over accounts, chats and types in no order of any of them (as providers send them). */
function corpus(): NormalizedEvent[] {
  return Array.from({ length: 60 }, (_, i) => ({
    ...blankEvent(i % 7 === 3 ? 'whatsable' : 'timelines', 'test', TYPES[(i * 5) % TYPES.length]!, `k:${i}`),
    accountPhone: ACCOUNTS[(i * 3) % ACCOUNTS.length]!,
    accountId: i % 11 === 0 ? 'wa-user-77' : null,
    chatId: CHATS[(i * 7) % CHATS.length]!,
    text: `event ${i}`,
  }));
}

type Case = [name: string, filter: EventFilter];
const CASES: Case[] = [
  ['no filter', {}],
  ...ACCOUNTS.filter((a) => a !== null).map((a): Case => [`account ${a}`, { account: a }]),
  ['account spelled another way', { account: '0015555550100' }],
  ['account as an id (no lookup)', { account: 'wa-user-77' }],
  ['account nobody has', { account: '+15555550999' }],
  ...CHATS.filter((c) => c !== null).map((c): Case => [`chat ${c}`, { chat: c }]),
  ['chat nobody has', { chat: '999' }],
  ['account and chat', { account: '+15555550100', chat: '4811201' }],
  ['account as an id and chat', { account: 'wa-user-77', chat: '4811202' }],
  ['account and type group', { account: '+15555550200', group: 'message' }],
  ['chat and exact type', { chat: '4811202', type: 'chat:new' }],
  ['account and provider', { account: '+447700900123', provider: 'whatsable' }],
  ['account and time range', { account: '+15555550100', from: T0 + 10_000, to: T0 + 50_000 }],
  ['chat and time range', { chat: '4811201', from: T0 + 20_000 }],
];
/** Each case in pages: small pages cross the watermark, a cursor (beforeId) starts below or above it. */
const PAGES: Array<{ limit: number; beforeId?: number }> = [
  { limit: 1000 },
  { limit: 3 },
  { limit: 4, beforeId: 31 },
  { limit: 2, beforeId: 8 },
];

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hookwatch-lookups-');
});
afterEach(() => tmp.cleanup());

function ingestAll(store: HookwatchStore, events: NormalizedEvent[]): void {
  events.forEach((e, i) => store.ingest(webhookDelivery(T0 + i * 1000), [e]));
}

/** What the page's matcher says, over every stored event: ids newest first, with the cursor and limit applied. */
function expected(all: StoredEvent[], filter: EventFilter, page: { limit: number; beforeId?: number }): number[] {
  const f = normalizeEventFilter(filter);
  return all
    .filter((e) => matchesEvent(summaryOf(e), f, []) && (page.beforeId === undefined || e.id < page.beforeId))
    .map((e) => e.id)
    .sort((a, b) => b - a)
    .slice(0, page.limit);
}

/** Every case and page through the service's input checks into the store, as ids. */
function answers(store: HookwatchStore): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, filter] of CASES) {
    for (const page of PAGES) {
      const q = eventQuery({ ...filter, ...page });
      out[`${name} ${JSON.stringify(page)}`] = store.listEvents(q).map((e) => e.id);
    }
  }
  return out;
}

function expectedAnswers(store: HookwatchStore): Record<string, number[]> {
  const all = store.listEvents({ limit: 100_000 });
  const out: Record<string, number[]> = {};
  for (const [name, filter] of CASES) for (const page of PAGES) out[`${name} ${JSON.stringify(page)}`] = expected(all, filter, page);
  return out;
}

const raw = (store: HookwatchStore, sql: string) => store.rawForTests.prepare(sql).pluck().get() as number;

describe('account and chat lookups in batches (real SQLite file)', () => {
  test('every filter answers identically right after ingest, with the batch part way, and after it', () => {
    const store = HookwatchStore.open(join(tmp.dir, 'l.sqlite3'), { durability: 'normal' });
    ingestAll(store, corpus());
    const reference = expectedAnswers(store);
    // The reference is not trivial: most cases select something, and some pages are cut by the limit.
    expect(Object.values(reference).filter((ids) => ids.length > 0).length).toBeGreaterThan(60);

    // Nothing indexed yet: every row comes from the events table.
    expect(raw(store, 'SELECT count(*) FROM events_by_account')).toBe(0);
    expect(answers(store)).toEqual(reference);
    const accountsBefore = store.health.accountsSeen();

    // Part way: the watermark at 25 (a batch of 25), so pages straddle it.
    expect(store.indexSearch(25)).toBe(25);
    expect(raw(store, 'SELECT max(id) FROM events_by_account')).toBeLessThanOrEqual(25);
    expect(answers(store)).toEqual(reference);

    // Everything indexed.
    while (store.indexSearch(1000) > 0) {
      /* the rest */
    }
    expect(raw(store, 'SELECT count(*) FROM events_by_chat')).toBe(raw(store, 'SELECT count(*) FROM events WHERE chat_id IS NOT NULL'));
    expect(answers(store)).toEqual(reference);
    expect(store.health.accountsSeen()).toEqual(accountsBefore);
    expect(accountsBefore.map((a) => a.phone).sort()).toEqual(['+15555550100', '+15555550200', '+447700900123', null]);

    // New rows after a batch join the tail; the answers follow them.
    ingestAll(
      store,
      corpus().map((e) => ({ ...e, dedupeKey: `${e.dedupeKey}:again` })),
    );
    const grown = expectedAnswers(store);
    expect(grown).not.toEqual(reference);
    expect(answers(store)).toEqual(grown);
    store.close();
  });

  test('pruned events leave the lookups too', async () => {
    const store = HookwatchStore.open(join(tmp.dir, 'p.sqlite3'), { durability: 'normal' });
    ingestAll(store, corpus());
    store.indexSearch(40);
    const { pruneOld, writeRetention } = await import('../../main/core/retention.js');
    writeRetention(store, { eventDays: 1 });
    // Events of the first 30 seconds are older than 1 day at this "now".
    await pruneOld(store, T0 + 24 * 60 * 60 * 1000 + 30_000);
    expect(raw(store, 'SELECT min(id) FROM events')).toBe(31);
    expect(raw(store, 'SELECT count(*) FROM events_by_account WHERE id <= 30')).toBe(0);
    expect(raw(store, 'SELECT count(*) FROM events_by_chat WHERE id <= 30')).toBe(0);
    expect(answers(store)).toEqual(expectedAnswers(store));
    store.close();
  });

  test('migration 8 fills the lookups up to the watermark of an older database; answers unchanged', () => {
    const file = join(tmp.dir, 'm.sqlite3');
    const old = HookwatchStore.open(file, { durability: 'normal', migrateTo: 7 });
    ingestAll(old, corpus());
    old.indexSearch(33);
    const before = expectedAnswers(old);
    old.close();
    const store = HookwatchStore.open(file, { durability: 'normal' });
    expect(raw(store, 'SELECT max(id) FROM events_by_account')).toBeLessThanOrEqual(33);
    expect(raw(store, 'SELECT count(*) FROM events_by_account')).toBe(
      raw(store, 'SELECT count(*) FROM events WHERE account_phone IS NOT NULL AND id <= 33'),
    );
    expect(store.rawForTests.prepare(`SELECT name FROM sqlite_master WHERE name IN ('events_account', 'events_chat')`).all()).toEqual([]);
    expect(answers(store)).toEqual(before);
    store.close();
  });

  test('a repeated account body after a newer event of its family is a new occurrence, whether that event is indexed or not', () => {
    for (const indexNewer of [false, true]) {
      const store = HookwatchStore.open(join(tmp.dir, `h${indexNewer}.sqlite3`), { durability: 'normal' });
      const suspended = { ...blankEvent('timelines', 'test', 'whatsapp:account:suspended', 'h:same-body'), accountPhone: '+15555550100' };
      const resumed = { ...blankEvent('timelines', 'test', 'whatsapp:account:resumed', 'h:other-body'), accountPhone: '+15555550100' };
      const first = store.ingest(webhookDelivery(T0), [suspended]).events[0]!;
      store.ingest(webhookDelivery(T0 + 1000), [resumed]);
      if (indexNewer) while (store.indexSearch(1000) > 0);
      const again = store.ingest(webhookDelivery(T0 + 2000), [suspended]).events[0]!;
      expect(again.id).not.toBe(first.id);
      expect(again.duplicate).toBe(false);
      // A plain retry (nothing newer of its family since) folds onto it.
      const retry = store.ingest(webhookDelivery(T0 + 3000), [suspended]).events[0]!;
      expect(retry).toMatchObject({ id: again.id, duplicate: true });
      store.close();
    }
  });
});
