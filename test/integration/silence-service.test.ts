// Silence detection wired: the alert service over a real SQLite file with a controlled clock, the WhatsAble card, and incident snooze.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accountTitle } from '../../main/contract/account-label.js';
import { AlertService } from '../../main/core/alerts/service.js';
import { accountSourceFromAlerts, alertSourceFromAlerts, notificationSettingsFromAlerts } from '../../main/core/api/sources.js';
import { HookwatchService } from '../../main/core/api/service.js';
import type { HookwatchStore, StoredAlert } from '../../main/core/store/store.js';
import { DAY, HOUR, ingestAt as ingest, MIN, officeHistory, tempStore } from '../support/seed.js';

/** Monday 2 November 2026, 00:00 UTC: two weeks of history, then Monday of week 3. */
const MONDAY = Date.UTC(2026, 10, 2);
const WEEK3 = MONDAY + 14 * DAY;
const SALES = '+972501111111';
const SUPPORT = '+15555550100';

describe('silence detection in the alert service (real SQLite file, controlled clock)', () => {
  let closeStore: () => void;
  let store: HookwatchStore;
  let clock: number;
  let alerts: AlertService;
  let notified: StoredAlert[];
  const history = officeHistory(MONDAY, WEEK3 + 9 * HOUR + 5 * MIN);

  beforeEach(() => {
    ({ store, close: closeStore } = tempStore('hookwatch-silence-service-'));
    clock = WEEK3 + 9 * HOUR + 10 * MIN;
    notified = [];
  });
  afterEach(() => {
    alerts?.stop();
    closeStore();
  });

  function startService(settings: Record<string, unknown> = {}): AlertService {
    store.meta.set('alertSettings', { timeZone: 'UTC', ...settings });
    alerts = new AlertService(
      store,
      () => {},
      () => clock,
    );
    alerts.onAlert((a) => {
      if (a.notify) notified.push(a);
    });
    alerts.start();
    return alerts;
  }

  it('raises one warning and one recovery for a WhatsAble number that goes quiet on a busy morning: one silence incident', () => {
    ingest(store, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES, name: 'Sales' });
    startService();

    expect(alerts.checkSilence()).toEqual([]); // 09:10, five minutes after its last event: nothing unusual

    clock = WEEK3 + 11 * HOUR + 30 * MIN;
    const warned = alerts.checkSilence();
    expect(warned).toMatchObject([
      { kind: 'account-silent', severity: 'warning', accountKey: SALES, notify: true, title: 'Sales (+972501111111) has gone silent' },
    ]);
    expect(warned[0]!.text).toMatch(
      /^No events for 2 h \d+ min; on Mondays at 11:00 it usually has about .* Check the number in WhatsAble/,
    );

    // One warning per silence, however often it is checked.
    clock += 30 * MIN;
    expect(alerts.checkSilence()).toEqual([]);
    clock += 30 * MIN;
    expect(alerts.checkSilence()).toEqual([]);

    const open = store.incidents.list({ state: 'open' });
    expect(open).toMatchObject([{ kind: 'silence', key: `silence:${SALES}`, subject: SALES, severity: 'warning', alerts: 1 }]);

    // It speaks again: the recovery closes the same incident.
    ingest(store, [clock + 5 * MIN], { provider: 'whatsable', type: 'message:received:new', phone: SALES });
    clock += 10 * MIN;
    expect(alerts.checkSilence()).toMatchObject([{ kind: 'account-silence-over', severity: 'recovery', notify: true }]);
    expect(store.incidents.list({ state: 'open' })).toEqual([]);
    expect(store.incidents.list({ state: 'all' })).toMatchObject([{ id: open[0]!.id, kind: 'silence', alerts: 2, resolvedAt: clock }]);
    expect(notified.map((a) => a.kind)).toEqual(['account-silent', 'account-silence-over']);
    expect(store.listAlerts().map((a) => a.kind)).toEqual(['account-silence-over', 'account-silent']);
  });

  it('the memory survives a restart, and the time Hookwatch was off is neither activity nor silence', () => {
    ingest(store, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES });
    startService();
    alerts.checkSilence(); // 09:10: the check leaves its time in the store
    alerts.stop();

    // Off from 09:10 to 11:00; started again at 11:30. Observed silence: 09:05-09:10 and 11:00-11:30, well under the floor.
    clock = WEEK3 + 11 * HOUR;
    startService();
    clock = WEEK3 + 11 * HOUR + 30 * MIN;
    expect(alerts.checkSilence()).toEqual([]);
    // Two more hours of observed silence on a Monday: that is a warning.
    clock = WEEK3 + 13 * HOUR + 30 * MIN;
    expect(alerts.checkSilence()).toMatchObject([{ kind: 'account-silent', accountKey: SALES }]);
  });

  it('a gap catch-up kept, or heartbeats far apart, is not silence', () => {
    ingest(store, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES });
    startService();
    clock = WEEK3 + 11 * HOUR + 30 * MIN;
    store.catchup.saveGap({
      gapKey: 'g1',
      start: WEEK3 + 9 * HOUR,
      end: WEEK3 + 11 * HOUR,
      reasons: ['asleep'],
      status: 'done',
      recovered: 0,
      chats: 0,
      requests: 0,
      error: null,
      line: null,
      startedAt: null,
      finishedAt: null,
    });
    expect(alerts.checkSilence()).toEqual([]);
    // The same from the receiving marks alone: a heartbeat at 09:06, the next at 11:10 (the computer slept).
    const { store: other, close: closeOther } = tempStore('hookwatch-silence-marks-');
    try {
      ingest(other, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES });
      for (let t = WEEK3 + 8 * HOUR; t <= WEEK3 + 9 * HOUR + 6 * MIN; t += MIN) other.catchup.mark('heartbeat', t);
      for (let t = WEEK3 + 11 * HOUR + 10 * MIN; t <= clock; t += MIN) other.catchup.mark('heartbeat', t);
      other.meta.set('alertSettings', { timeZone: 'UTC' });
      const service = new AlertService(
        other,
        () => {},
        () => clock,
      );
      service.start();
      try {
        expect(service.checkSilence()).toEqual([]);
        clock = WEEK3 + 13 * HOUR + 30 * MIN;
        for (let t = WEEK3 + 11 * HOUR + 31 * MIN; t <= clock; t += MIN) other.catchup.mark('heartbeat', t);
        expect(service.checkSilence()).toMatchObject([{ kind: 'account-silent' }]);
      } finally {
        service.stop();
      }
    } finally {
      closeOther();
    }
  });

  it('runs by itself on its timer once started (timers faked, the store real): a first check soon after start, then every 5 minutes', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      ingest(store, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES });
      clock = WEEK3 + 11 * HOUR + 30 * MIN;
      startService();
      expect(store.listAlerts()).toEqual([]);
      vi.advanceTimersByTime(30_000);
      expect(store.listAlerts().map((a) => a.kind)).toEqual(['account-silent']);
      ingest(store, [clock + MIN], { provider: 'whatsable', type: 'message:received:new', phone: SALES });
      clock += 5 * MIN;
      vi.advanceTimersByTime(5 * MIN);
      expect(store.listAlerts().map((a) => a.kind)).toEqual(['account-silence-over', 'account-silent']);
      // Turned off: no timer is left to wake the app.
      alerts.updateSettings({ silenceAlerts: false });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds the warning during quiet hours and tells it once they end', () => {
    ingest(store, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES });
    startService({ quietHours: { enabled: true, start: '11:00', end: '12:00' } });
    clock = WEEK3 + 11 * HOUR + 30 * MIN;
    expect(alerts.checkSilence()).toMatchObject([{ kind: 'account-silent', notify: false, suppressed: 'quiet-hours' }]);
    clock = WEEK3 + 11 * HOUR + 50 * MIN;
    expect(alerts.checkSilence()).toEqual([]);
    clock = WEEK3 + 12 * HOUR + 5 * MIN;
    expect(alerts.checkSilence()).toMatchObject([{ kind: 'account-silent', notify: true, suppressed: null }]);
    expect(notified.map((a) => a.kind)).toEqual(['account-silent']);
    // Still one incident: the held warning and the told one.
    expect(store.incidents.list({ state: 'all' })).toMatchObject([{ kind: 'silence', alerts: 2, resolvedAt: null }]);
  });

  it('stays off until a number has 7 days of history, and when turned off in the settings', () => {
    ingest(store, officeHistory(MONDAY + 8 * DAY, WEEK3 + 9 * HOUR), { provider: 'whatsable', type: 'message:received:new', phone: SALES });
    startService();
    clock = WEEK3 + 12 * HOUR;
    expect(alerts.checkSilence()).toEqual([]); // six days of history: still learning

    ingest(store, officeHistory(MONDAY, MONDAY + 8 * DAY), { provider: 'whatsable', type: 'message:received:new', phone: SALES });
    alerts.updateSettings({ silenceAlerts: false });
    expect(alerts.checkSilence()).toEqual([]);
    alerts.updateSettings({ silenceAlerts: true });
    expect(store.listAlerts().map((a) => a.kind)).toEqual(['account-silent']);

    // Turning it off with the warning open closes the incident quietly.
    alerts.updateSettings({ silenceAlerts: false });
    expect(store.listAlerts()[0]).toMatchObject({ kind: 'account-silence-over', notify: false });
    expect(store.incidents.list({ state: 'open' })).toEqual([]);
  });

  it('the floor is a setting: 4 h holds back a 2.5 h silence that 2 h would report', () => {
    ingest(store, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES });
    startService({ silenceFloorMinutes: 240 });
    clock = WEEK3 + 11 * HOUR + 30 * MIN;
    expect(alerts.checkSilence()).toEqual([]);
    alerts.updateSettings({ silenceFloorMinutes: 120 });
    expect(store.listAlerts().map((a) => a.kind)).toEqual(['account-silent']);
  });

  it('a WhatsAble number is a card on the accounts board: its last event, and "silent" while the warning is open', async () => {
    ingest(store, history, { provider: 'whatsable', type: 'message:received:new', phone: SALES, name: 'Sales' });
    ingest(store, [WEEK3 + 9 * HOUR], { provider: 'timelines', type: 'whatsapp:account:connected', phone: SUPPORT, name: 'Support' });
    // A real WhatsAble webhook never names the business number, only the WhatsAble account's id: that id is the
    // card (titled "WhatsAble account 0b7f3c2e…" by the contract's label) and what silence watches.
    const userId = '0b7f3c2e-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
    ingest(store, history, { provider: 'whatsable', type: 'message:sent:new', phone: null, accountId: userId });
    startService();
    const service = new HookwatchService({
      core: { store, receiver: { localUrl: 'http://127.0.0.1:1/hooks/x', webhookPath: '/hooks/x' }, onCommitted: () => () => {} },
      accounts: accountSourceFromAlerts(alerts, () => clock),
      alerts: alertSourceFromAlerts(alerts, store),
      notificationSettings: notificationSettingsFromAlerts(alerts),
      warmHealthAfterMs: null,
      now: () => clock,
    });
    try {
      const board = await service.api.listAccounts();
      if (!board.tracking.available) throw new Error('tracking should be available');
      const cards = board.tracking.accounts;
      expect(cards.map((c) => c.key).sort()).toEqual([SUPPORT, SALES, userId].sort());
      expect(cards.find((c) => c.key === userId)).toMatchObject({
        phone: null,
        accountId: userId,
        activity: { provider: 'whatsable', silentSince: null },
      });
      expect(accountTitle({ ...cards.find((c) => c.key === userId)!, provider: 'whatsable' })).toBe('WhatsAble account 0b7f3c2e…');
      expect(cards.find((c) => c.key === SUPPORT)).toMatchObject({ state: 'connected' });
      expect(cards.find((c) => c.key === SUPPORT)!.activity).toBeUndefined();
      expect(cards.find((c) => c.key === SALES)).toMatchObject({
        phone: SALES,
        name: 'Sales',
        state: 'unknown',
        activity: { provider: 'whatsable', lastEventAt: history[history.length - 1], silentSince: null },
        lastEvent: { id: null, type: 'message:received:new', at: history[history.length - 1] },
      });

      expect(board.seen.map((a) => a.key)).toContain(userId);

      clock = WEEK3 + 11 * HOUR + 30 * MIN;
      const silent = alerts.checkSilence();
      expect(silent.map((a) => [a.kind, a.accountKey]).sort()).toEqual(
        [
          ['account-silent', SALES],
          ['account-silent', userId],
        ].sort(),
      );
      expect(silent.find((a) => a.accountKey === userId)!.title).toBe('WhatsAble account 0b7f3c2e… has gone silent');
      const after = await service.api.listAccounts();
      if (!after.tracking.available) throw new Error('tracking should be available');
      expect(after.tracking.accounts.find((c) => c.key === SALES)!.activity).toEqual({
        provider: 'whatsable',
        lastEventAt: history[history.length - 1],
        silentSince: history[history.length - 1],
      });

      // The silence settings go through the API's validation.
      const view = await service.api.updateSettings({ notifications: { silenceFloorMinutes: 180, silenceAlerts: true } });
      expect(view.notifications).toMatchObject({ available: true, settings: { silenceFloorMinutes: 180, silenceAlerts: true } });
      await expect(service.api.updateSettings({ notifications: { silenceFloorMinutes: 5 } })).rejects.toThrow(
        /silenceFloorMinutes must be a whole number from 15 to 10080/,
      );
    } finally {
      service.close();
    }
  });
});

