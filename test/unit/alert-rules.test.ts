import { describe, expect, it } from 'vitest';
import type { AccountState, AccountTransition } from '../../main/core/alerts/account-status.js';
import { formatDuration, inDailyWindow, instantOfLocal, localDateTime } from '../../main/core/local-time.js';
import {
  assignmentSignalFromEvent,
  decideAlerts,
  defaultAlertSettings,
  initialAlertRulesState,
  type Alert,
  type AlertRulesState,
  type AlertSettings,
  type AlertSignal,
} from '../../main/core/alerts/rules.js';
import { AlertSettingsError, parseAlertSettings, snoozeUntil } from '../../main/core/alerts/settings.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Monday 2025-03-03 10:00 UTC: daytime. */
const DAY = Date.UTC(2025, 2, 3, 10, 0, 0);
const A = '+15555550100';
const B = '+15550101234';

function settings(over: Partial<AlertSettings> = {}): AlertSettings {
  return { ...defaultAlertSettings(), timeZone: 'UTC', ...over };
}

const DOWN: AccountState[] = ['disconnected', 'suspended'];

function tr(from: AccountState, to: AccountState, at: number, o: Partial<AccountTransition> = {}): AccountTransition {
  return {
    key: A,
    phone: A,
    accountId: '15555550100@s.whatsapp.net',
    name: 'Acme Support',
    from,
    to,
    at,
    fromSince: null,
    downSince: DOWN.includes(from) ? at - 12 * MIN : null,
    eventId: 42,
    eventType: to === 'connected' ? 'whatsapp:account:connected' : `whatsapp:account:${to}`,
    source: 'event',
    ...o,
  };
}

const account = (t: AccountTransition): AlertSignal => ({ kind: 'account', transition: t });

interface Step {
  now: number;
  signals?: AlertSignal[];
}

/**
 * Runs steps through decideAlerts, threading the state through JSON (as the store will persist
 * it), and returns every alert with the step it came from.
 */
function run(steps: Step[], s: AlertSettings = settings(), state: AlertRulesState = initialAlertRulesState()) {
  const alerts: Array<Alert & { step: number }> = [];
  const wakes: Array<number | null> = [];
  let st = state;
  steps.forEach((step, i) => {
    const d = decideAlerts({ now: step.now, settings: s, state: st, signals: step.signals ?? [] });
    alerts.push(...d.alerts.map((a) => ({ ...a, step: i })));
    wakes.push(d.wakeAt);
    st = JSON.parse(JSON.stringify(d.nextState)) as AlertRulesState;
  });
  return { alerts, wakes, state: st };
}

/** Compact view: kind/notify-or-reason[/count]. */
function brief(a: Alert): string {
  return `${a.kind}/${a.notify ? 'notify' : a.suppressed}${a.count !== undefined ? `/${a.count}` : ''}`;
}

describe('account alerts', () => {
  interface Case {
    name: string;
    t: AccountTransition;
    severity: Alert['severity'] | null;
    kind?: Alert['kind'];
    title?: RegExp;
    text?: RegExp;
  }
  const cases: Case[] = [
    {
      name: 'connected -> disconnected: critical',
      t: tr('connected', 'disconnected', DAY),
      severity: 'critical',
      kind: 'account-down',
      title: /^Account disconnected: Acme Support$/,
      text: /Acme Support \(\+15555550100\) is disconnected from TimelinesAI.*reconnected/,
    },
    {
      name: 'connected -> suspended: critical, says why a suspension happens',
      t: tr('connected', 'suspended', DAY),
      severity: 'critical',
      kind: 'account-down',
      title: /^Account suspended/,
      text: /syncing .* is suspended, usually because the TimelinesAI subscription was cancelled or downgraded/,
    },
    {
      name: 'unknown -> disconnected (first sight): critical',
      t: tr('unknown', 'disconnected', DAY),
      severity: 'critical',
      kind: 'account-down',
    },
    {
      name: 'disconnected -> suspended: still critical, with the outage so far',
      t: tr('disconnected', 'suspended', DAY),
      severity: 'critical',
      kind: 'account-down',
      text: /down for 12 min \(was disconnected\)/,
    },
    {
      name: 'WABA disabled',
      t: tr('connected', 'suspended', DAY, { eventType: 'waba:account:disabled' }),
      severity: 'critical',
      text: /WhatsApp Business number .* was disabled; it stays in the workspace/,
    },
    {
      name: 'WABA disconnected (removed)',
      t: tr('connected', 'disconnected', DAY, { eventType: 'waba:account:disconnected' }),
      severity: 'critical',
      text: /was removed from the workspace/,
    },
    {
      name: 'found by the API check',
      t: tr('connected', 'disconnected', DAY, { source: 'api', eventType: 'api:whatsapp_accounts', eventId: null }),
      severity: 'critical',
      text: /per TimelinesAI's account list \(the webhook event was missed/,
    },
    {
      name: 'disconnected -> connected: recovery with how long it was down',
      t: tr('disconnected', 'connected', DAY, { downSince: DAY - 75 * MIN }),
      severity: 'recovery',
      kind: 'account-recovered',
      title: /^Account connected again: Acme Support$/,
      text: /is connected again after 1 h 15 min down \(was disconnected\)\.$/,
    },
    {
      name: 'suspended -> connected (resumed): recovery',
      t: tr('suspended', 'connected', DAY, { downSince: DAY - 40 * 1000, eventType: 'whatsapp:account:resumed' }),
      severity: 'recovery',
      text: /after 40 s down \(was suspended\)/,
    },
    { name: 'unknown -> connected (first sight): nothing', t: tr('unknown', 'connected', DAY), severity: null },
    {
      name: 'an account without a phone is named by its key',
      t: tr('connected', 'disconnected', DAY, { key: 'waba:4821', phone: null, name: null }),
      severity: 'critical',
      title: /: waba:4821$/,
    },
  ];
  it.each(cases)('$name', (c) => {
    const { alerts } = run([{ now: DAY, signals: [account(c.t)] }]);
    if (c.severity === null) {
      expect(alerts).toEqual([]);
      return;
    }
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ at: DAY, severity: c.severity, notify: true, suppressed: null, accountKey: c.t.key });
    if (c.t.phone) expect(a.accountPhone).toBe(c.t.phone);
    else expect(a.accountPhone).toBeUndefined();
    if (c.t.eventId !== null) expect(a.eventId).toBe(c.t.eventId);
    else expect(a.eventId).toBeUndefined();
    if (c.kind) expect(a.kind).toBe(c.kind);
    if (c.title) expect(a.title).toMatch(c.title);
    if (c.text) expect(a.text).toMatch(c.text);
  });
});

