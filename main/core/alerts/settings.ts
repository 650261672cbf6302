// Notification settings: their defaults, parsing with every problem listed, quiet hours and snooze.
import { toE164 } from '../phone.js';
import { checkTimeZone, inDailyWindow, instantOfLocal, localDateTime, localMinuteOfDay, parseClockTime } from '../local-time.js';

/** Which chat assignment alerts to raise: every one, only those about me, or none. */
export type AssignmentAlerts = 'all' | 'mine' | 'none';

export interface QuietHours {
  enabled: boolean;
  /** Local wall-clock "HH:MM"; start after end crosses midnight (22:00-07:00). */
  start: string;
  end: string;
}

export interface AlertSettings {
  assignmentAlerts: AssignmentAlerts;
  /**
   * The user chose whose assignments to announce (in Setup or Settings). Until then every assignment is
   * announced: "only mine" with no e-mail raised nothing at all, and nothing said why.
   */
  assignmentsAnswered: boolean;
  /** "Me" for `mine`: compared case-insensitively with responsible_email. */
  myEmail: string | null;
  /** An account changing state again within this many minutes of an alert is folded (0 turns folding off). */
  flapWindowMinutes: number;
  quietHours: QuietHours;
  /** Critical alerts notify during quiet hours (and so does the recovery of one that did). */
  criticalBreaksQuietHours: boolean;
  /** IANA zone for quiet hours and "until tomorrow"; null = the computer's zone. */
  timeZone: string | null;
  /** Account keys (E.164 phone, else account id) whose alerts are kept but never notify. */
  mutedAccounts: string[];
  /** Snooze all alerts until this instant (epoch ms); null = not snoozed. */
  snoozedUntil: number | null;
  /** Local "HH:MM" that "snooze until tomorrow" ends at. */
  snoozeTomorrowAt: string;
  /** The tunnel must be down longer than this before we warn (a reconnect usually takes seconds). */
  tunnelDownGraceSeconds: number;
  /** Warn when a number has been silent far longer than usual for the hour of the week (silence.ts). */
  silenceAlerts: boolean;
  /** Never warn about a silence shorter than this many minutes. */
  silenceFloorMinutes: number;
}

/** The range Settings accepts for the silence floor: 15 minutes to a week. */
export const SILENCE_FLOOR_MINUTES = Object.freeze({ min: 15, max: 7 * 24 * 60 });

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = Object.freeze({
  // Every assignment until the user answers whose to announce (Setup asks, the e-mail pre-filled from the API).
  assignmentAlerts: 'all',
  assignmentsAnswered: false,
  myEmail: null,
  flapWindowMinutes: 10,
  quietHours: Object.freeze({ enabled: false, start: '22:00', end: '07:00' }) as QuietHours,
  criticalBreaksQuietHours: true,
  timeZone: null,
  mutedAccounts: Object.freeze([]) as unknown as string[],
  snoozedUntil: null,
  snoozeTomorrowAt: '08:00',
  tunnelDownGraceSeconds: 60,
  silenceAlerts: true,
  silenceFloorMinutes: 120,
});

export function defaultAlertSettings(): AlertSettings {
  return {
    ...DEFAULT_ALERT_SETTINGS,
    quietHours: { ...DEFAULT_ALERT_SETTINGS.quietHours },
    mutedAccounts: [],
  };
}

