/**
 * Silence detection over a synthetic two-week history: an account busy on weekdays 09:00-18:00
 * UTC and quiet at night and at weekends. The pure decision, and the same history written to and
 * read back from a real SQLite store.
 */
import { describe, expect, it } from 'vitest';
import {
  assessSilence,
  decideSilence,
  DEFAULT_SILENCE_SETTINGS,
  type SilenceInput,
  type SilenceState,
} from '../../main/core/alerts/silence.js';
import { defaultAlertSettings } from '../../main/core/alerts/settings.js';
import { foldAlert, silenceSubjectKey, subjectOf } from '../../main/core/alerts/incidents.js';
import { DAY, HOUR, ingestAt, MIN, officeHistory, tempStore } from '../support/seed.js';

/** Monday 2 November 2026, 00:00 UTC: the history starts here; week 3 starts on the 16th. */
const MONDAY = Date.UTC(2026, 10, 2);
const WEEK3 = MONDAY + 14 * DAY;
const PHONE = '+972501111111';

const alertSettings = () => ({ ...defaultAlertSettings(), timeZone: 'UTC' });

function decide(now: number, events: number[], state: SilenceState = {}, more: Partial<SilenceInput> = {}) {
  return decideSilence({
    now,
    accounts: [{ key: PHONE, provider: 'whatsable', name: 'Sales', phone: PHONE, events }],
    alertSettings: alertSettings(),
    state,
    ...more,
  });
}