describe('flapping: one alert with a count, not ten', () => {
  /** Alternating down/up transitions of account A, `gapMs` apart, starting at `start`. */
  function flaps(start: number, n: number, gapMs: number, first: 'down' | 'up' = 'down'): Step[] {
    return Array.from({ length: n }, (_, i) => {
      const down = (i % 2 === 0) === (first === 'down');
      const at = start + i * gapMs;
      return {
        now: at,
        signals: [
          account(
            down ? tr('connected', 'disconnected', at, { eventId: 100 + i }) : tr('disconnected', 'connected', at, { eventId: 100 + i }),
          ),
        ],
      };
    });
  }
  interface Case {
    name: string;
    steps: Step[];
    settings?: Partial<AlertSettings>;
    /** brief() of every alert, in order */
    expected: string[];
  }
  const cases: Case[] = [
    {
      name: 'a blip (down, back 30 s later) gives its two alerts and no summary',
      steps: [...flaps(DAY, 2, 30_000), { now: DAY + 10 * MIN }, { now: DAY + 30 * MIN }],
      expected: ['account-down/notify', 'account-recovered/notify'],
    },
    {
      name: 'ten changes in five minutes: down, recovered, eight folded, ONE summary at the window end',
      steps: [...flaps(DAY, 10, 30_000), { now: DAY + 10 * MIN }],
      expected: [
        'account-down/notify',
        'account-recovered/notify',
        'account-down/folded/3',
        'account-recovered/folded/4',
        'account-down/folded/5',
        'account-recovered/folded/6',
        'account-down/folded/7',
        'account-recovered/folded/8',
        'account-down/folded/9',
        'account-recovered/folded/10',
        'account-flapping/notify/10',
      ],
    },
    {
      name: 'the summary is due on the next call after the window end, whatever that call brings',
      steps: [...flaps(DAY, 3, MIN), { now: DAY + 11 * MIN, signals: [account(tr('disconnected', 'connected', DAY + 11 * MIN))] }],
      expected: [
        'account-down/notify',
        'account-recovered/notify',
        'account-down/folded/3',
        'account-flapping/notify/3',
        'account-recovered/folded/1',
      ],
    },
    {
      name: 'flapping for half an hour: one summary per window, each with the changes it covers',
      steps: [...flaps(DAY, 30, MIN), { now: DAY + 30 * MIN }, { now: DAY + 40 * MIN }, { now: DAY + 50 * MIN }],
      // Windows: [0,10) released 2 + folded 8 -> summary 10 at 10:00. Summary-only windows from
      // each summary: [10,20) 10 changes, [20,30) 10 changes; then [30,40) none -> calm.
      expected: [
        'account-down/notify',
        'account-recovered/notify',
        ...Array.from({ length: 8 }, (_, i) => `${i % 2 ? 'account-recovered' : 'account-down'}/folded/${i + 3}`),
        'account-flapping/notify/10',
        ...Array.from({ length: 10 }, (_, i) => `${i % 2 ? 'account-recovered' : 'account-down'}/folded/${i + 1}`),
        'account-flapping/notify/10',
        ...Array.from({ length: 10 }, (_, i) => `${i % 2 ? 'account-recovered' : 'account-down'}/folded/${i + 1}`),
        'account-flapping/notify/10',
      ],
    },
    {
      name: 'after a calm window, a new outage alerts at once again',
      steps: [...flaps(DAY, 2, MIN), { now: DAY + 15 * MIN }, ...flaps(DAY + 20 * MIN, 1, MIN)],
      expected: ['account-down/notify', 'account-recovered/notify', 'account-down/notify'],
    },
    {
      name: 'flapWindowMinutes 0 turns folding off',
      settings: { flapWindowMinutes: 0 },
      steps: flaps(DAY, 4, 30_000),
      expected: ['account-down/notify', 'account-recovered/notify', 'account-down/notify', 'account-recovered/notify'],
    },
    {
      name: 'a shorter window (2 min) folds less',
      settings: { flapWindowMinutes: 2 },
      steps: flaps(DAY, 6, MIN),
      // 0:down 1:up (released) 2:window ended, summary-less -> new window: 2:down 3:up 4:new window...
      expected: [
        'account-down/notify',
        'account-recovered/notify',
        'account-down/notify',
        'account-recovered/notify',
        'account-down/notify',
        'account-recovered/notify',
      ],
    },
  ];
  it.each(cases)('$name', (c) => {
    const { alerts } = run(c.steps, settings(c.settings));
    expect(alerts.map(brief)).toEqual(c.expected);
  });

  it('the summary says how often and where the account ended, is critical when down, and links the last event', () => {
    const { alerts } = run([...flaps(DAY, 5, MIN), { now: DAY + 10 * MIN }]);
    const summary = alerts.at(-1)!;
    expect(summary).toMatchObject({
      kind: 'account-flapping',
      severity: 'critical',
      count: 5,
      eventId: 104,
      accountPhone: A,
      title: 'Account flapping: Acme Support',
    });
    expect(summary.text).toBe('Acme Support (+15555550100) changed state 5 times in 10 min. Now disconnected, down for 6 min.');
  });

  it('a summary of an account that ended connected is a warning', () => {
    const { alerts } = run([...flaps(DAY, 4, MIN), { now: DAY + 10 * MIN }]);
    expect(alerts.at(-1)).toMatchObject({ kind: 'account-flapping', severity: 'warning', count: 4 });
    expect(alerts.at(-1)!.text).toMatch(/Now connected \(for 7 min\)\.$/);
  });

  it('wakeAt asks to be called at the window end, and nothing is pending once calm', () => {
    const { wakes } = run([...flaps(DAY, 3, MIN), { now: DAY + 10 * MIN }, { now: DAY + 20 * MIN }]);
    expect(wakes).toEqual([DAY + 10 * MIN, DAY + 10 * MIN, DAY + 10 * MIN, DAY + 20 * MIN, null]);
  });

  it('two accounts flap independently', () => {
    const b = (from: AccountState, to: AccountState, at: number) => account(tr(from, to, at, { key: B, phone: B, name: 'Beta' }));
    const { alerts } = run([
      ...flaps(DAY, 3, MIN),
      { now: DAY + 3 * MIN, signals: [b('connected', 'disconnected', DAY + 3 * MIN)] },
      { now: DAY + 10 * MIN },
    ]);
    expect(alerts.map((a) => `${a.accountPhone} ${brief(a)}`)).toEqual([
      `${A} account-down/notify`,
      `${A} account-recovered/notify`,
      `${A} account-down/folded/3`,
      `${B} account-down/notify`,
      `${A} account-flapping/notify/3`,
    ]);
  });
});

