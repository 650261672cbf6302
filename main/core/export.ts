import type { StoredEvent } from './store/store.js';
import { isoOrNull } from './time.js';

/**
 * Event exports, one implementation for the CLI (`hookwatch events --format csv|jsonl`) and the
 * dashboard's "Export": the same columns, the same quoting, the same defusing of untrusted text.
 */

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
  // Control characters (other than tab and line breaks) would reach a terminal that shows the file.
  let s = (typeof value === 'string' ? value : String(value)).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '\uFFFD');
  if (/^[=@\t\r]|^[+-](?![\d\s]*$)/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** CSV with a header row, CRLF line ends (RFC 4180). */
export function eventsCsv(events: readonly StoredEvent[]): string {
  let out = csvRow(EVENT_EXPORT_FIELDS);
  for (const e of events) {
    const x = eventForExport(e);
    out += csvRow(EVENT_EXPORT_FIELDS.map((f) => x[f]));
  }
  return out;
}

/** One JSON object per line, with the normalized details. */
export function eventsJsonl(events: readonly StoredEvent[]): string {
  return events.map((e) => jsonLine({ ...eventForExport(e), details: e.details }) + '\n').join('');
}
