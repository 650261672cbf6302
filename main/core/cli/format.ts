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

/**
 * A table that fits `width` columns (default 80): when too wide, the `flex` column (the free text, by default
 * the last) is cut first, down to 12 characters, then the widest other column, one character at a time, down
 * to its header's width; `fixed` columns (ids, times) keep their width. Cells are cut with an ellipsis; a row
 * never wraps.
 */
export function table(headers: string[], rows: string[][], width = 80, options: { flex?: number; fixed?: readonly number[] } = {}): string {
  const flex = options.flex ?? headers.length - 1;
  const fixed = new Set(options.fixed ?? []);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  let over = total() - width;
  if (over > 0) {
    const give = Math.min(over, Math.max(0, widths[flex]! - 12));
    widths[flex]! -= give;
    over -= give;
  }
  while (over > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const floor = i === flex ? 3 : Math.max(3, headers[i]!.length);
      if (!fixed.has(i) && widths[i]! > floor && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest < 0) break;
    widths[widest]! -= 1;
    over -= 1;
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? cut(c, widths[i]!) : cut(c, widths[i]!).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function eventsTable(events: StoredEvent[], width = 80): string {
  return table(
    ['ID', 'RECEIVED (UTC)', 'TYPE', 'ACCOUNT', 'CHAT', 'DIR', 'TEXT'],
    events
      .map(eventCliRowOf)
      .map((r) => [
        r.id,
        r.received,
        terminalText(r.type, 60) + r.deliveries,
        terminalText(r.account, 24),
        terminalText(r.chat, 24),
        r.direction,
        terminalText(r.text, 60),
      ]),
    width,
    { fixed: [0, 1, 5] },
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
    { fixed: [0, 1, 2, 3, 4] },
  );
}