describe('quiet hours', () => {
  const at = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h, mi);
  interface Case {
    name: string;
    now: number;
    quiet: { start: string; end: string; enabled?: boolean };
    timeZone?: string;
    breakThrough?: boolean;
    t: AccountTransition;
    expected: string;
  }
  const down = (now: number) => tr('connected', 'disconnected', now);
  const up = (now: number) => tr('disconnected', 'connected', now);
  const night = { start: '22:00', end: '07:00' };
  const cases: Case[] = [
    {
      name: '23:30 inside 22:00-07:00 (before midnight)',
      now: at(2025, 3, 3, 23, 30),
      quiet: night,
      t: up(at(2025, 3, 3, 23, 30)),
      expected: 'account-recovered/quiet-hours',
    },
    {
      name: '03:00 inside 22:00-07:00 (after midnight)',
      now: at(2025, 3, 4, 3, 0),
      quiet: night,
      t: up(at(2025, 3, 4, 3, 0)),
      expected: 'account-recovered/quiet-hours',
    },
    {
      name: '06:59 still quiet',
      now: at(2025, 3, 4, 6, 59),
      quiet: night,
      t: up(at(2025, 3, 4, 6, 59)),
      expected: 'account-recovered/quiet-hours',
    },
    {
      name: '07:00 is the end: not quiet',
      now: at(2025, 3, 4, 7, 0),
      quiet: night,
      t: up(at(2025, 3, 4, 7, 0)),
      expected: 'account-recovered/notify',
    },
    {
      name: '21:59 not yet quiet',
      now: at(2025, 3, 3, 21, 59),
      quiet: night,
      t: up(at(2025, 3, 3, 21, 59)),
      expected: 'account-recovered/notify',
    },
    {
      name: '22:00 is the start: quiet',
      now: at(2025, 3, 3, 22, 0),
      quiet: night,
      t: up(at(2025, 3, 3, 22, 0)),
      expected: 'account-recovered/quiet-hours',
    },
    {
      name: 'disabled quiet hours: never quiet',
      now: at(2025, 3, 4, 3, 0),
      quiet: { ...night, enabled: false },
      t: up(at(2025, 3, 4, 3, 0)),
      expected: 'account-recovered/notify',
    },
    {
      name: 'a daytime window 13:00-14:00 at 13:30',
      now: at(2025, 3, 3, 13, 30),
      quiet: { start: '13:00', end: '14:00' },
      t: up(at(2025, 3, 3, 13, 30)),
      expected: 'account-recovered/quiet-hours',
    },
    {
      name: 'a daytime window 13:00-14:00 at 23:30',
      now: at(2025, 3, 3, 23, 30),
      quiet: { start: '13:00', end: '14:00' },
      t: up(at(2025, 3, 3, 23, 30)),
      expected: 'account-recovered/notify',
    },
    {
      name: 'start == end is an empty window',
      now: at(2025, 3, 3, 22, 0),
      quiet: { start: '22:00', end: '22:00' },
      t: up(at(2025, 3, 3, 22, 0)),
      expected: 'account-recovered/notify',
    },
    {
      name: 'a critical alert breaks through (default)',
      now: at(2025, 3, 4, 3, 0),
      quiet: night,
      t: down(at(2025, 3, 4, 3, 0)),
      expected: 'account-down/notify',
    },
    {
      name: 'a critical alert held back when breakthrough is off',
      now: at(2025, 3, 4, 3, 0),
      quiet: night,
      breakThrough: false,
      t: down(at(2025, 3, 4, 3, 0)),
      expected: 'account-down/quiet-hours',
    },
    // 21:30 UTC is 22:30 in Berlin (CET, UTC+1 in March before the switch).
    {
      name: 'local time of the configured zone: 21:30 UTC is 22:30 in Berlin',
      now: at(2025, 3, 3, 21, 30),
      quiet: night,
      timeZone: 'Europe/Berlin',
      t: up(at(2025, 3, 3, 21, 30)),
      expected: 'account-recovered/quiet-hours',
    },
    {
      name: '06:30 UTC is 07:30 in Berlin: over',
      now: at(2025, 3, 4, 6, 30),
      quiet: night,
      timeZone: 'Europe/Berlin',
      t: up(at(2025, 3, 4, 6, 30)),
      expected: 'account-recovered/notify',
    },
    // After the switch to summer time (30 March 2025), Berlin is UTC+2: 05:30 UTC is 07:30.
    {
      name: 'summer time is followed: 05:30 UTC on 31 March is 07:30 in Berlin',
      now: at(2025, 3, 31, 5, 30),
      quiet: night,
      timeZone: 'Europe/Berlin',
      t: up(at(2025, 3, 31, 5, 30)),
      expected: 'account-recovered/notify',
    },
    {
      name: 'New York, 02:00 UTC is 21:00 EST: not quiet',
      now: at(2025, 1, 15, 2, 0),
      quiet: night,
      timeZone: 'America/New_York',
      t: up(at(2025, 1, 15, 2, 0)),
      expected: 'account-recovered/notify',
    },
  ];
  it.each(cases)('$name -> $expected', (c) => {
    const s = settings({
      quietHours: { enabled: c.quiet.enabled ?? true, start: c.quiet.start, end: c.quiet.end },
      timeZone: c.timeZone ?? 'UTC',
      criticalBreaksQuietHours: c.breakThrough ?? true,
    });
    const { alerts } = run([{ now: c.now, signals: [account(c.t)] }], s, initialAlertRulesState());
    expect(alerts.map(brief)).toEqual([c.expected]);
  });

  const quietNight = settings({ quietHours: { enabled: true, ...night } });
  it('the recovery of an outage whose critical alert broke through quiet hours also notifies', () => {
    const t1 = at(2025, 3, 4, 2, 0);
    const t2 = at(2025, 3, 4, 2, 40);
    const { alerts } = run(
      [
        { now: t1, signals: [account(tr('connected', 'disconnected', t1))] },
        { now: t2, signals: [account(tr('disconnected', 'connected', t2))] },
      ],
      quietNight,
    );
    expect(alerts.map(brief)).toEqual(['account-down/notify', 'account-recovered/notify']);
  });

  it('the recovery of an outage alerted during the day waits for the morning', () => {
    const t1 = at(2025, 3, 3, 18, 0);
    const t2 = at(2025, 3, 4, 2, 40);
    const { alerts } = run(
      [
        { now: t1, signals: [account(tr('connected', 'disconnected', t1))] },
        { now: t2, signals: [account(tr('disconnected', 'connected', t2))] },
      ],
      quietNight,
    );
    expect(alerts.map(brief)).toEqual(['account-down/notify', 'account-recovered/quiet-hours']);
  });

  it('info and warning alerts stay quiet at night', () => {
    const t = at(2025, 3, 4, 2, 0);
    const { alerts } = run(
      [
        { now: t, signals: [{ kind: 'tunnel', state: 'down', at: t }, assignment('assigned', { email: 'me@example.com' })] },
        { now: t + 2 * MIN },
      ],
      { ...quietNight, myEmail: 'me@example.com' },
    );
    expect(alerts.map(brief)).toEqual(['chat-assigned/quiet-hours', 'tunnel-down/quiet-hours']);
  });

  it('the daily window helper, at the edges', () => {
    const table: Array<[number, number, number, boolean]> = [
      [0, 22 * 60, 7 * 60, true],
      [7 * 60 - 1, 22 * 60, 7 * 60, true],
      [7 * 60, 22 * 60, 7 * 60, false],
      [22 * 60 - 1, 22 * 60, 7 * 60, false],
      [1439, 22 * 60, 7 * 60, true],
      [600, 600, 600, false],
      [13 * 60, 13 * 60, 14 * 60, true],
      [14 * 60, 13 * 60, 14 * 60, false],
    ];
    for (const [minute, start, end, inside] of table)
      expect(inDailyWindow(minute, start, end), `${minute} in ${start}-${end}`).toBe(inside);
  });
});

