/**
 * Wall-clock helpers for quiet hours and "snooze until tomorrow". Pure: the instant and the time
 * zone are passed in (null means the process's zone, which is what the user sees on the clock).
 * Intl does the zone arithmetic, so daylight-saving changes are handled by the tz database.
 */

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string | null): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone ?? undefined,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when the tz database does not know it. */
export function checkTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

export function localDateTime(instant: number, timeZone: string | null): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Minutes since local midnight, 0..1439. */
export function localMinuteOfDay(instant: number, timeZone: string | null): number {
  const t = localDateTime(instant, timeZone);
  return t.hour * 60 + t.minute;
}

function zoneOffsetAt(instant: number, timeZone: string | null): number {
  const t = localDateTime(instant, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in a zone. Day overflow is allowed (day 32 is the
 * next month). A time skipped by a DST jump lands just after the jump.
 */
export function instantOfLocal(t: Omit<LocalDateTime, 'second'> & { second?: number }, timeZone: string | null): number {
  const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second ?? 0);
  const first = guess - zoneOffsetAt(guess, timeZone);
  const second = guess - zoneOffsetAt(first, timeZone);
  return second;
}

/** "HH:MM" (24 h) as minutes since midnight, or null. */
export function parseClockTime(text: string): number | null {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * Whether a minute of the day is inside [start, end). A window whose start is after its end
 * crosses midnight (22:00-07:00). start == end is an empty window, not a whole day: a user
 * who wants silence all day has snooze and mute.
 */
export function inDailyWindow(minuteOfDay: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

/** A short human duration: "45 s", "12 min", "2 h 5 min", "3 d 4 h". Rounded down. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
