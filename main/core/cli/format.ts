import type { StoredDelivery, StoredEvent } from '../store/store.js';
import { isoOrNull } from '../time.js';

/** The fields every export carries, in order (the CSV header). */
export const EVENT_EXPORT_FIELDS = [
  'id',
  'receivedAt',
  'occurredAt',
  'provider',
  'type',
  'originalType',
  'accountPhone',
  'accountId',
  'accountName',
  'chatId',
  'chatName',
  'chatPhone',
  'messageUid',
  'direction',
  'text',
  'deliveryCount',
] as const;

export type EventExport = Record<(typeof EVENT_EXPORT_FIELDS)[number], string | number | null> & { details?: unknown };

export function eventForExport(e: StoredEvent): EventExport {
  return {
    id: e.id,
    receivedAt: isoOrNull(e.receivedAt),
    occurredAt: isoOrNull(e.occurredAt),
    provider: e.provider,
    type: e.type,
    originalType: e.originalType,
    accountPhone: e.accountPhone,
    accountId: e.accountId,
    accountName: e.accountName,
    chatId: e.chatId,
    chatName: e.chatName,
    chatPhone: e.chatPhone,
    messageUid: e.messageUid,
    direction: e.direction,
    text: e.text,
    deliveryCount: e.deliveryCount,
  };
}

/**
 * JSON for one line of JSONL. JSON.stringify leaves C1 controls and the line separators raw; a
 * message body carrying U+009B could then steer a terminal that `cat`s the file. Escape them.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One CSV field (RFC 4180). Untrusted text that a spreadsheet would run as a formula (=, @, or +/-
 * not followed by a digit, tab, CR) gets a leading apostrophe; phone numbers like +1555... stay as they are.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  if (/^[=@\t\r]|^[+-](?![\d\s]*$)/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** Text safe to print in a terminal: no control characters, no bidi overrides, one line. */
export function terminalText(value: string | null | undefined, max: number): string {
  if (!value) return '';
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function eventsTable(events: StoredEvent[]): string {
  return table(
    ['ID', 'RECEIVED (UTC)', 'TYPE', 'ACCOUNT', 'CHAT', 'DIR', 'TEXT'],
    events.map((e) => [
      String(e.id),
      (isoOrNull(e.receivedAt) ?? '').replace('T', ' ').slice(0, 19),
      e.type + (e.deliveryCount > 1 ? ` (x${e.deliveryCount})` : ''),
      terminalText(e.accountPhone ?? e.accountId, 24),
      terminalText(e.chatName ?? e.chatPhone ?? e.chatId, 24),
      e.direction === 'received' ? 'in' : e.direction === 'sent' ? 'out' : '',
      terminalText(e.text, 60),
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
      d.provider ?? '',
      d.eventType ?? '',
      terminalText(d.reason, 60),
    ]),
  );
}