function assignment(
  action: 'assigned' | 'unassigned',
  responsible: { email: string; name?: string } | null,
  previous: { email: string; name?: string } | null = null,
): AlertSignal {
  return {
    kind: 'assignment',
    action,
    eventId: 7,
    chatId: '4811201',
    chatName: 'Sam Customer',
    accountPhone: A,
    responsible: responsible ? { name: responsible.name ?? null, email: responsible.email } : null,
    previous: previous ? { name: previous.name ?? null, email: previous.email } : null,
  };
}

describe('snooze and mute', () => {
  const down = account(tr('connected', 'disconnected', DAY));
  const table: Array<{ name: string; s: Partial<AlertSettings>; expected: string }> = [
    { name: 'snoozed: even a critical alert is held back', s: { snoozedUntil: DAY + HOUR }, expected: 'account-down/snoozed' },
    { name: 'the snooze ended exactly now', s: { snoozedUntil: DAY }, expected: 'account-down/notify' },
    { name: 'a snooze in the past does nothing', s: { snoozedUntil: DAY - HOUR }, expected: 'account-down/notify' },
    { name: 'the account is muted', s: { mutedAccounts: [A] }, expected: 'account-down/muted' },
    { name: 'muted under another spelling of its number', s: { mutedAccounts: ['+1 (555) 555-0100'] }, expected: 'account-down/muted' },
    { name: 'another account is muted', s: { mutedAccounts: [B] }, expected: 'account-down/notify' },
    {
      name: 'muted wins over snoozed (the more specific reason)',
      s: { mutedAccounts: [A], snoozedUntil: DAY + HOUR },
      expected: 'account-down/muted',
    },
    {
      name: 'snoozed wins over quiet hours',
      s: { snoozedUntil: DAY + HOUR, quietHours: { enabled: true, start: '09:00', end: '11:00' }, criticalBreaksQuietHours: false },
      expected: 'account-down/snoozed',
    },
  ];
  it.each(table)('$name', (c) => {
    const { alerts } = run([{ now: DAY, signals: [down] }], settings(c.s));
    expect(alerts.map(brief)).toEqual([c.expected]);
  });

  it('a muted account still counts for flapping, and its folded alerts say muted', () => {
    const s = settings({ mutedAccounts: [A] });
    const steps: Step[] = Array.from({ length: 3 }, (_, i) => ({
      now: DAY + i * MIN,
      signals: [account(i % 2 ? tr('disconnected', 'connected', DAY + i * MIN) : tr('connected', 'disconnected', DAY + i * MIN))],
    }));
    const { alerts } = run([...steps, { now: DAY + 10 * MIN }], s);
    expect(alerts.map(brief)).toEqual([
      'account-down/muted',
      'account-recovered/muted',
      'account-down/muted/3',
      'account-flapping/muted/3',
    ]);
  });

  const snoozeTable: Array<[string, number, '1h' | '4h' | '8h' | 'tomorrow', string | null, number]> = [
    ['1 hour', DAY, '1h', 'UTC', DAY + HOUR],
    ['4 hours', DAY, '4h', 'UTC', DAY + 4 * HOUR],
    ['8 hours', DAY, '8h', 'UTC', DAY + 8 * HOUR],
    ['until tomorrow 08:00 (UTC), from a Monday evening', Date.UTC(2025, 2, 3, 19, 0), 'tomorrow', 'UTC', Date.UTC(2025, 2, 4, 8, 0)],
    ['until tomorrow, across a month end', Date.UTC(2025, 2, 31, 19, 0), 'tomorrow', 'UTC', Date.UTC(2025, 3, 1, 8, 0)],
    [
      'until tomorrow 08:00 Berlin (07:00 UTC in winter)',
      Date.UTC(2025, 2, 3, 19, 0),
      'tomorrow',
      'Europe/Berlin',
      Date.UTC(2025, 2, 4, 7, 0),
    ],
    [
      'until tomorrow over the switch to summer time: 08:00 CEST is 06:00 UTC',
      Date.UTC(2025, 2, 29, 20, 0),
      'tomorrow',
      'Europe/Berlin',
      Date.UTC(2025, 2, 30, 6, 0),
    ],
    [
      'until tomorrow from 23:30 UTC, which is already tomorrow in Berlin',
      Date.UTC(2025, 2, 3, 23, 30),
      'tomorrow',
      'Europe/Berlin',
      Date.UTC(2025, 2, 5, 7, 0),
    ],
  ];
  it.each(snoozeTable)('snoozeUntil: %s', (_name, now, choice, timeZone, expected) => {
    expect(snoozeUntil(now, choice, { timeZone, snoozeTomorrowAt: '08:00' })).toBe(expected);
  });
});