describe('incident snooze holds notifications back for real', () => {
  let closeStore: () => void;
  let store: HookwatchStore;
  let clock: number;
  let alerts: AlertService;
  let service: HookwatchService;
  const notified: StoredAlert[] = [];
  const T0 = Date.UTC(2026, 10, 30, 10);

  beforeEach(() => {
    ({ store, close: closeStore } = tempStore('hookwatch-snooze-'));
    clock = T0;
    notified.length = 0;
    // No folding: every change is its own alert, so only the snooze decides what notifies.
    store.meta.set('alertSettings', { timeZone: 'UTC', flapWindowMinutes: 0 });
    alerts = new AlertService(
      store,
      () => {},
      () => clock,
    );
    alerts.onAlert((a) => {
      if (a.notify) notified.push(a);
    });
    alerts.start();
    service = new HookwatchService({
      core: { store, receiver: { localUrl: 'http://127.0.0.1:1/hooks/x', webhookPath: '/hooks/x' }, onCommitted: () => () => {} },
      alerts: alertSourceFromAlerts(alerts, store),
      warmHealthAfterMs: null,
      now: () => clock,
    });
  });
  afterEach(() => {
    service.close();
    alerts.stop();
    closeStore();
  });

  function change(type: string, at: number): void {
    clock = at;
    ingest(store, [at], { provider: 'timelines', type, phone: SUPPORT, name: 'Support' });
    alerts.afterIngest([type]);
  }

  it("a snoozed incident's next flap is stored but not notified, and notified once the snooze ends", async () => {
    change('whatsapp:account:connected', T0);
    change('whatsapp:account:disconnected', T0 + MIN);
    expect(notified.map((a) => a.kind)).toEqual(['account-down']);
    const incidents = await service.api.listIncidents({ state: 'open' });
    if (!incidents.available) throw new Error('incidents should be available');
    const id = incidents.incidents[0]!.id;
    expect(await service.api.snoozeIncident(id, T0 + HOUR)).toEqual({ ok: true });

    // A flap inside the snooze: recovered and down again, both kept, neither notified; still the same incident.
    change('whatsapp:account:connected', T0 + 5 * MIN);
    change('whatsapp:account:disconnected', T0 + 8 * MIN);
    expect(notified.map((a) => a.kind)).toEqual(['account-down']);
    expect(store.listAlerts({ limit: 2 })).toMatchObject([
      { kind: 'account-down', notify: false, suppressed: 'snoozed' },
      { kind: 'account-recovered', notify: false, suppressed: 'snoozed' },
    ]);
    expect(store.incidents.list({ state: 'all' })).toMatchObject([{ id, flaps: 1, resolvedAt: null, snoozedUntil: T0 + HOUR }]);

    // The snooze is over: the next changes notify again.
    change('whatsapp:account:connected', T0 + 2 * HOUR);
    change('whatsapp:account:disconnected', T0 + 2 * HOUR + 5 * MIN);
    expect(notified.map((a) => a.kind)).toEqual(['account-down', 'account-recovered', 'account-down']);

    // Another subject was never snoozed.
    expect(store.incidents.snoozedSubjects(T0 + 30 * MIN)).toEqual({ [`account:${SUPPORT}`]: T0 + HOUR });
  });
});
