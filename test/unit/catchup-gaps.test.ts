/** Gap detection from heartbeats, starts, clean stops, the tunnel log and errors_counter samples. */
import { describe, expect, it } from 'vitest';
import { detectGaps, gapKey, mergeGaps, type Gap } from '../../main/core/catchup/gaps.js';
import { catchupWindow } from '../../main/core/catchup/engine.js';
import { catchupLine, describeGap } from '../../main/core/catchup/outcome.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 28, 20, 0);
/** A heartbeat a minute from `from` to `to` (inclusive). */
const beats = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / MIN) + 1 }, (_, i) => from + i * MIN);

describe('detectGaps', () => {
  it('a restart after being off: from the last heartbeat to the start', () => {
    const start = T0 + 11 * 60 * MIN;
    const gaps = detectGaps({ heartbeats: beats(T0, T0 + 190 * MIN), starts: [T0, start], cleanStops: [] }, { now: start + 5 * MIN });
    expect(gaps).toEqual([{ start: T0 + 190 * MIN, end: start, reason: 'offline', reasons: ['offline'], open: false }]);
  });

  it('a clean stop begins the gap at the stop; a later beat pair around the restart is one gap', () => {
    const stop = T0 + 190 * MIN + 20_000;
    const start = T0 + 600 * MIN;
    const gaps = detectGaps(
      { heartbeats: [...beats(T0, T0 + 190 * MIN), ...beats(start + MIN, start + 10 * MIN)], starts: [T0, start], cleanStops: [stop] },
      { now: start + 11 * MIN },
    );
    expect(gaps).toEqual([{ start: stop, end: start, reason: 'stopped', reasons: ['stopped'], open: false }]);
  });

  it('heartbeats far apart with no start between them: the computer slept', () => {
    const wake = T0 + 300 * MIN;
    const gaps = detectGaps(
      { heartbeats: [...beats(T0, T0 + 60 * MIN), ...beats(wake, wake + 5 * MIN)], starts: [T0], cleanStops: [] },
      { now: wake + 6 * MIN },
    );
    expect(gaps).toMatchObject([{ start: T0 + 60 * MIN, end: wake, reason: 'asleep' }]);
  });

  it('a late heartbeat (busy event loop) and the first start ever are no gap', () => {
    const hb = [...beats(T0, T0 + 10 * MIN), T0 + 12 * MIN, ...beats(T0 + 13 * MIN, T0 + 20 * MIN)];
    expect(detectGaps({ heartbeats: hb, starts: [T0], cleanStops: [] }, { now: T0 + 21 * MIN })).toEqual([]);
    expect(detectGaps({ heartbeats: [], starts: [T0], cleanStops: [] }, { now: T0 + MIN })).toEqual([]);
  });

  it('tunnel outages: closed ones, an open one, short blips dropped, and `off` is not an outage', () => {
    const hb = beats(T0, T0 + 240 * MIN);
    const tunnel = [
      { at: T0, state: 'connecting' },
      { at: T0 + 10_000, state: 'up' },
      { at: T0 + 30 * MIN, state: 'degraded' },
      { at: T0 + 31 * MIN, state: 'down' },
      { at: T0 + 32 * MIN, state: 'reconnecting' },
      { at: T0 + 75 * MIN, state: 'up' },
      { at: T0 + 100 * MIN, state: 'down' },
      { at: T0 + 100 * MIN + 20_000, state: 'up' },
      { at: T0 + 120 * MIN, state: 'off' },
      { at: T0 + 150 * MIN, state: 'connecting' },
      { at: T0 + 150 * MIN + 5_000, state: 'up' },
      { at: T0 + 200 * MIN, state: 'down' },
    ];
    const gaps = detectGaps({ heartbeats: hb, starts: [T0], cleanStops: [], tunnel }, { now: T0 + 240 * MIN });
    expect(gaps).toEqual([
      { start: T0 + 30 * MIN, end: T0 + 75 * MIN, reason: 'tunnel', reasons: ['tunnel'], open: false },
      { start: T0 + 200 * MIN, end: T0 + 240 * MIN, reason: 'tunnel', reasons: ['tunnel'], open: true },
    ]);
  });

  it('a restart that then waits for its tunnel is one gap with both reasons', () => {
    const start = T0 + 500 * MIN;
    const gaps = detectGaps(
      {
        heartbeats: [...beats(T0, T0 + 100 * MIN), ...beats(start + MIN, start + 9 * MIN)],
        starts: [T0, start],
        cleanStops: [],
        tunnel: [
          { at: T0, state: 'up' },
          { at: start, state: 'connecting' },
          { at: start + 4 * MIN, state: 'up' },
        ],
      },
      { now: start + 10 * MIN },
    );
    expect(gaps).toEqual([{ start: T0 + 100 * MIN, end: start + 4 * MIN, reason: 'offline', reasons: ['offline', 'tunnel'], open: false }]);
  });

  it('a rising errors_counter between two polls of the same webhook', () => {
    const hb = beats(T0, T0 + 60 * MIN);
    const webhookErrors = [
      { at: T0, webhookId: 'timelines:1', errorsCounter: 0 },
      { at: T0, webhookId: 'timelines:2', errorsCounter: 5 },
      { at: T0 + 10 * MIN, webhookId: 'timelines:1', errorsCounter: 2 },
      { at: T0 + 10 * MIN, webhookId: 'timelines:2', errorsCounter: 5 },
      { at: T0 + 20 * MIN, webhookId: 'timelines:1', errorsCounter: 0 },
      { at: T0 + 20 * MIN, webhookId: 'timelines:2', errorsCounter: 3 },
    ];
    expect(detectGaps({ heartbeats: hb, starts: [T0], cleanStops: [], webhookErrors }, { now: T0 + 60 * MIN })).toEqual([
      { start: T0, end: T0 + 10 * MIN, reason: 'webhook-errors', reasons: ['webhook-errors'], open: false },
    ]);
  });
});