describe('chat assignments: all, mine, none', () => {
  const ME = 'me@example.com';
  const OTHER = 'alex.agent@example.com';
  interface Case {
    setting: AlertSettings['assignmentAlerts'];
    what: string;
    signal: AlertSignal;
    title: string | null;
  }
  const assignedToMe = assignment('assigned', { email: 'ME@Example.com', name: 'Me' }, { email: OTHER });
  const takenFromMe = assignment('assigned', { email: OTHER, name: 'Alex Agent' }, { email: ME });
  const assignedToOther = assignment('assigned', { email: OTHER, name: 'Alex Agent' }, { email: 'jordan@example.com', name: 'Jordan' });
  const unassignedFromMe = assignment('unassigned', null, { email: ME });
  const unassignedFromOther = assignment('unassigned', null, { email: OTHER, name: 'Alex Agent' });
  const cases: Case[] = [
    { setting: 'mine', what: 'assigned to me (e-mail in another case)', signal: assignedToMe, title: 'Chat assigned to you: Sam Customer' },
    { setting: 'mine', what: 'taken from me', signal: takenFromMe, title: 'Chat taken from you: Sam Customer' },
    { setting: 'mine', what: 'unassigned from me', signal: unassignedFromMe, title: 'Chat unassigned from you: Sam Customer' },
    { setting: 'mine', what: 'assigned to someone else', signal: assignedToOther, title: null },
    { setting: 'mine', what: 'unassigned from someone else', signal: unassignedFromOther, title: null },
    { setting: 'all', what: 'assigned to someone else', signal: assignedToOther, title: 'Chat assigned: Sam Customer' },
    { setting: 'all', what: 'unassigned from someone else', signal: unassignedFromOther, title: 'Chat unassigned: Sam Customer' },
    { setting: 'all', what: 'assigned to me', signal: assignedToMe, title: 'Chat assigned to you: Sam Customer' },
    { setting: 'none', what: 'assigned to me', signal: assignedToMe, title: null },
    { setting: 'none', what: 'unassigned from me', signal: unassignedFromMe, title: null },
  ];
  it.each(cases)('$setting: $what', (c) => {
    const { alerts } = run([{ now: DAY, signals: [c.signal] }], settings({ assignmentAlerts: c.setting, myEmail: ME }));
    if (c.title === null) {
      expect(alerts).toEqual([]);
      return;
    }
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'info', title: c.title, chatId: '4811201', eventId: 7, accountPhone: A, notify: true });
  });

  it('"mine" with no e-mail set matches nothing', () => {
    const { alerts } = run(
      [{ now: DAY, signals: [assignedToMe, unassignedFromMe] }],
      settings({ assignmentAlerts: 'mine', myEmail: null }),
    );
    expect(alerts).toEqual([]);
  });

  it('texts name the people involved', () => {
    const { alerts } = run([{ now: DAY, signals: [assignedToOther, unassignedFromOther] }], settings({ assignmentAlerts: 'all' }));
    expect(alerts.map((a) => a.text)).toEqual([
      'Sam Customer was assigned to Alex Agent <alex.agent@example.com> (before: Jordan <jordan@example.com>).',
      'Sam Customer is no longer assigned to Alex Agent <alex.agent@example.com>.',
    ]);
  });

  it('signals from stored events (TimelinesAI and WABA), none from other events', () => {
    const base = { id: 5, accountPhone: A, chatId: '1', chatName: 'Sam' };
    expect(
      assignmentSignalFromEvent({
        ...base,
        type: 'chat:responsible:assigned',
        details: { responsible: { name: 'Alex', email: OTHER }, previousResponsible: { name: null, email: ME } },
      }),
    ).toEqual({
      kind: 'assignment',
      action: 'assigned',
      eventId: 5,
      chatId: '1',
      chatName: 'Sam',
      accountPhone: A,
      responsible: { name: 'Alex', email: OTHER },
      previous: { name: null, email: ME },
    });
    expect(
      assignmentSignalFromEvent({ ...base, type: 'chat:responsible:unassigned', details: { previousResponsible: { email: ME } } }),
    ).toMatchObject({
      action: 'unassigned',
      responsible: null,
      previous: { name: null, email: ME },
    });
    expect(
      assignmentSignalFromEvent({ ...base, type: 'waba:chat:assigned', details: { responsible: { name: 'Alex', email: OTHER } } }),
    ).toMatchObject({ action: 'assigned' });
    expect(assignmentSignalFromEvent({ ...base, type: 'message:new', details: {} })).toBeNull();
  });
});

