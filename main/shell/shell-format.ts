/** Words for the tray and notifications. Pure; time zone and locale are passed in so tests are stable. */

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h": short enough for a tray line. */
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

export interface ClockFormat {
  /** BCP 47 locale for times (the app's locale); undefined: the runtime's default. */
  locale?: string | undefined;
  /** IANA zone; null or undefined: the computer's zone. */
  timeZone?: string | null | undefined;
}

function dayKey(ms: number, f: ClockFormat): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: f.timeZone ?? undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
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
