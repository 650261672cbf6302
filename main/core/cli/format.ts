// What the CLI prints: terminal-safe text, tables of events and deliveries, and the exports it shares with the dashboard.
import { eventCliRowOf } from '../api/views.js';
import type { StoredDelivery, StoredEvent } from '../store/store.js';
import { isoOrNull } from '../time.js';
export { csvField, csvRow, eventsCsv, eventsJsonl, jsonLine } from '../api/export.js';

/** Text safe to print in a terminal: no control characters, no bidi overrides, one line. */
export function terminalText(value: string | null | undefined, max: number): string {
  if (!value) return '';
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Cuts a cell to `width` characters with an ellipsis. */
function cut(cell: string, width: number): string {
  return cell.length > width ? `${cell.slice(0, Math.max(0, width - 1))}…` : cell;
}

/** A free-text column keeps this many characters while other free text can still give (a name, a few words). */
const READABLE = 12;

export interface TableOptions {
  /**
   * The free-text columns (message text, names, titles), in the order they give up width. Default: the
   * last column (`flex` names a single one).
   */
  cut?: readonly number[];
  flex?: number;
  /** Never cut: ids and times (a cut id is a wrong id). */
  fixed?: readonly number[];
  /**
   * What a row is about (event type, account, alert kind): cut only when nothing else can give any more,
   * so that a row still never wraps.
   */
  keep?: readonly number[];
  /** A shorter form of a column's cells, used only when the table is too wide (a time without its year). */
  compact?: Readonly<Record<number, (cell: string) => string>>;
  /** Columns left out, rather than cut, when the free text would otherwise get less than 12 characters. */
  optional?: readonly number[];
}

/**
 * A table that fits `width` columns (default 80); a row never wraps. When it is too wide, in this order
 * until it fits: the `compact` forms are used (a time without its year); the free-text columns give, one
 * after the other, down to 12 characters each; `optional` columns are left out; the free text
 * gives, one column after the other, down to its header's width; then any column that is neither fixed
 * nor kept, widest first; and only as a last resort the kept ones. Fixed columns keep their width. A cut
 * cell ends with an ellipsis.
 */
export function table(headers: string[], rows: string[][], width = 80, options: TableOptions = {}): string {
  const free = options.cut ?? [options.flex ?? headers.length - 1];
  const fixed = new Set(options.fixed ?? []);
  const keep = new Set(options.keep ?? []);
  let cells = rows;
  let shown = headers.map((_, i) => i);
  let widths: number[] = [];
  const over = () => shown.reduce((a, i) => a + widths[i]!, 0) + 2 * (shown.length - 1) - width;
  /** Cuts free-text columns, one after the other, down to `floor` (never below their header). */
  const giveFree = (floor: number) => {
    for (const i of free) {
      if (over() <= 0) return;
      widths[i]! -= Math.min(over(), Math.max(0, widths[i]! - Math.max(floor, headers[i]!.length)));
    }
  };
  const measure = () => {
    widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  };
  measure();
  const compact = options.compact;
  if (over() > 0 && compact) {
    cells = rows.map((r) => r.map((c, i) => compact[i]?.(c) ?? c));
    measure();
  }
  giveFree(READABLE);
  if (over() > 0 && options.optional?.length) {
    shown = shown.filter((i) => !options.optional!.includes(i));
    measure();
    giveFree(READABLE);
  }
  giveFree(0);
  /** Takes one character at a time from the widest of `columns` until the table fits or none can give. */
  const shrinkWidest = (columns: number[]) => {
    while (over() > 0) {
      let widest = -1;
      for (const i of columns) if (widths[i]! > headers[i]!.length && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) return;
      widths[widest]! -= 1;
    }
  };
  shrinkWidest(shown.filter((i) => !fixed.has(i) && !keep.has(i) && !free.includes(i)));
  shrinkWidest(shown.filter((i) => keep.has(i)));
  const line = (row: string[]) =>
    shown
      .map((i, n) => (n === shown.length - 1 ? cut(row[i] ?? '', widths[i]!) : cut(row[i] ?? '', widths[i]!).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** "2026-11-30 19:34:02" without its year ("11-30 19:34:02"), for a narrow terminal. */
export function withoutYear(cell: string): string {
  return /^\d{4}-\d\d-\d\d /.test(cell) ? cell.slice(5) : cell;
}

/**
 * An account as a narrow table shows it: a phone number whole; a long opaque id (a WhatsAble user id is a
 * 36-character UUID) by its first 8 characters, like a short commit hash.
 */
export function shortAccount(cell: string): string {
  return !cell.startsWith('+') && cell.length > 16 && !/\s/.test(cell) ? `${cell.slice(0, 8)}…` : cell;
}

/** `hookwatch events`: the free text (message text, then chat name) gives way first; type and account are kept whole. */
export function eventsTable(events: StoredEvent[], width = 80): string {
  return table(
    ['ID', 'RECEIVED (UTC)', 'TYPE', 'ACCOUNT', 'CHAT', 'DIR', 'TEXT'],
    events
      .map(eventCliRowOf)
      .map((r) => [
        r.id,
        r.received,
        terminalText(r.type, 60) + r.deliveries,
        terminalText(r.account, 40),
        terminalText(r.chat, 40),
        r.direction,
        terminalText(r.text, 200),
      ]),
    width,
    // The direction is left out rather than squeezing the text further (message types mostly say it).
    { fixed: [0, 1, 5], keep: [2, 3], cut: [6, 4], compact: { 1: withoutYear, 3: shortAccount }, optional: [5] },
  );
}

export function deliveriesTable(rows: StoredDelivery[], width = 80): string {
  return table(
    ['ID', 'RECEIVED (UTC)', 'STATUS', 'MS', 'BYTES', 'PROVIDER', 'TYPE', 'REASON'],
    rows.map((d) => [
      String(d.id),
      (isoOrNull(d.receivedAt) ?? '').replace('T', ' ').slice(0, 19),
      String(d.status) + (d.duplicate ? ' dup' : ''),
      d.latencyMs.toFixed(1),
      String(d.size),
      terminalText(d.provider, 20),
      terminalText(d.eventType, 60),
      terminalText(d.reason, 60),
    ]),
    width,
    // The reason (free text) gives way first; the event type is what the row is about.
    { fixed: [0, 1, 2, 3, 4], keep: [6], cut: [7], compact: { 1: withoutYear } },
  );
}