describe('tunnel', () => {
  const T = DAY;
  const tunnel = (state: 'up' | 'down' | 'paused', at: number): AlertSignal => ({ kind: 'tunnel', state, at });
  interface Case {
    name: string;
    steps: Step[];
    expected: string[];
    text?: RegExp;
  }
  const cases: Case[] = [
    { name: 'down 59 s: nothing', steps: [{ now: T, signals: [tunnel('down', T)] }, { now: T + 59_000 }], expected: [] },
    {
      name: 'down exactly 60 s: not "more than a minute" yet',
      steps: [{ now: T, signals: [tunnel('down', T)] }, { now: T + 60_000 }],
      expected: [],
    },
    {
      name: 'down 61 s: a warning that events are being lost',
      steps: [{ now: T, signals: [tunnel('down', T)] }, { now: T + 61_000 }],
      expected: ['tunnel-down/notify'],
      text: /down for 1 min\. Providers cannot reach Hookwatch.*lost/,
    },
    {
      name: 'down 30 s then up: nothing',
      steps: [{ now: T, signals: [tunnel('down', T)] }, { now: T + 30_000, signals: [tunnel('up', T + 30_000)] }, { now: T + 5 * MIN }],
      expected: [],
    },
    {
      name: 'warned, then up: a recovery with the duration',
      steps: [{ now: T, signals: [tunnel('down', T)] }, { now: T + 61_000 }, { now: T + 5 * MIN, signals: [tunnel('up', T + 5 * MIN)] }],
      expected: ['tunnel-down/notify', 'tunnel-recovered/notify'],
      text: /back after 5 min down/,
    },
    {
      name: 'repeated "down" reports keep the first time and warn once',
      steps: [
        { now: T, signals: [tunnel('down', T)] },
        { now: T + 40_000, signals: [tunnel('down', T + 40_000)] },
        { now: T + 70_000 },
        { now: T + 5 * MIN },
      ],
      expected: ['tunnel-down/notify'],
    },
    {
      name: 'up after 3 min with no call in between: ONE "was down" warning, not down-then-back',
      steps: [
        { now: T, signals: [tunnel('down', T)] },
        { now: T + 3 * MIN, signals: [tunnel('up', T + 3 * MIN)] },
      ],
      expected: ['tunnel-down/notify'],
      text: /was down for 3 min and is back now/,
    },
    {
      name: 'paused by the user: no warning, however long',
      steps: [{ now: T, signals: [tunnel('paused', T)] }, { now: T + HOUR }, { now: T + 2 * HOUR, signals: [tunnel('up', T + 2 * HOUR)] }],
      expected: [],
    },
    {
      name: 'down reported late (the supervisor noticed after 2 min): warns in the same call',
      steps: [{ now: T + 2 * MIN, signals: [tunnel('down', T)] }],
      expected: ['tunnel-down/notify'],
    },
  ];
  it.each(cases)('$name', (c) => {
    const { alerts } = run(c.steps);
    expect(alerts.map(brief)).toEqual(c.expected);
    if (c.text) expect(alerts.at(-1)!.text).toMatch(c.text);
    for (const a of alerts) expect(a.severity).toBe(a.kind === 'tunnel-recovered' ? 'recovery' : 'warning');
  });

  it('wakeAt is the first instant past the grace, then nothing', () => {
    const { wakes } = run([{ now: T, signals: [tunnel('down', T)] }, { now: T + 61_000 }]);
    expect(wakes).toEqual([T + 60_001, null]);
  });

  it('the grace is a setting', () => {
    const { alerts } = run([{ now: T, signals: [tunnel('down', T)] }, { now: T + 20_000 }], settings({ tunnelDownGraceSeconds: 15 }));
    expect(alerts.map(brief)).toEqual(['tunnel-down/notify']);
  });
});