describe('silence detection', () => {
  const history = officeHistory(MONDAY, WEEK3 + 9 * HOUR + 5 * MIN);

  it('warns when a busy weekday morning goes quiet for longer than the floor, and recovers', () => {
    const at = WEEK3 + 11 * HOUR + 30 * MIN; // Monday 11:30, last event at about 09:00
    const d = decide(at, history);
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]).toMatchObject({
      kind: 'account-silent',
      severity: 'warning',
      accountKey: PHONE,
      notify: true,
      suppressed: null,
      title: 'Sales (+972501111111) has gone silent',
    });
    expect(d.alerts[0]!.text).toMatch(
      /^No events for 2 h \d+ min; on Mondays at 11:00 it usually has about \d+(\.\d)? events an hour\. Check the number in WhatsAble/,
    );

    // One warning per silence.
    expect(decide(at + 30 * MIN, history, d.nextState).alerts).toEqual([]);
    // It speaks again: a recovery that says how long it was quiet.
    const back = decide(at + 40 * MIN, [...history, at + 35 * MIN], d.nextState);
    expect(back.alerts).toMatchObject([{ kind: 'account-silence-over', severity: 'recovery', notify: true }]);
    expect(back.alerts[0]!.text).toMatch(/^Events again after 3 h \d+ min of silence\.$/);
    expect(back.nextState).toEqual({});
  });

  it('respects the floor: a silence the history finds unlikely but shorter than 2 h is no warning', () => {
    const at = WEEK3 + 10 * HOUR + 45 * MIN;
    const a = assessSilence(history, at, [], DEFAULT_SILENCE_SETTINGS, 'UTC');
    expect(a.chance).toBeLessThan(DEFAULT_SILENCE_SETTINGS.unlikelyBelow);
    expect(a.silentMs).toBeLessThan(2 * HOUR);
    expect(decide(at, history).alerts).toEqual([]);
    // A lower floor from the settings warns.
    expect(decide(at, history, {}, { settings: { floorMs: HOUR } }).alerts).toHaveLength(1);
  });

  it('does not warn about a quiet night or weekend: nothing is expected then', () => {
    const friday = MONDAY + 11 * DAY + 18 * HOUR; // the account stops on Friday 18:00 of week 2
    const weekendHistory = history.filter((t) => t < friday);
    expect(decide(MONDAY + 12 * DAY + 3 * HOUR, weekendHistory).alerts).toEqual([]); // Saturday 03:00
    expect(decide(MONDAY + 13 * DAY + 15 * HOUR, weekendHistory).alerts).toEqual([]); // Sunday 15:00
    // ...but Monday morning without a word is.
    expect(decide(WEEK3 + 11 * HOUR + 15 * MIN, weekendHistory).alerts).toMatchObject([{ kind: 'account-silent' }]);
  });

  it('stays off until it has 7 days of history', () => {
    const short = officeHistory(MONDAY + 8 * DAY, WEEK3 + 9 * HOUR); // Tuesday of week 2 onwards: 6 days
    expect(assessSilence(short, WEEK3 + 12 * HOUR, [], DEFAULT_SILENCE_SETTINGS, 'UTC').status).toBe('learning');
    expect(decide(WEEK3 + 12 * HOUR, short).alerts).toEqual([]);
  });

  it('does not count time when Hookwatch was not receiving as silence', () => {
    const at = WEEK3 + 11 * HOUR + 30 * MIN;
    const offline = [{ start: WEEK3 + 8 * HOUR, end: WEEK3 + 11 * HOUR }];
    expect(decide(at, history, {}, { unobserved: offline }).alerts).toEqual([]);
    expect(assessSilence(history, at, offline, DEFAULT_SILENCE_SETTINGS, 'UTC').silentMs).toBe(30 * MIN);
  });

  it('keeps quiet hours: the warning is kept silently, told once when they end, and its recovery follows it', () => {
    const settings = { ...alertSettings(), quietHours: { enabled: true, start: '11:00', end: '12:00' } };
    const at = WEEK3 + 11 * HOUR + 30 * MIN;
    const held = decide(at, history, {}, { alertSettings: settings });
    expect(held.alerts).toMatchObject([{ kind: 'account-silent', notify: false, suppressed: 'quiet-hours' }]);
    expect(decide(at + 10 * MIN, history, held.nextState, { alertSettings: settings }).alerts).toEqual([]);
    const told = decide(WEEK3 + 12 * HOUR + 5 * MIN, history, held.nextState, { alertSettings: settings });
    expect(told.alerts).toMatchObject([{ kind: 'account-silent', notify: true, suppressed: null }]);
    expect(
      decide(WEEK3 + 12 * HOUR + 20 * MIN, [...history, WEEK3 + 12 * HOUR + 10 * MIN], told.nextState, { alertSettings: settings }).alerts,
    ).toMatchObject([{ kind: 'account-silence-over', notify: true }]);
    // A muted account's warning is kept, not notified.
    const muted = decide(at, history, {}, { alertSettings: { ...alertSettings(), mutedAccounts: [PHONE] } });
    expect(muted.alerts).toMatchObject([{ notify: false, suppressed: 'muted' }]);
  });

  it('learns from events kept in the store (a real SQLite file)', () => {
    const { store, close } = tempStore('hookwatch-silence-');
    try {
      ingestAt(store, history, { provider: 'whatsable', type: 'message:received:new', phone: PHONE });
      const events = store.listEvents({ account: PHONE, limit: 100_000 }).map((e) => e.occurredAt ?? e.receivedAt);
      expect(events).toHaveLength(history.length);
      expect(decide(WEEK3 + 11 * HOUR + 30 * MIN, events).alerts).toMatchObject([{ kind: 'account-silent', accountKey: PHONE }]);
      expect(decide(WEEK3 + 9 * HOUR + 30 * MIN, events).alerts).toEqual([]);
    } finally {
      close();
    }
  });
});

