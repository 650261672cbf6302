/**
 * Silence detection: per account, a warning when it has been quiet far longer than usual for
 * this hour of the week, learned from its own history, and a recovery when it speaks again.
 * Pure: history, time, settings and memory in; alerts and the next memory out. For WhatsAble
 * numbers (no account events at all) it is the only health signal.
 *
 * ## The model
 *
 * Time is cut into 5-minute slots. For each hour of the week (local time, 168 of them) the
 * baseline is p = the share of that hour's observed slots in which the account had at least one
 * event. Only observed time counts: spans when Hookwatch was not receiving (`unobserved`, the
 * catch-up gaps) are neither activity nor silence, and neither is the current silence itself
 * (else a long outage would teach that silence is normal). The chance of the current silence,
 * if the account behaved as usual, is the product over its observed slots of (1 - p), with p
 * capped at 0.98 so that one busy hour cannot make a short lull look impossible. The account is
 * "silent far longer than usual" when that chance is below `unlikelyBelow` (default 1 in 1000).
 * Night hours with no history have p = 0 and add nothing: a quiet night is never a warning.
 *
 * ## Decision table (first matching row wins; S = the current silence, observed part)
 *
 * | condition                                                        | alert                          | memory after         |
 * |------------------------------------------------------------------|--------------------------------|----------------------|
 * | less than `warmupDays` (7) of observed history                   | none (learning)                | unchanged            |
 * | warned, and an event came after the warning's silence began      | account-silence-over (recovery)| cleared              |
 * |                                                                  | notify only if the warning did |                      |
 * | not silent longer than `floorMs` (2 h)                           | none                           | unchanged            |
 * | chance of S as usual >= unlikelyBelow                            | none                           | unchanged            |
 * | not warned yet                                                   | account-silent (warning)       | warned, notified?    |
 * | warned, not notified (quiet hours, snooze, mute), and now it may  | account-silent again, notifies | warned, notified     |
 * | warned otherwise                                                 | none (one warning per silence) | unchanged            |
 * | (before all rows) silence alerts turned off, warned               | account-silence-over, kept     | cleared              |
 * |                                                                  | quietly (closes the incident)  |                      |
 *
 * Notify or not follows the alert rules (rules.ts): muted account -> kept, `muted`; snoozed (all
 * alerts, or this account's silence incident) -> `snoozed`; quiet hours -> `quiet-hours` (a warning
 * never breaks through). A silence that is
 * still going on when quiet hours end is told then, once.
 */
import { accountLabel } from '../../contract/account-label.js';
import { formatDuration, localDateTime } from '../local-time.js';
import { silenceSubjectKey } from './incidents.js';
import type { SuppressionReason } from './rules/types.js';
import { inQuietHours, type AlertSettings } from './settings.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SLOT = 5 * MINUTE;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface SilenceSettings {
  enabled: boolean;
  /** Never warn about a silence shorter than this. Default 2 h. */
  floorMs: number;
  /** Off until the account has this many days of observed history. Default 7. */
  warmupDays: number;
  /** How much history the baseline learns from. Default 28 days. */
  historyDays: number;
  /** Warn when a silence this long would happen less often than this, were the account as usual. Default 0.001. */
  unlikelyBelow: number;
}

export const DEFAULT_SILENCE_SETTINGS: Readonly<SilenceSettings> = Object.freeze({
  enabled: true,
  floorMs: 2 * HOUR,
  warmupDays: 7,
  historyDays: 28,
  unlikelyBelow: 0.001,
});

export interface SilenceAccount {
  /** The account's key (E.164 phone, else its id), as the alert rules key accounts. */
  key: string;
  provider: string;
  name: string | null;
  phone: string | null;
  /** Instants of its events (the event time, else when received), any order. */
  events: readonly number[];
  /** How many events each instant stands for (default 1 each): the store hands one instant per 5-minute slot. */
  counts?: readonly number[];
}

export interface SilenceMemory {
  /** The silence warned about began here (the last event before it). */
  silenceSince: number;
  warnedAt: number;
  notified: boolean;
  suppressed: SuppressionReason | null;
}

export type SilenceState = Record<string, SilenceMemory>;

export type SilenceAlertKind = 'account-silent' | 'account-silence-over';

export interface SilenceAlert {
  at: number;
  severity: 'warning' | 'recovery';
  kind: SilenceAlertKind;
  accountKey: string;
  accountPhone?: string;
  title: string;
  text: string;
  notify: boolean;
  suppressed: SuppressionReason | null;
}

export interface SilenceInput {
  now: number;
  accounts: readonly SilenceAccount[];
  /** Spans when Hookwatch was not receiving: not counted as activity nor as silence. */
  unobserved?: ReadonlyArray<{ start: number; end: number }>;
  settings?: Partial<SilenceSettings>;
  alertSettings: Pick<AlertSettings, 'quietHours' | 'timeZone' | 'mutedAccounts' | 'snoozedUntil'>;
  state: SilenceState;
  /** Snoozed incidents (incident key -> until): a snoozed `silence:<key>` holds that account's notifications back. */
  snoozedSubjects?: Readonly<Record<string, number>>;
}