describe('webhook errors_counter', () => {
  const poll = (now: number, counters: Record<string, number>): Step => ({
    now,
    signals: [
      {
        kind: 'webhook-errors',
        provider: 'timelines',
        webhooks: Object.entries(counters).map(([id, errorsCounter]) => ({
          id,
          eventType: id === '1' ? 'message:new' : 'whatsapp:account:disconnected',
          errorsCounter,
        })),
      },
    ],
  });
  interface Case {
    name: string;
    counters: Array<Record<string, number>>;
    expected: string[];
  }
  const cases: Case[] = [
    { name: 'zero and staying zero: nothing', counters: [{ 1: 0 }, { 1: 0 }], expected: [] },
    {
      name: 'not rising (3, 3): only the first look warns',
      counters: [{ 1: 3 }, { 1: 3 }, { 1: 3 }],
      expected: ['webhook-errors/notify/3'],
    },
    { name: 'rising from 0: a warning', counters: [{ 1: 0 }, { 1: 2 }], expected: ['webhook-errors/notify/2'] },
    {
      name: 'rising further in the same streak: kept, folded',
      counters: [{ 1: 0 }, { 1: 2 }, { 1: 5 }, { 1: 5 }],
      expected: ['webhook-errors/notify/2', 'webhook-errors/folded/5'],
    },
    {
      name: 'back to 0 ends the streak; rising again warns again',
      counters: [{ 1: 0 }, { 1: 2 }, { 1: 0 }, { 1: 1 }],
      expected: ['webhook-errors/notify/2', 'webhook-errors/notify/1'],
    },
    {
      name: 'a drop that is not to 0 means a delivery got through: a new streak',
      counters: [{ 1: 0 }, { 1: 6 }, { 1: 2 }],
      expected: ['webhook-errors/notify/6', 'webhook-errors/notify/2'],
    },
    {
      name: 'two webhooks are tracked apart',
      counters: [
        { 1: 0, 2: 0 },
        { 1: 1, 2: 0 },
        { 1: 1, 2: 4 },
      ],
      expected: ['webhook-errors/notify/1', 'webhook-errors/notify/4'],
    },
    {
      name: 'a deleted webhook is forgotten; re-created failing, it warns',
      counters: [{ 1: 0, 2: 3 }, { 1: 0 }, { 1: 0, 2: 3 }],
      expected: ['webhook-errors/notify/3', 'webhook-errors/notify/3'],
    },
  ];
  it.each(cases)('$name', (c) => {
    const { alerts } = run(c.counters.map((k, i) => poll(DAY + i * 5 * MIN, k)));
    expect(alerts.map(brief)).toEqual(c.expected);
    for (const a of alerts) expect(a.severity).toBe('warning');
  });

  it('names the webhook by event type and id, never its URL (the URL holds the secret)', () => {
    const { alerts } = run([poll(DAY, { 1: 0 }), poll(DAY + MIN, { 1: 2 })]);
    expect(alerts[0]!.title).toBe('Webhook failing: message:new');
    expect(alerts[0]!.text).toBe(
      'The TimelinesAI webhook for message:new (id 1) had failed 2 deliveries in a row (was 0). Events whose delivery attempts all fail are lost; the provider does not disable the webhook.',
    );
  });
});

