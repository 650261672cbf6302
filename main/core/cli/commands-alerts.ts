// The `accounts` and `alerts` commands of the CLI.
import { accountId } from '../../contract/account-label.js';
import { listAccounts } from '../alerts/account-status.js';
import { accountSeenOf } from '../api/views.js';
import { eventOnlyNumbers } from '../api/watched.js';
import type { Incident, StoredAlert } from '../store/store.js';
import { incidentDuration } from '../alerts/incidents.js';
import { isoOrNull } from '../time.js';
import { jsonLine, table, terminalText, withoutYear } from './format.js';
import type { HookwatchStore } from '../store/store.js';

export function accountsOutput(store: HookwatchStore, format: 'table' | 'json', width = 80): string {
  const accounts = listAccounts({ accounts: Object.fromEntries(store.listAccountStates().map((a) => [a.key, a])) });
  // The accounts known only by their activity (WhatsAble sends no status events): the same cards the dashboard
  // adds to its board (api/watched.ts), so the terminal and the window list the same accounts.
  const watched = eventOnlyNumbers(
    new Set(accounts.map((a) => a.key)),
    store.health.accountsSeen().map(accountSeenOf),
    store.incidents.list({ state: 'open' }),
  );
  if (format === 'json') {
    return (
      JSON.stringify(
        [
          ...accounts.map((a) => ({
            key: a.key,
            phone: a.phone,
            accountId: a.accountId,
            name: a.name,
            state: a.state,
            since: isoOrNull(a.since),
            downSince: isoOrNull(a.downSince),
            lastEvent: a.lastEvent ? { id: a.lastEvent.id, type: a.lastEvent.type, at: isoOrNull(a.lastEvent.at) } : null,
            source: a.source,
          })),
          ...watched.map((c) => ({
            key: c.key,
            phone: c.phone,
            accountId: c.accountId,
            name: c.name,
            state: c.state,
            since: null,
            downSince: null,
            lastEvent: c.lastEvent ? { id: c.lastEvent.id, type: c.lastEvent.type, at: isoOrNull(c.lastEvent.at) } : null,
            source: 'activity',
            provider: c.activity!.provider,
            silentSince: isoOrNull(c.activity!.silentSince),
          })),
        ],
        null,
        2,
      ) + '\n'
    );
  }
  if (accounts.length === 0 && watched.length === 0) {
    return 'no WhatsApp accounts seen yet (they appear with their first account or chat event)\n';
  }
  return table(
    ['PHONE', 'NAME', 'STATE', 'SINCE (UTC)', 'LAST EVENT'],
    [
      ...accounts.map((a) => [
        terminalText(a.phone ?? a.key, 28),
        terminalText(a.name, 28),
        a.state,
        (isoOrNull(a.since) ?? '').replace('T', ' ').slice(0, 19),
        terminalText(a.lastEvent?.type, 60),
      ]),
      // No status events: silent while its silence warning is open (since its last event), else "no status".
      ...watched.map((c) => {
        const naming = { ...c, provider: c.activity!.provider };
        return [
          terminalText(c.phone ?? accountId(naming), 28),
          // The id is in the PHONE column already: the name says whose id it is (kept short: the free text gives way first).
          terminalText(c.name ?? (naming.provider === 'whatsable' ? 'WhatsAble' : ''), 28),
          c.activity!.silentSince !== null ? 'silent' : 'no status',
          (isoOrNull(c.activity!.silentSince) ?? '').replace('T', ' ').slice(0, 19),
          terminalText(c.lastEvent?.type, 60),
        ];
      }),
    ],
    width,
    // The last event (a detail: the feed has it) gives way first, then the name; the phone, state and since stay whole.
    { fixed: [2, 3], keep: [0], cut: [4, 1] },
  );
}

export function alertForExport(a: StoredAlert) {
  return {
    id: a.id,
    at: isoOrNull(a.at),
    severity: a.severity,
    kind: a.kind,
    accountPhone: a.accountPhone ?? null,
    accountKey: a.accountKey ?? null,
    chatId: a.chatId ?? null,
    title: a.title,
    text: a.text,
    eventId: a.eventId ?? null,
    count: a.count ?? null,
    notified: a.notify,
    suppressed: a.suppressed,
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
  };
}

export function alertsOutput(alerts: StoredAlert[], format: 'table' | 'jsonl', width = 80): string {
  if (format === 'jsonl') return alerts.map((a) => jsonLine(alertForExport(a)) + '\n').join('');
  if (alerts.length === 0) return 'no alerts yet\n';
  return table(
    ['ID', 'TIME (UTC)', 'SEVERITY', 'KIND', 'ACCOUNT', 'CHAT', 'TITLE', 'TEXT'],
    alerts.map((a) => [
      String(a.id),
      (isoOrNull(a.at) ?? '').replace('T', ' ').slice(0, 19),
      a.severity + (a.suppressed ? ` (${a.suppressed})` : ''),
      a.kind,
      terminalText(a.accountPhone ?? a.accountKey, 20),
      terminalText(a.chatId, 12),
      terminalText(a.title, 80),
      terminalText(a.text, 200),
    ]),
    width,
    // The free text gives way first (text, then title); the kind and the account stay whole. The chat id is
    // left out rather than cut when narrow (the title names the chat; --format jsonl has its id).
    { fixed: [0, 1, 2, 5], keep: [3, 4], cut: [7, 6], compact: { 1: withoutYear }, optional: [5] },
  );
}

/** One line per alert for `hookwatch serve`'s stdout. */
export function alertLine(a: StoredAlert): string {
  const held = a.suppressed ? ` (kept, not notified: ${a.suppressed})` : '';
  return `alert: ${a.severity} ${a.kind}: ${terminalText(a.title, 120)}. ${terminalText(a.text, 300)}${held}\n`;
}

function short(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m < 60 ? `${m}m` : m < 48 * 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}` : `${Math.floor(m / 1440)}d`;
}

export function incidentForExport(i: Incident, now: number) {
  return {
    id: i.id,
    kind: i.kind,
    subject: i.subject,
    severity: i.severity,
    title: i.title,
    text: i.text,
    openedAt: isoOrNull(i.openedAt),
    updatedAt: isoOrNull(i.updatedAt),
    resolvedAt: isoOrNull(i.resolvedAt),
    durationMs: incidentDuration(i, now),
    flaps: i.flaps,
    alerts: i.alerts,
    acknowledgedAt: isoOrNull(i.acknowledgedAt),
  };
}

/** `hookwatch alerts`: one line per incident (an outage, however many alerts it raised). */
export function incidentsOutput(incidents: Incident[], format: 'table' | 'jsonl', width = 80, now = Date.now()): string {
  if (format === 'jsonl') return incidents.map((i) => jsonLine(incidentForExport(i, now)) + '\n').join('');
  if (incidents.length === 0) return 'no incidents (hookwatch alerts --all lists every alert)\n';
  return table(
    ['ID', 'OPENED (UTC)', 'STATE', 'FOR', 'FLAPS', 'TITLE'],
    incidents.map((i) => [
      String(i.id),
      (isoOrNull(i.openedAt) ?? '').replace('T', ' ').slice(0, 16),
      (i.resolvedAt === null ? 'open' : 'resolved') + (i.acknowledgedAt !== null ? ' ack' : ''),
      short(incidentDuration(i, now)),
      String(i.flaps),
      terminalText(i.title, 200),
    ]),
    width,
    { fixed: [0, 1, 2, 3, 4], cut: [5], compact: { 1: withoutYear } },
  );
}
