/** Words for the tray and notifications. Pure; time zone and locale are passed in so tests are stable. */

/** Durations are worded once, by the core (alerts say "down for 12 min" the same way). */
export { formatDuration } from '../core/local-time.js';

export interface ClockFormat {
  /** BCP 47 locale for times (the app's locale); undefined: the runtime's default. */
  locale?: string | undefined;
  /** IANA zone; null or undefined: the computer's zone. */
  timeZone?: string | null | undefined;
}

function dayKey(ms: number, f: ClockFormat): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: f.timeZone ?? undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    ms,
  );
}

/** "14:30", or "Tue 08:00" when `at` is not on the same local day as `now`. */
export function formatClock(at: number, now: number, f: ClockFormat = {}): string {
  const time = new Intl.DateTimeFormat(f.locale, { timeZone: f.timeZone ?? undefined, hour: '2-digit', minute: '2-digit' }).format(at);
  if (dayKey(at, f) === dayKey(now, f)) return time;
  const weekday = new Intl.DateTimeFormat(f.locale, { timeZone: f.timeZone ?? undefined, weekday: 'short' }).format(at);
  return `${weekday} ${time}`;
}

/** Cuts to `max` characters with an ellipsis, never in the middle of a surrogate pair. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}
