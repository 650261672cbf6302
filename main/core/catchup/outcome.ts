/**
 * The one line `hookwatch serve` prints per gap, and the wording the dashboard reuses:
 * "catch-up: offline 23:10–07:45 UTC, 37 messages recovered from 5 chats".
 */
import { localDateTime } from '../local-time.js';
import type { CatchupOutcome } from './engine.js';
import type { GapReason } from './gaps.js';

const REASON_WORDS: Readonly<Record<GapReason, string>> = {
  offline: 'offline',
  stopped: 'offline',
  asleep: 'asleep',
  tunnel: 'tunnel down',
  'webhook-errors': 'webhook deliveries failing',
  manual: 'requested',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const NO_TOKEN_REASON =
  'no TimelinesAI token is set: paste one in Settings (or set HOOKWATCH_TIMELINES_TOKEN for hookwatch serve) and run `hookwatch catch-up`';

/** "offline 23:10–07:45 UTC"; with dates when the gap is a day or longer ("offline 28 Nov 23:10–30 Nov 07:45 UTC"). */
export function describeGap(gap: { start: number; end: number; reason: GapReason }, timeZone: string | null = 'UTC'): string {
  const a = localDateTime(gap.start, timeZone);
  const b = localDateTime(gap.end, timeZone);
  const hm = (t: { hour: number; minute: number }) => `${pad(t.hour)}:${pad(t.minute)}`;
  const date = (t: { day: number; month: number }) => `${t.day} ${MONTHS[t.month - 1]} `;
  const withDates = gap.end - gap.start >= 86_400_000;
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const span = withDates ? `${date(a)}${hm(a)}–${date(b)}${hm(b)}` : `${hm(a)}–${hm(b)}`;
  return `${REASON_WORDS[gap.reason]} ${span} ${zone}`;
}

export function catchupLine(o: CatchupOutcome, timeZone: string | null = 'UTC'): string {
  const head = `catch-up: ${describeGap(o.gap, timeZone)}`;
  const found = `${count(o.recovered, 'message')} recovered from ${count(o.chatsWithRecovered, 'chat')}`;
  const limits: string[] = [];
  if (o.truncatedDays) limits.push('only the days within the catch-up limit were read');
  if (o.truncatedChats) limits.push(`only the ${o.chatsScanned} most recently active chats were read (the catch-up limit)`);
  const tail = limits.length ? ` (${limits.join('; ')})` : '';
  switch (o.status) {
    case 'done':
      if (o.recovered > 0) return `${head}, ${found}${tail}`;
      return `${head}, nothing missed (${count(o.chatsScanned, 'chat')} checked)${tail}`;
    case 'nothing-to-do':
      return `${head}, older than the catch-up limit: nothing read`;
    case 'no-token':
      return `${head}, messages from then could not be recovered: ${o.error ?? NO_TOKEN_REASON}`;
    case 'interrupted':
      if (o.recovered === 0) return `${head}, nothing recovered yet${tail}; stopped: ${o.error ?? 'interrupted'}`;
      return `${head}, ${found} so far${tail}; stopped: ${o.error ?? 'interrupted'}`;
    case 'failed':
      return `${head}, ${found}${tail}; could not finish: ${o.error ?? 'unknown error'}`;
  }
}

function count(n: number, word: string): string {
  return `${n} ${n === 1 ? word : `${word}s`}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
