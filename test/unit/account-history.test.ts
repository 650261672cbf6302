// A number's uptime over 7 and 30 days from its incidents, summed by SQLite (real file), and the API method's input checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../main/core/store/incidents.js';
import { HookwatchStore } from '../../main/core/store/store.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 30, 12);

let dir: string;
let store: HookwatchStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookwatch-history-'));
  store = HookwatchStore.open(join(dir, 'hookwatch.sqlite3'), { durability: 'normal' });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function incident(key: string, openedAt: number, resolvedAt: number | null, extra: Partial<Incident> = {}): number {
  return store.incidents.save({
    id: null,
    key: `account:${key}`,
    kind: 'account',
    subject: key,
    severity: 'critical',
    title: `${key} disconnected`,
    text: 'down',
    openedAt,
    updatedAt: resolvedAt ?? openedAt,
    resolvedAt,
    flaps: 0,
    alerts: resolvedAt === null ? 1 : 2,
    acknowledgedAt: null,
    snoozedUntil: null,
    lastAlertId: null,
    ...extra,
  });
}

describe('IncidentsTable.accountHistory', () => {
  it('sums the overlap of each incident with each window; an open incident runs until now', () => {
    const k = '+15555550100';
    incident(k, NOW - 40 * DAY, NOW - 40 * DAY + HOUR); // before both windows: not counted
    incident(k, NOW - 31 * DAY, NOW - 29 * DAY); // one day of it inside the 30 days
    incident(k, NOW - 10 * DAY, NOW - 10 * DAY + 6 * HOUR); // 30 days only
    incident(k, NOW - 7 * DAY - HOUR, NOW - 7 * DAY + HOUR); // half inside the 7 days
    incident(k, NOW - 2 * HOUR, null); // open: 2 h so far
    incident('+15555550199', NOW - 3 * DAY, NOW - 2 * DAY); // another number: never counted here
    const h = store.incidents.accountHistory(k, NOW, NOW - 60 * DAY);
    expect(h.watchedSince).toBe(NOW - 60 * DAY);
    expect(h.downMs7d).toBe(HOUR + 2 * HOUR);
    expect(h.downMs30d).toBe(DAY + 6 * HOUR + 2 * HOUR + 2 * HOUR);
    expect(h.uptime7d).toBeCloseTo(1 - (3 * HOUR) / (7 * DAY), 12);
    expect(h.uptime30d).toBeCloseTo(1 - (DAY + 10 * HOUR) / (30 * DAY), 12);
    // The timeline: what overlaps the last 30 days, oldest first.
    expect(h.incidents.map((i) => i.openedAt)).toEqual([NOW - 31 * DAY, NOW - 10 * DAY, NOW - 7 * DAY - HOUR, NOW - 2 * HOUR]);
  });

  it('counts from when Hookwatch first knew the number, not from a window start it was not watching', () => {
    const k = '+15555550100';
    incident(k, NOW - 2 * DAY, NOW - 2 * DAY + 12 * HOUR);
    const h = store.incidents.accountHistory(k, NOW, NOW - 4 * DAY);
    expect(h.watchedSince).toBe(NOW - 4 * DAY);
    expect(h.uptime7d).toBeCloseTo(1 - 12 / 96, 12);
    expect(h.uptime30d).toBeCloseTo(1 - 12 / 96, 12);
    // With no observation kept, its first incident is the earliest it knew of the number.
    expect(store.incidents.accountHistory(k, NOW, null).watchedSince).toBe(NOW - 2 * DAY);
  });

  it('a number never seen has no uptime rather than a made-up 100 %', () => {
    const h = store.incidents.accountHistory('+19999999999', NOW, null);
    expect(h).toEqual({ watchedSince: null, uptime7d: null, uptime30d: null, downMs7d: 0, downMs30d: 0, incidents: [] });
    const clean = store.incidents.accountHistory('+19999999999', NOW, NOW - 3 * DAY);
    expect(clean.uptime7d).toBe(1);
    expect(clean.downMs30d).toBe(0);
  });
});
