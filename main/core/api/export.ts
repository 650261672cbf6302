// Event exports, one implementation for the CLI (`hookwatch events --format csv|jsonl`) and the dashboard's "Export".
import { EVENT_EXPORT_FIELDS, eventExportRowOf } from './views.js';
import type { StoredEvent } from '../store/store.js';

/**
 * The same columns (the row is built by api/views.ts, like every other view of an event), the same
 * quoting, the same defusing of untrusted text.
 */

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
    const x = eventExportRowOf(e);
    out += csvRow(EVENT_EXPORT_FIELDS.map((f) => x[f]));
  }
  return out;
}

/** One JSON object per line, with the normalized details. */
export function eventsJsonl(events: readonly StoredEvent[]): string {
  return events.map((e) => jsonLine({ ...eventExportRowOf(e), details: e.details }) + '\n').join('');
}
