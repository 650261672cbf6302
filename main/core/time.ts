/**
 * Provider timestamps, turned into UTC instants (epoch milliseconds); and short durations in words.
 *
 * TimelinesAI v2 sends `2024-01-15 10:30:00 +0200` (not ISO 8601), v1 sends
 * `2021-02-24T16:25:29+0000`, WhatsAble sends Unix seconds (0 meaning "none")
 * and ISO strings inside `last_messages`. A time we cannot read is `null`,
 * never a guess: callers fall back to the time we received the request.
 */

const PROVIDER_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/** Unix seconds below this are treated as seconds, above it as milliseconds (year 2286 vs 1973). */
const SECONDS_CEILING = 1e10;

/**
 * The widest instant a JS Date holds (±100,000,000 days). A provider value beyond it (WhatsAble time
 * 1e17, say) is no time at all; passed on, it made `new Date(ms).toISOString()` throw and one such
 * event broke every `hookwatch events --format jsonl|csv` export.
 */
const MAX_INSTANT_MS = 8.64e15;

export function parseProviderTime(value: unknown): number | null {
  if (typeof value === 'number') return fromEpochNumber(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return fromEpochNumber(Number(text));
  const m = PROVIDER_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone] = m;
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  if (!validParts(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s))) return null;
  const base = utcMs(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  // No zone given: v1 documents its timestamps "in UTC timezone"; we read them so.
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === null) return null;
  return base - offsetMinutes * 60_000;
}

function fromEpochNumber(n: number): number | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = Math.round(n < SECONDS_CEILING ? n * 1000 : n);
  return ms <= MAX_INSTANT_MS ? ms : null;
}

/**
 * Epoch milliseconds of a proleptic Gregorian UTC date and time, by arithmetic (days from the civil date,
 * H. Hinnant's algorithm): the same instants as a Date, without Date.UTC's two-digit-year rule
 * (Date.UTC(24, ...) means 1924, so `0024-01-15` would silently become 1924) and without building a Date
 * for every webhook. Months out of range roll over as a Date's would; callers validate first.
 */
function utcMs(y: number, monthIndex: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const m = monthIndex + 1;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return days * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  if (mo !== 2) return DAYS_IN_MONTH[mo - 1]!;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 14 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  return d <= daysInMonth(y, mo);
}

/**
 * ISO 8601 in UTC, or null. Also null for an instant a Date cannot hold: rows stored before
 * parseProviderTime bounded its results may carry one, and an export must not die on them.
 */
export function isoOrNull(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > MAX_INSTANT_MS) return null;
  return new Date(ms).toISOString();
}

/**
 * A short wait or timeout in words for messages and logs: "250 ms", "2.5 s", "1.5 min". One
 * wording for every caller (API retries, timeouts), so the same wait never reads two ways.
 */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  return `${+(ms / 60_000).toFixed(1)} min`;
}
