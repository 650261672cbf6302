// The status's watched numbers: kept from commits instead of rescanning the events, and the same from `hookwatch status` as from the service.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertService } from '../../main/core/alerts/service.js';
import { HookwatchService } from '../../main/core/api/service.js';
import { accountSourceFromAlerts } from '../../main/core/api/sources.js';
import { accountSeenOf } from '../../main/core/api/views.js';
import { SeenAccounts } from '../../main/core/api/watched.js';
import type { CommittedListener } from '../../main/core/core.js';
import type { CommittedDelivery, HookwatchStore } from '../../main/core/store/store.js';
import { runHookwatch } from '../support/harness.js';
import { DAY, HOUR, ingestAt, MIN, tempStore, webhookDelivery } from '../support/seed.js';

const T0 = Date.UTC(2026, 10, 30, 9);
const SALES = '+972501111111';
const NIGHT = '+972502222222';
const USER_ID = '0b7f3c2e-1a2b-4c3d-8e9f-a0b1c2d3e4f5';

/** An open silence warning about `subject`, as the alert service leaves it (main/core/alerts/silence.ts). */
function openSilence(store: HookwatchStore, subject: string, at: number): void {
  store.incidents.save({
    id: null,
    key: `silence:${subject}`,
    kind: 'silence',
    subject,
    severity: 'warning',
    title: `${subject} has gone silent`,
    text: 'No events for 2 h',
    openedAt: at,
    updatedAt: at,
    resolvedAt: null,
    flaps: 0,
    alerts: 1,
    acknowledgedAt: null,
    snoozedUntil: null,
    lastAlertId: null,
  });
}

describe('SeenAccounts (a real SQLite file)', () => {
  let s: ReturnType<typeof tempStore>;
  beforeEach(() => (s = tempStore('hookwatch-seen-')));
  afterEach(() => s.close());

  it('kept from what each commit stored, it lists what a fresh read of the store lists, with one read', () => {
    const { store } = s;
    ingestAt(store, [T0, T0 + MIN], { provider: 'timelines', type: 'whatsapp:account:connected', phone: '+15555550100', name: 'Support' });
    ingestAt(store, [T0 + 2 * MIN], { provider: 'whatsable', type: 'message:received:new', phone: SALES, name: 'Sales' });
    ingestAt(store, [T0 + 3 * MIN], { provider: 'whatsable', type: 'message:sent:new', phone: null, accountId: USER_ID });
    store.indexSearch(10_000);
    const scan = vi.fn(() => store.health.accountsSeen());
    const seen = new SeenAccounts(scan, () => T0 + 10 * MIN);
    expect(seen.list()).toEqual(store.health.accountsSeen().map(accountSeenOf));

    const later: CommittedDelivery[] = [
      // Known numbers again: a newer type and time; an event without a name keeps the name it had.
      ...ingestAt(store, [T0 + 20 * MIN], { provider: 'timelines', type: 'whatsapp:account:disconnected', phone: '+15555550100' }),
      ...ingestAt(store, [T0 + 21 * MIN], { provider: 'whatsable', type: 'message:sent:new', phone: SALES, name: 'Sales desk' }),
      // New ones: a number and a user id.
      ...ingestAt(store, [T0 + 22 * MIN, T0 + 23 * MIN], { provider: 'whatsable', type: 'message:received:new', phone: NIGHT }),
      ...ingestAt(store, [T0 + 24 * MIN], { provider: 'whatsable', type: 'message:received:new', phone: null, accountId: 'other-user' }),
    ];
    for (const c of later) seen.noteCommitted(c.events);
    // A redelivery of a stored event changes nothing.
    const again = store.ingest(webhookDelivery(T0 + 30 * MIN), [later[1]!.events[0]!]);
    expect(again.events[0]!.duplicate).toBe(true);
    seen.noteCommitted(again.events);

    const fresh = store.health.accountsSeen().map(accountSeenOf);
    expect(fresh.map((a) => a.key)).toEqual(['other-user', NIGHT, SALES, '+15555550100', USER_ID]);
    expect(seen.list()).toEqual(fresh);
    expect(scan).toHaveBeenCalledTimes(1);
    expect(seen.list().find((a) => a.key === '+15555550100')).toMatchObject({
      name: 'Support',
      lastEventType: 'whatsapp:account:disconnected',
    });
  });

  it('reads the store again after an hour, so what no commit tells (retention) is not kept for ever', () => {
    let clock = T0;
    const scan = vi.fn(() => s.store.health.accountsSeen());
    const seen = new SeenAccounts(scan, () => clock);
    seen.list();
    clock += 59 * MIN;
    seen.list();
    expect(scan).toHaveBeenCalledTimes(1);
    clock += MIN;
    seen.list();
    expect(scan).toHaveBeenCalledTimes(2);
  });
});