export interface SilenceDecision {
  alerts: SilenceAlert[];
  nextState: SilenceState;
}

/** What the model says about one account now (also for the Accounts screen). */
export interface SilenceAssessment {
  status: 'learning' | 'ok' | 'silent';
  /** The last event, or the end of the last unobserved span after it. */
  silenceSince: number | null;
  /** Observed milliseconds of the current silence. */
  silentMs: number;
  /** The chance of a silence this long, were the account as usual (1 when nothing is expected). */
  chance: number;
  /** Usual events per hour at this hour of the week. */
  usualPerHour: number;
}

export function decideSilence(input: SilenceInput): SilenceDecision {
  const settings = { ...DEFAULT_SILENCE_SETTINGS, ...input.settings };
  const { now } = input;
  const next: SilenceState = { ...input.state };
  const alerts: SilenceAlert[] = [];
  if (!settings.enabled) {
    // Turned off with warnings open: close each one quietly, so no incident stays open for good.
    for (const [key, memory] of Object.entries(input.state)) {
      const account = input.accounts.find((a) => a.key === key);
      alerts.push({
        at: now,
        severity: 'recovery',
        kind: 'account-silence-over',
        accountKey: key,
        ...(account?.phone ? { accountPhone: account.phone } : {}),
        title: `${account ? labelOf(account) : key}: silence alerts turned off`,
        text: `Silence alerts were turned off ${formatDuration(now - memory.silenceSince)} into this silence; it is no longer watched.`,
        notify: false,
        suppressed: 'muted',
      });
    }
    return { alerts, nextState: {} };
  }
  const quiet = inQuietHours(now, input.alertSettings);
  const muted = new Set(input.alertSettings.mutedAccounts);
  const snoozed = input.alertSettings.snoozedUntil !== null && now < input.alertSettings.snoozedUntil;
  const subjectSnoozed = (key: string) => (input.snoozedSubjects?.[silenceSubjectKey(key)] ?? -Infinity) > now;
  const suppression = (key: string, phone: string | null): SuppressionReason | null =>
    muted.has(key) || (phone !== null && muted.has(phone))
      ? 'muted'
      : snoozed || subjectSnoozed(key)
        ? 'snoozed'
        : quiet
          ? 'quiet-hours'
          : null;

  for (const account of input.accounts) {
    const memory = next[account.key];
    const last = account.events.reduce((m, t) => (t <= now && t > m ? t : m), -Infinity);
    const label = labelOf(account);
    // Spoke again since the silence we warned about: recovery, even while still learning.
    if (memory && last > memory.silenceSince) {
      delete next[account.key];
      alerts.push({
        at: now,
        severity: 'recovery',
        kind: 'account-silence-over',
        accountKey: account.key,
        ...(account.phone ? { accountPhone: account.phone } : {}),
        title: `${label} is active again`,
        text: `Events again after ${formatDuration(last - memory.silenceSince)} of silence.`,
        notify: memory.notified && suppression(account.key, account.phone) === null,
        suppressed: memory.notified ? suppression(account.key, account.phone) : (memory.suppressed ?? 'quiet-hours'),
      });
      continue;
    }
    const a = assessSilence(account.events, now, input.unobserved ?? [], settings, input.alertSettings.timeZone, account.counts);
    if (a.status !== 'silent') continue;
    const suppressed = suppression(account.key, account.phone);
    if (memory && (memory.notified || suppressed !== null)) continue;
    const when = localDateTime(now, input.alertSettings.timeZone);
    const weekday = WEEKDAYS[new Date(Date.UTC(when.year, when.month - 1, when.day)).getUTCDay()];
    alerts.push({
      at: now,
      severity: 'warning',
      kind: 'account-silent',
      accountKey: account.key,
      ...(account.phone ? { accountPhone: account.phone } : {}),
      title: `${label} has gone silent`,
      text:
        `No events for ${formatDuration(a.silentMs)}; on ${weekday}s at ${String(when.hour).padStart(2, '0')}:00 it usually has ` +
        `about ${formatRate(a.usualPerHour)} an hour. Check the number in ${account.provider === 'whatsable' ? 'WhatsAble' : 'TimelinesAI'} (is it still connected?).`,
      notify: suppressed === null,
      suppressed,
    });
    next[account.key] = { silenceSince: a.silenceSince!, warnedAt: memory?.warnedAt ?? now, notified: suppressed === null, suppressed };
  }
  return { alerts, nextState: next };
}

function labelOf(account: Pick<SilenceAccount, 'key' | 'name' | 'phone' | 'provider'>): string {
  return accountLabel(account);
}