describe('silence detection: slots from the store, snoozed incidents, turned off', () => {
  const history = officeHistory(MONDAY, WEEK3 + 9 * HOUR + 5 * MIN);

  it("decides the same from the store's 5-minute slots (one instant and a count each) as from every event", () => {
    const { store, close } = tempStore('hookwatch-silence-slots-');
    try {
      ingestAt(store, history, { provider: 'whatsable', type: 'message:received:new', phone: PHONE });
      // A test event is not the account's activity.
      ingestAt(store, [WEEK3 + 10 * HOUR], { provider: 'whatsable', type: 'hookwatch:test', phone: PHONE });
      const { rows, lastId } = store.accountActivity(0, MONDAY);
      expect(lastId).toBe(store.maxEventId());
      expect(rows.reduce((n, r) => n + r.count, 0)).toBe(history.length);
      expect(rows.every((r) => r.key === PHONE && r.provider === 'whatsable' && r.slot % (5 * MIN) === 0)).toBe(true);
      expect(store.accountActivity(lastId, MONDAY)).toEqual({ rows: [], lastId });

      const at = WEEK3 + 11 * HOUR + 30 * MIN;
      const fromSlots = decideSilence({
        now: at,
        accounts: [
          {
            key: PHONE,
            provider: 'whatsable',
            name: 'Sales',
            phone: PHONE,
            events: rows.map((r) => r.lastAt),
            counts: rows.map((r) => r.count),
          },
        ],
        alertSettings: alertSettings(),
        state: {},
      });
      expect(fromSlots.alerts).toEqual(decide(at, history).alerts);
      expect(fromSlots.alerts).toMatchObject([{ kind: 'account-silent' }]);
    } finally {
      close();
    }
  });

  it('a snoozed silence incident keeps the warning quiet, and tells it once the snooze ends', () => {
    const at = WEEK3 + 11 * HOUR + 30 * MIN;
    const snoozedSubjects = { [silenceSubjectKey(PHONE)]: at + HOUR };
    const held = decide(at, history, {}, { snoozedSubjects });
    expect(held.alerts).toMatchObject([{ kind: 'account-silent', notify: false, suppressed: 'snoozed' }]);
    // Another account's snooze does not hold this one back.
    expect(decide(at, history, {}, { snoozedSubjects: { [silenceSubjectKey('+15555550100')]: at + HOUR } }).alerts).toMatchObject([
      { notify: true },
    ]);
    expect(decide(at + 30 * MIN, history, held.nextState, { snoozedSubjects }).alerts).toEqual([]);
    expect(decide(at + HOUR + 5 * MIN, history, held.nextState, { snoozedSubjects }).alerts).toMatchObject([
      { kind: 'account-silent', notify: true },
    ]);
  });

  it('turned off with a warning open: a quiet recovery closes it, and nothing more is decided', () => {
    const at = WEEK3 + 11 * HOUR + 30 * MIN;
    const warned = decide(at, history);
    const off = decide(at + 10 * MIN, history, warned.nextState, { settings: { enabled: false } });
    expect(off.alerts).toMatchObject([{ kind: 'account-silence-over', severity: 'recovery', notify: false, suppressed: 'muted' }]);
    expect(off.nextState).toEqual({});
    expect(decide(at + 20 * MIN, history, {}, { settings: { enabled: false } }).alerts).toEqual([]);
  });

  it('a silent number is one incident, apart from its outages: the warning opens it and the recovery resolves it', () => {
    const at = WEEK3 + 11 * HOUR + 30 * MIN;
    const stored = (a: ReturnType<typeof decide>['alerts'][number], id: number) => ({ ...a, id, acknowledgedAt: null });
    const warning = stored(decide(at, history).alerts[0]!, 1);
    expect(subjectOf(warning)).toEqual({ key: `silence:${PHONE}`, kind: 'silence', subject: PHONE });
    expect(subjectOf({ kind: 'account-down', accountKey: PHONE })).toEqual({ key: `account:${PHONE}`, kind: 'account', subject: PHONE });
    const opened = foldAlert(null, warning)!;
    expect(opened).toMatchObject({ action: 'opened', incident: { kind: 'silence', key: `silence:${PHONE}`, severity: 'warning' } });
    const incident = { ...opened.incident, id: 7 };
    const recovery = stored(decide(at + 40 * MIN, [...history, at + 35 * MIN], decide(at, history).nextState).alerts[0]!, 2);
    expect(foldAlert(incident, recovery)).toMatchObject({ action: 'resolved', incident: { id: 7, resolvedAt: at + 40 * MIN, alerts: 2 } });
  });
});