describe('mergeGaps', () => {
  const g = (start: number, end: number, reason: Gap['reason'] = 'tunnel'): Gap => ({ start, end, reason, reasons: [reason], open: false });
  it('merges overlapping and near gaps, keeps apart the others, names the main reason', () => {
    expect(mergeGaps([g(50, 60, 'webhook-errors'), g(0, 10), g(5, 20, 'asleep'), g(25, 30)], 5)).toEqual([
      { start: 0, end: 30, reason: 'asleep', reasons: ['asleep', 'tunnel'], open: false },
      { start: 50, end: 60, reason: 'webhook-errors', reasons: ['webhook-errors'], open: false },
    ]);
    expect(gapKey({ start: 1, end: 2 })).toBe('1-2');
  });
});

describe('the catch-up window and its line', () => {
  it('widens by the margin and stops at the days-back limit', () => {
    const now = T0 + 20 * 86_400_000;
    expect(catchupWindow({ start: now - 3600_000, end: now - 600_000 }, now, 7, 120_000)).toEqual({
      after: now - 3720_000,
      before: now - 480_000,
      truncatedDays: false,
    });
    expect(catchupWindow({ start: now - 9 * 86_400_000, end: now - 600_000 }, now, 7, 0)).toEqual({
      after: now - 7 * 86_400_000,
      before: now - 600_000,
      truncatedDays: true,
    });
    expect(catchupWindow({ start: now - 9 * 86_400_000, end: now - 8 * 86_400_000 }, now, 7, 0)).toBeNull();
  });

  it('says the gap in words, with dates when it lasted a day or more', () => {
    expect(describeGap({ start: Date.UTC(2026, 10, 28, 23, 10), end: Date.UTC(2026, 10, 29, 7, 45), reason: 'offline' })).toBe(
      'offline 23:10–07:45 UTC',
    );
    expect(describeGap({ start: Date.UTC(2026, 10, 28, 23, 10), end: Date.UTC(2026, 10, 30, 7, 45), reason: 'asleep' })).toBe(
      'asleep 28 Nov 23:10–30 Nov 07:45 UTC',
    );
    const outcome = {
      gap: {
        start: Date.UTC(2026, 10, 28, 23, 10),
        end: Date.UTC(2026, 10, 29, 7, 45),
        reason: 'tunnel' as const,
        reasons: ['tunnel' as const],
      },
      gapKey: 'k',
      status: 'done' as const,
      window: null,
      chatsScanned: 5,
      chatsWithRecovered: 1,
      messagesSeen: 3,
      recovered: 1,
      alreadyStored: 2,
      skippedNonMessages: 0,
      chatsGone: 0,
      requests: 6,
      rateLimitWaits: 0,
      truncatedChats: false,
      truncatedDays: false,
      error: null,
      startedAt: 0,
      finishedAt: 0,
    };
    expect(catchupLine(outcome)).toBe('catch-up: tunnel down 23:10–07:45 UTC, 1 message recovered from 1 chat');
    expect(catchupLine({ ...outcome, recovered: 0, chatsWithRecovered: 0 })).toBe(
      'catch-up: tunnel down 23:10–07:45 UTC, nothing missed (5 chats checked)',
    );
  });
});