/** The model for one account (see the header): pure, also usable for display. */
export function assessSilence(
  events: readonly number[],
  now: number,
  unobserved: ReadonlyArray<{ start: number; end: number }>,
  settings: Pick<SilenceSettings, 'floorMs' | 'warmupDays' | 'historyDays' | 'unlikelyBelow'>,
  timeZone: string | null,
  counts?: readonly number[],
): SilenceAssessment {
  const from = now - settings.historyDays * DAY;
  const weighted = events.map((t, i) => [t, counts?.[i] ?? 1] as const).filter(([t]) => t >= from && t <= now);
  weighted.sort((a, b) => a[0] - b[0]);
  const times = weighted.map(([t]) => t);
  const gaps = [...unobserved].filter((g) => g.end > from && g.start < now).sort((a, b) => a.start - b.start);
  const last = times.length ? times[times.length - 1]! : null;
  if (last === null) return { status: 'learning', silenceSince: null, silentMs: 0, chance: 1, usualPerHour: 0 };
  // The silence counts from the last event, or from when we were receiving again after it.
  let silenceSince = last;
  for (const g of gaps) if (g.start <= silenceSince + SLOT && g.end > silenceSince) silenceSince = Math.min(now, g.end);
  const observedIn = (a: number, b: number) => Math.max(0, b - a - overlap(gaps, a, b));

  // History: from the first event (or the window's start) to the silence's start; never the silence itself.
  const historyStart = Math.max(from, times[0]!);
  const observedHistory = observedIn(historyStart, silenceSince);
  const silentMs = observedIn(silenceSince, now);
  // Every zone's offset is a multiple of 15 minutes: one Intl call per quarter hour, not per slot.
  const hourCache = new Map<number, number>();
  const hourOf = (t: number) => {
    const q = Math.floor(t / (15 * MINUTE));
    let h = hourCache.get(q);
    if (h === undefined) {
      const l = localDateTime(q * 15 * MINUTE, timeZone);
      h = new Date(Date.UTC(l.year, l.month - 1, l.day)).getUTCDay() * 24 + l.hour;
      hourCache.set(q, h);
    }
    return h;
  };
  if (observedHistory < settings.warmupDays * DAY) return { status: 'learning', silenceSince, silentMs, chance: 1, usualPerHour: 0 };

  // Per hour of the week: observed slots, active slots, events.
  const slots = new Array<number>(168).fill(0);
  const active = new Array<number>(168).fill(0);
  const perHour = new Array<number>(168).fill(0);
  const activeSlots = new Set<number>();
  for (const [t, n] of weighted) {
    if (t >= silenceSince) break;
    activeSlots.add(Math.floor(t / SLOT));
    perHour[hourOf(t)]! += n;
  }
  const firstSlot = Math.floor(historyStart / SLOT);
  const lastSlot = Math.floor(silenceSince / SLOT);
  let g = 0;
  for (let s = firstSlot; s < lastSlot; s++) {
    const t = s * SLOT;
    while (g < gaps.length && gaps[g]!.end <= t) g++;
    if (g < gaps.length && gaps[g]!.start <= t && gaps[g]!.end >= t + SLOT) continue; // not observed
    const h = hourOf(t);
    slots[h]!++;
    if (activeSlots.has(s)) active[h]!++;
  }
  const p = (h: number) => (slots[h]! > 0 ? Math.min(0.98, active[h]! / slots[h]!) : 0);

  // The chance of the silence: over its observed slots, each quiet with probability 1 - p.
  let logChance = 0;
  g = 0;
  for (let t = Math.ceil(silenceSince / SLOT) * SLOT; t + SLOT <= now; t += SLOT) {
    while (g < gaps.length && gaps[g]!.end <= t) g++;
    if (g < gaps.length && gaps[g]!.start <= t && gaps[g]!.end >= t + SLOT) continue;
    logChance += Math.log(1 - p(hourOf(t)));
  }
  const chance = Math.exp(logChance);
  const h = hourOf(now);
  const usualPerHour = slots[h]! > 0 ? (perHour[h]! * 12) / slots[h]! : 0;
  const silent = silentMs > settings.floorMs && chance < settings.unlikelyBelow;
  return { status: silent ? 'silent' : 'ok', silenceSince, silentMs, chance, usualPerHour };
}

function overlap(gaps: ReadonlyArray<{ start: number; end: number }>, a: number, b: number): number {
  let total = 0;
  let covered = a;
  for (const g of gaps) {
    const s = Math.max(g.start, covered);
    const e = Math.min(g.end, b);
    if (e > s) {
      total += e - s;
      covered = e;
    }
  }
  return total;
}

function formatRate(perHour: number): string {
  if (perHour >= 10) return `${Math.round(perHour)} events`;
  if (perHour >= 1) return `${perHour.toFixed(1).replace(/\.0$/, '')} events`;
  return perHour > 0 ? `${perHour.toFixed(2)} events` : 'no events';
}