export class AlertSettingsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid alert settings: ${problems.join('; ')}`);
    this.name = 'AlertSettingsError';
    this.problems = problems;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Settings from storage or the UI: missing fields take their defaults, unknown fields are an
 * error (a typo would otherwise silently do nothing), and each bad field is named with what is
 * expected. Throws AlertSettingsError listing every problem at once.
 */
export function parseAlertSettings(value: unknown): AlertSettings {
  const s = defaultAlertSettings();
  if (value === undefined || value === null) return s;
  if (!isRecord(value)) throw new AlertSettingsError(['expected an object of alert settings']);
  const problems: string[] = [];
  const known = new Set(Object.keys(s));
  for (const k of Object.keys(value)) if (!known.has(k)) problems.push(`unknown setting "${k}" (known: ${[...known].join(', ')})`);

  const v = value as Partial<Record<keyof AlertSettings, unknown>>;
  if (v.assignmentAlerts !== undefined) {
    if (v.assignmentAlerts === 'all' || v.assignmentAlerts === 'mine' || v.assignmentAlerts === 'none')
      s.assignmentAlerts = v.assignmentAlerts;
    else problems.push('assignmentAlerts must be "all", "mine" or "none"');
  }
  if (v.assignmentsAnswered !== undefined) {
    if (typeof v.assignmentsAnswered === 'boolean') s.assignmentsAnswered = v.assignmentsAnswered;
    else problems.push('assignmentsAnswered must be true or false');
  } else if (v.assignmentAlerts !== undefined && !(v.assignmentAlerts === 'mine' && !v.myEmail)) {
    // Saved before the question existed: a choice other than the old default ("mine" without an e-mail) was the user's.
    s.assignmentsAnswered = true;
  }
  if (v.myEmail !== undefined) {
    if (v.myEmail === null || (typeof v.myEmail === 'string' && v.myEmail.trim() === '')) s.myEmail = null;
    else if (typeof v.myEmail === 'string' && /^[^\s@]+@[^\s@]+$/.test(v.myEmail.trim())) s.myEmail = v.myEmail.trim();
    else problems.push('your e-mail (myEmail) must be an address like you@example.com, or empty');
  }
  if (v.flapWindowMinutes !== undefined) {
    if (
      typeof v.flapWindowMinutes === 'number' &&
      Number.isFinite(v.flapWindowMinutes) &&
      v.flapWindowMinutes >= 0 &&
      v.flapWindowMinutes <= 24 * 60
    ) {
      s.flapWindowMinutes = v.flapWindowMinutes;
    } else problems.push('flapWindowMinutes must be a number of minutes from 0 (no folding) to 1440');
  }
  if (v.quietHours !== undefined) {
    const q = v.quietHours;
    if (!isRecord(q)) problems.push('quietHours must be {enabled, start: "HH:MM", end: "HH:MM"}');
    else {
      if (q.enabled !== undefined) {
        if (typeof q.enabled === 'boolean') s.quietHours.enabled = q.enabled;
        else problems.push('quietHours.enabled must be true or false');
      }
      for (const field of ['start', 'end'] as const) {
        const t = q[field];
        if (t === undefined) continue;
        if (typeof t === 'string' && parseClockTime(t) !== null) s.quietHours[field] = t.trim();
        else problems.push(`quietHours.${field} must be a 24-hour time "HH:MM", e.g. "22:00"`);
      }
    }
  }
  if (v.criticalBreaksQuietHours !== undefined) {
    if (typeof v.criticalBreaksQuietHours === 'boolean') s.criticalBreaksQuietHours = v.criticalBreaksQuietHours;
    else problems.push('criticalBreaksQuietHours must be true or false');
  }
  if (v.timeZone !== undefined) {
    if (v.timeZone === null) s.timeZone = null;
    else if (typeof v.timeZone === 'string') {
      try {
        checkTimeZone(v.timeZone);
        s.timeZone = v.timeZone;
      } catch {
        problems.push(`timeZone "${v.timeZone}" is not a time zone name like "Europe/Berlin" (or null for the computer's zone)`);
      }
    } else problems.push('timeZone must be a zone name like "Europe/Berlin", or null');
  }
  if (v.mutedAccounts !== undefined) {
    if (Array.isArray(v.mutedAccounts) && v.mutedAccounts.every((a) => typeof a === 'string' && a.trim() !== '')) {
      s.mutedAccounts = [...new Set((v.mutedAccounts as string[]).map(accountKeyOf))];
    } else problems.push('mutedAccounts must be a list of account phones (E.164) or account ids');
  }
  if (v.snoozedUntil !== undefined) {
    if (v.snoozedUntil === null || (typeof v.snoozedUntil === 'number' && Number.isFinite(v.snoozedUntil))) s.snoozedUntil = v.snoozedUntil;
    else problems.push('snoozedUntil must be an instant in epoch milliseconds, or null');
  }
  if (v.snoozeTomorrowAt !== undefined) {
    if (typeof v.snoozeTomorrowAt === 'string' && parseClockTime(v.snoozeTomorrowAt) !== null)
      s.snoozeTomorrowAt = v.snoozeTomorrowAt.trim();
    else problems.push('snoozeTomorrowAt must be a 24-hour time "HH:MM", e.g. "08:00"');
  }
  if (v.tunnelDownGraceSeconds !== undefined) {
    if (typeof v.tunnelDownGraceSeconds === 'number' && Number.isFinite(v.tunnelDownGraceSeconds) && v.tunnelDownGraceSeconds >= 0) {
      s.tunnelDownGraceSeconds = v.tunnelDownGraceSeconds;
    } else problems.push('tunnelDownGraceSeconds must be a number of seconds, 0 or more');
  }
  if (v.silenceAlerts !== undefined) {
    if (typeof v.silenceAlerts === 'boolean') s.silenceAlerts = v.silenceAlerts;
    else problems.push('silenceAlerts must be true or false');
  }
  if (v.silenceFloorMinutes !== undefined) {
    const f = v.silenceFloorMinutes;
    if (typeof f === 'number' && Number.isInteger(f) && f >= SILENCE_FLOOR_MINUTES.min && f <= SILENCE_FLOOR_MINUTES.max)
      s.silenceFloorMinutes = f;
    else
      problems.push(
        `silenceFloorMinutes must be a whole number of minutes from ${SILENCE_FLOOR_MINUTES.min} to ${SILENCE_FLOOR_MINUTES.max} (a week)`,
      );
  }
  if (problems.length) throw new AlertSettingsError(problems);
  // Never the silent combination: "only mine" with no e-mail, never chosen by the user, announces everything.
  if (!s.assignmentsAnswered && s.assignmentAlerts === 'mine' && !s.myEmail) s.assignmentAlerts = 'all';
  return s;
}