describe("the service's status over a store of 100,000 events (real SQLite file; the core's commits replayed from store.ingest)", () => {
  let s: ReturnType<typeof tempStore>;
  let alerts: AlertService;
  let service: HookwatchService;
  const listeners = new Set<CommittedListener>();
  const clock = T0 + DAY;

  beforeEach(() => {
    s = tempStore('hookwatch-status-scan-');
    s.store.seedSyntheticMessages(100_000, T0);
    s.store.indexSearch(200_000);
    ingestAt(s.store, [T0 - HOUR], { provider: 'whatsable', type: 'message:received:new', phone: SALES, name: 'Sales' });
    s.store.meta.set('alertSettings', { timeZone: 'UTC' });
    alerts = new AlertService(
      s.store,
      () => {},
      () => clock,
    );
    alerts.start();
  });
  afterEach(() => {
    vi.useRealTimers();
    service?.close();
    alerts.stop();
    s.close();
  });

  function start(): void {
    service = new HookwatchService({
      core: {
        store: s.store,
        receiver: { localUrl: 'http://127.0.0.1:1/hooks/x', webhookPath: '/hooks/x' },
        onCommitted: (l) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      },
      accounts: accountSourceFromAlerts(alerts, () => clock),
      warmHealthAfterMs: null,
      statusCheckMs: 30_000,
      now: () => clock,
    });
  }

  it('reads the accounts seen once; recomputes (asked, and on the 30 s timer) read no more, and a new number is watched at the next status', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const scans = vi.spyOn(s.store.health, 'accountsSeen');
    start();
    service.subscribe(() => {});
    expect(await service.api.getStatus()).toMatchObject({ level: 'ok', summary: '1 number active' });
    await service.api.getStatus();
    vi.advanceTimersByTime(10 * 30_000);
    expect(scans).toHaveBeenCalledTimes(1);

    // A silence warning about a number not seen yet: not watched, so not in the status.
    openSilence(s.store, NIGHT, clock - HOUR);
    expect((await service.api.getStatus()).parts.map((p) => p.text)).toEqual(['1 number active']);

    // The number's first event is committed: the next status watches it (and names it), with no new read.
    for (const c of ingestAt(s.store, [clock - 2 * HOUR], {
      provider: 'whatsable',
      type: 'message:received:new',
      phone: NIGHT,
      name: 'Night desk',
    }))
      for (const l of listeners) l(c);
    const after = await service.api.getStatus();
    expect(after).toMatchObject({ level: 'degraded', summary: '1 of 2 numbers silent' });
    expect(after.parts).toContainEqual({
      kind: 'account',
      level: 'degraded',
      text: `Night desk (${NIGHT}) silent`,
      since: clock - 2 * HOUR,
      link: { screen: 'accounts', key: NIGHT },
    });
    vi.advanceTimersByTime(10 * 30_000);
    expect(scans).toHaveBeenCalledTimes(1);
  });
});

describe('hookwatch status on a data folder (the built CLI) watches WhatsAble numbers like the running service', () => {
  it('a silent WhatsAble number: degraded, named and linked to its card, the same status as the service gives', async () => {
    const s = tempStore('hookwatch-status-cli-');
    const now = Date.now();
    try {
      ingestAt(s.store, [now - 3 * HOUR], { provider: 'whatsable', type: 'message:received:new', phone: SALES, name: 'Sales' });
      ingestAt(s.store, [now - 2 * HOUR], { provider: 'whatsable', type: 'message:received:new', phone: NIGHT });
      openSilence(s.store, SALES, now - HOUR);

      const r = await runHookwatch(['status', '--data', s.dir]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^DEGRADED: 1 of 2 numbers silent\n/);
      expect(r.stdout).toContain(`Sales (${SALES}) silent since`);

      const j = await runHookwatch(['status', '--data', s.dir, '--format', 'json']);
      const cli = JSON.parse(j.stdout);
      expect(cli.parts).toContainEqual({
        kind: 'account',
        level: 'degraded',
        text: `Sales (${SALES}) silent`,
        since: now - 3 * HOUR,
        link: { screen: 'accounts', key: SALES },
      });

      // The dashboard's answer over the same folder.
      s.store.meta.set('alertSettings', { timeZone: 'UTC' });
      const alerts = new AlertService(s.store, () => {});
      alerts.start();
      const service = new HookwatchService({
        core: {
          store: s.store,
          receiver: { localUrl: 'http://127.0.0.1:1/hooks/x', webhookPath: '/hooks/x' },
          onCommitted: () => () => {},
        },
        accounts: accountSourceFromAlerts(alerts),
        warmHealthAfterMs: null,
      });
      try {
        expect(await service.api.getStatus()).toEqual(cli);
      } finally {
        service.close();
        alerts.stop();
      }
    } finally {
      s.close();
    }
  });
});
