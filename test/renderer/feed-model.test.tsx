// @vitest-environment jsdom
import { describe, expect, test } from 'vitest';
import type { EventSummary } from '../../main/contract/api.js';
import { feedReducer, initialFeedState, LIVE_ROW_CAP, PENDING_CAP, type FeedState } from '../../renderer/src/feed/feed-model.js';

function ev(id: number, patch: Partial<EventSummary> = {}): EventSummary {
  return {
    id,
    receivedAt: 1_700_000_000_000 + id,
    occurredAt: null,
    provider: 'timelines',
    type: 'message:new',
    group: 'message',
    accountPhone: '+15555550100',
    accountId: null,
    accountName: null,
    chatId: '1',
    chatName: 'Sam',
    chatPhone: null,
    direction: 'received',
    text: `message ${id}`,
    note: null,
    deliveryCount: 1,
    recovered: false,
    ...patch,
  };
}

const desc = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => ev(from - i));

function ready(rows: EventSummary[], nextBeforeId: number | null = null): FeedState {
  const s = feedReducer(initialFeedState, { type: 'reload', generation: 1 });
  return feedReducer(s, { type: 'first-page', generation: 1, page: { events: rows, nextBeforeId, newestStoredId: null }, terms: [] });
}

const live = (state: FeedState, events: EventSummary[], atTop: boolean, filter = {}) =>
  feedReducer(state, { type: 'live', batch: { events, redelivered: [] }, filter, terms: [], atTop });

describe('the live feed model', () => {
  test('at the top, new events go in first, newest first', () => {
    const s = live(ready(desc(10, 1)), [ev(11), ev(12)], true);
    expect(s.rows.map((r) => r.id).slice(0, 4)).toEqual([12, 11, 10, 9]);
    expect(s.pendingCount).toBe(0);
  });

  test('scrolled away, new events wait behind the pill and the rows stay put', () => {
    const before = ready(desc(10, 1));
    const s = live(before, [ev(11), ev(12), ev(13)], false);
    expect(s.rows).toBe(before.rows);
    expect(s.pendingCount).toBe(3);
    const shown = feedReducer(s, { type: 'show-pending' });
    expect(shown.rows.map((r) => r.id).slice(0, 4)).toEqual([13, 12, 11, 10]);
    expect(shown.pendingCount).toBe(0);
  });

  test('once paused, the stream stays paused even at the top until the pill (or the top) shows them', () => {
    const s = live(live(ready(desc(10, 1)), [ev(11)], false), [ev(12)], true);
    expect(s.rows[0]!.id).toBe(10);
    expect(s.pendingCount).toBe(2);
  });

  test('events the filter excludes are neither shown nor counted', () => {
    const s = live(ready(desc(5, 1)), [ev(6, { provider: 'whatsable' }), ev(7)], false, { provider: 'timelines' });
    expect(s.pendingCount).toBe(1);
    expect(s.pending.map((e) => e.id)).toEqual([7]);
  });

  test('an event already shown (or older than the top) is not added twice', () => {
    const s = live(ready(desc(10, 1)), [ev(9), ev(10), ev(11)], true);
    expect(s.rows.map((r) => r.id).slice(0, 3)).toEqual([11, 10, 9]);
    expect(s.rows).toHaveLength(11);
  });

  test('events that arrive while the first page is on its way are kept when they are newer', () => {
    let s = feedReducer(initialFeedState, { type: 'reload', generation: 4 });
    s = live(s, [ev(21), ev(22)], true);
    s = feedReducer(s, {
      type: 'first-page',
      generation: 4,
      page: { events: desc(21, 12), nextBeforeId: 12, newestStoredId: null },
      terms: [],
    });
    expect(s.rows.map((r) => r.id).slice(0, 3)).toEqual([22, 21, 20]);
    expect(s.rows.filter((r) => r.id === 21)).toHaveLength(1);
  });

  test('answers to an older request are ignored', () => {
    const s = feedReducer(ready(desc(5, 1)), { type: 'reload', generation: 2 });
    const stale = feedReducer(s, {
      type: 'first-page',
      generation: 1,
      page: { events: desc(99, 90), nextBeforeId: null, newestStoredId: null },
      terms: [],
    });
    expect(stale).toBe(s);
    expect(feedReducer(s, { type: 'failed', generation: 1, message: 'x' })).toBe(s);
  });

  test('pages append older events and skip overlap', () => {
    let s = ready(desc(30, 21), 21);
    s = feedReducer(s, { type: 'more-requested' });
    expect(s.loadingMore).toBe(true);
    s = feedReducer(s, { type: 'more-page', generation: 1, page: { events: desc(21, 12), nextBeforeId: 12, newestStoredId: null } });
    expect(s.rows.map((r) => r.id)).toEqual(desc(30, 12).map((e) => e.id));
    expect(s.nextBeforeId).toBe(12);
    expect(s.loadingMore).toBe(false);
  });

  test('redeliveries update the count of the row they belong to', () => {
    const s = feedReducer(ready(desc(3, 1)), {
      type: 'live',
      batch: { events: [], redelivered: [{ id: 2, deliveryCount: 3, lastDeliveredAt: 0 }] },
      filter: {},
      terms: [],
      atTop: true,
    });
    expect(s.rows.find((r) => r.id === 2)!.deliveryCount).toBe(3);
    expect(s.rows.find((r) => r.id === 1)!.deliveryCount).toBe(1);
  });

  test('streaming at the top keeps at most LIVE_ROW_CAP rows and a cursor to reload the rest', () => {
    const s = live(ready(desc(LIVE_ROW_CAP, 1)), [ev(LIVE_ROW_CAP + 1), ev(LIVE_ROW_CAP + 2)], true);
    expect(s.rows).toHaveLength(LIVE_ROW_CAP);
    expect(s.rows[0]!.id).toBe(LIVE_ROW_CAP + 2);
    expect(s.nextBeforeId).toBe(s.rows[s.rows.length - 1]!.id);
  });

  test('more held-back events than PENDING_CAP: the pill asks for a reload instead of stitching a gap', () => {
    const many = Array.from({ length: PENDING_CAP + 5 }, (_, i) => ev(100 + i));
    const s = live(ready(desc(10, 1)), many, false);
    expect(s.pendingCount).toBe(PENDING_CAP + 5);
    expect(s.pendingOverflow).toBe(true);
    expect(s.pending).toHaveLength(PENDING_CAP);
    expect(feedReducer(s, { type: 'show-pending' })).toBe(s);
  });
});