describe('formatDuration', () => {
  const table: Array<[number, string]> = [
    [0, '0 s'],
    [999, '0 s'],
    [45_000, '45 s'],
    [60_000, '1 min'],
    [12 * MIN + 59_000, '12 min'],
    [HOUR, '1 h'],
    [HOUR + 5 * MIN, '1 h 5 min'],
    [26 * HOUR, '1 d 2 h'],
    [48 * HOUR + 30 * MIN, '2 d'],
    [-5_000, '0 s'],
  ];
  it.each(table)('%d ms -> %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('local time', () => {
  it('instantOfLocal inverts localDateTime, including across DST', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
      for (let t = Date.UTC(2025, 2, 1); t < Date.UTC(2025, 3, 15); t += 7 * HOUR + 13 * MIN) {
        const l = localDateTime(t, zone);
        expect(instantOfLocal(l, zone), `${zone} ${new Date(t).toISOString()}`).toBe(Math.floor(t / 1000) * 1000);
      }
    }
  });
});

describe('settings', () => {
  // Issue 11 changed the assignment default: "only mine" with no e-mail announced nothing, and nothing said why.
  it('settings saved before the question: the old silent default reads as all, a real choice as answered', () => {
    expect(parseAlertSettings({ assignmentAlerts: 'mine', myEmail: null })).toMatchObject({
      assignmentAlerts: 'all',
      assignmentsAnswered: false,
    });
    expect(parseAlertSettings({ assignmentAlerts: 'mine', myEmail: 'me@example.com' })).toMatchObject({
      assignmentAlerts: 'mine',
      assignmentsAnswered: true,
    });
    expect(parseAlertSettings({ assignmentAlerts: 'none' })).toMatchObject({ assignmentAlerts: 'none', assignmentsAnswered: true });
    expect(parseAlertSettings({ assignmentAlerts: 'mine', assignmentsAnswered: true })).toMatchObject({ assignmentAlerts: 'mine' });
  });

  it('defaults: every assignment until answered, 10-minute flap window, critical breaks through, 60 s tunnel grace, silence alerts on with a 2 h floor', () => {
    expect(parseAlertSettings(undefined)).toEqual({
      assignmentAlerts: 'all',
      assignmentsAnswered: false,
      myEmail: null,
      flapWindowMinutes: 10,
      quietHours: { enabled: false, start: '22:00', end: '07:00' },
      criticalBreaksQuietHours: true,
      timeZone: null,
      mutedAccounts: [],
      snoozedUntil: null,
      snoozeTomorrowAt: '08:00',
      tunnelDownGraceSeconds: 60,
      silenceAlerts: true,
      silenceFloorMinutes: 120,
    });
  });

  it('a partial object keeps the other defaults, and muted numbers are normalized', () => {
    const s = parseAlertSettings({
      assignmentAlerts: 'all',
      quietHours: { enabled: true },
      mutedAccounts: ['+1 555 555 0100', 'waba:4821'],
    });
    expect(s).toMatchObject({
      assignmentAlerts: 'all',
      quietHours: { enabled: true, start: '22:00', end: '07:00' },
      mutedAccounts: [A, 'waba:4821'],
    });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 'loud', /expected an object/],
    ['unknown field', { quietHour: {} }, /unknown setting "quietHour"/],
    ['assignment mode', { assignmentAlerts: 'some' }, /assignmentAlerts must be "all", "mine" or "none"/],
    ['e-mail', { myEmail: 'me' }, /your e-mail \(myEmail\) must be an address/],
    ['quiet hours time', { quietHours: { start: '25:00' } }, /quietHours.start must be a 24-hour time "HH:MM"/],
    ['time zone', { timeZone: 'Mars/Olympus' }, /timeZone "Mars\/Olympus" is not a time zone name/],
    ['flap window', { flapWindowMinutes: -1 }, /flapWindowMinutes must be a number of minutes from 0/],
    ['snooze instant', { snoozedUntil: 'tomorrow' }, /snoozedUntil must be an instant in epoch milliseconds/],
    ['muted list', { mutedAccounts: [''] }, /mutedAccounts must be a list/],
  ];
  it.each(bad)('rejects a bad %s with a message that says what is expected', (_what, value, message) => {
    expect(() => parseAlertSettings(value)).toThrow(AlertSettingsError);
    expect(() => parseAlertSettings(value)).toThrow(message);
  });

  it('lists every problem at once', () => {
    try {
      parseAlertSettings({ myEmail: 3, tunnelDownGraceSeconds: 'soon' });
      expect.unreachable();
    } catch (e) {
      expect((e as AlertSettingsError).problems).toHaveLength(2);
    }
  });
});

describe('purity', () => {
  it('does not modify the state it is given, and the same input gives the same output', () => {
    const state = run([{ now: DAY, signals: [account(tr('connected', 'disconnected', DAY))] }]).state;
    const frozen = JSON.stringify(state);
    const input = { now: DAY + MIN, settings: settings(), state, signals: [account(tr('disconnected', 'connected', DAY + MIN))] };
    const first = decideAlerts(input);
    const second = decideAlerts(input);
    expect(JSON.stringify(state)).toBe(frozen);
    expect(second).toEqual(first);
  });
});