/** The key an account is muted under: its E.164 phone if the text is one, else the id as given. */
export function accountKeyOf(text: string): string {
  return toE164(text) ?? text.trim();
}

export type SnoozeChoice = '1h' | '4h' | '8h' | 'tomorrow';

export const SNOOZE_CHOICES: readonly SnoozeChoice[] = ['1h', '4h', '8h', 'tomorrow'];

/**
 * When a snooze chosen at `now` ends. "Tomorrow" is the next calendar day at `snoozeTomorrowAt`
 * local time (08:00 by default), so an evening snooze covers the night and ends in the morning.
 */
export function snoozeUntil(now: number, choice: SnoozeChoice, settings: Pick<AlertSettings, 'timeZone' | 'snoozeTomorrowAt'>): number {
  switch (choice) {
    case '1h':
      return now + 3_600_000;
    case '4h':
      return now + 4 * 3_600_000;
    case '8h':
      return now + 8 * 3_600_000;
    case 'tomorrow': {
      const today = localDateTime(now, settings.timeZone);
      const at = parseClockTime(settings.snoozeTomorrowAt) ?? 8 * 60;
      return instantOfLocal(
        { year: today.year, month: today.month, day: today.day + 1, hour: Math.floor(at / 60), minute: at % 60 },
        settings.timeZone,
      );
    }
    default:
      throw new AlertSettingsError([`snooze must be one of ${SNOOZE_CHOICES.join(', ')}`]);
  }
}

/** Whether `now` falls in the quiet hours, in the settings' zone. */
export function inQuietHours(now: number, settings: Pick<AlertSettings, 'quietHours' | 'timeZone'>): boolean {
  const q = settings.quietHours;
  if (!q.enabled) return false;
  const start = parseClockTime(q.start);
  const end = parseClockTime(q.end);
  if (start === null || end === null) return false;
  return inDailyWindow(localMinuteOfDay(now, settings.timeZone), start, end);
}
