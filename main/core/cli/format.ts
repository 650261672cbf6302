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

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function eventsTable(events: StoredEvent[]): string {
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
  );
}

export function deliveriesTable(rows: StoredDelivery[]): string {
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
  );
}
