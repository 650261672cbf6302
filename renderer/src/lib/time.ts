// Relative and absolute time wording for the UI (pure).
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago", then the date. Future instants (clock skew) read "in …". */
export function relativeTime(at: number, now: number): string {
  // The page's clock ticks every few seconds, so a fresh event can look a little "in the future".
  const diff = now - at < 0 && now - at > -5 * MINUTE ? 0 : now - at;
  const abs = Math.abs(diff);
  const say = (n: number, unit: string) => (diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 5 * SECOND) return 'just now';
  if (abs < MINUTE) return say(Math.floor(abs / SECOND), 's');
  if (abs < HOUR) return say(Math.floor(abs / MINUTE), 'min');
  if (abs < DAY) return say(Math.floor(abs / HOUR), 'h');
  if (abs < 7 * DAY) return say(Math.floor(abs / DAY), 'd');
  return dateFormat.format(at);
}

export function absoluteTime(at: number): string {
  return dateTimeFormat.format(at);
}

/** "3 h 5 min", "2 d 4 h", "45 s": how long something lasted. */
export function duration(ms: number): string {
  const abs = Math.max(0, ms);
  if (abs < MINUTE) return `${Math.round(abs / SECOND)} s`;
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)} min`;
  if (abs < DAY) return `${Math.floor(abs / HOUR)} h ${Math.floor((abs % HOUR) / MINUTE)} min`;
  return `${Math.floor(abs / DAY)} d ${Math.floor((abs % DAY) / HOUR)} h`;
}

export const TIME = { SECOND, MINUTE, HOUR, DAY };

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayClockFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** "14:02" today, "3 Mar, 14:02" another day: short enough for the status strip. */
export function shortTime(at: number, now = Date.now()): string {
  return new Date(at).toDateString() === new Date(now).toDateString() ? clockFormat.format(at) : dayClockFormat.format(at);
}
