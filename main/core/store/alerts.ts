// The alerts table: every alert the rules decided, shown or held back, and its acknowledgement.
import type { Db } from './db.js';
import { asRow, flag, num, numOrNull, oneOf, oneOfOrNull, str, strOrNull, type SqlRow } from './hydrate.js';

export const ALERT_SEVERITIES = ['critical', 'warning', 'info', 'recovery'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_KINDS = [
  'account-down',
  'account-recovered',
  'account-flapping',
  'chat-assigned',
  'chat-unassigned',
  'tunnel-down',
  'tunnel-recovered',
  'webhook-errors',
  'webhook-url-changed',
  'account-silent',
  'account-silence-over',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const SUPPRESSION_REASONS = ['quiet-hours', 'snoozed', 'muted', 'folded'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** An alert as the rules (main/core/alerts/rules.ts) decide it and the store keeps it. */
export interface Alert {
  /** When it was decided (the `now` of the call). */
  at: number;
  /**
   * When the change it tells of happened, by the provider's clock (an account event's own time), where that
   * is known; at most `at`. A late delivery or a catch-up after sleep tells of a change hours old.
   */
  occurredAt?: number;
  severity: AlertSeverity;
  kind: AlertKind;
  accountPhone?: string;
  /** The account's key (phone, else account id), for accounts without a phone. */
  accountKey?: string;
  chatId?: string;
  /** Plain text; contains names from payloads, so it is never to be rendered as HTML. */
  title: string;
  text: string;
  /** The stored event that raised it. */
  eventId?: number;
  /** Folded and summary alerts: how many changes (or failed deliveries) it stands for. */
  count?: number;
  notify: boolean;
  suppressed: SuppressionReason | null;
}

export interface StoredAlert extends Alert {
  id: number;
  acknowledgedAt: number | null;
}

const T = 'alerts';

export function hydrateAlert(r: SqlRow): StoredAlert {
  const a: StoredAlert = {
    id: num(r, T, 'id'),
    at: num(r, T, 'at'),
    severity: oneOf(r, T, 'severity', ALERT_SEVERITIES),
    kind: oneOf(r, T, 'kind', ALERT_KINDS),
    title: str(r, T, 'title'),
    text: str(r, T, 'text'),
    notify: flag(r, T, 'notified'),
    suppressed: oneOfOrNull(r, T, 'suppressed', SUPPRESSION_REASONS),
    acknowledgedAt: numOrNull(r, T, 'acknowledged_at'),
  };
  // Absent rather than null: the shape the rules produce.
  const accountKey = strOrNull(r, T, 'account_key');
  const accountPhone = strOrNull(r, T, 'account_phone');
  const chatId = strOrNull(r, T, 'chat_id');
  const eventId = numOrNull(r, T, 'event_id');
  const count = numOrNull(r, T, 'count');
  const occurredAt = numOrNull(r, T, 'occurred_at');
  if (occurredAt !== null) a.occurredAt = occurredAt;
  if (accountKey !== null) a.accountKey = accountKey;
  if (accountPhone !== null) a.accountPhone = accountPhone;
  if (chatId !== null) a.chatId = chatId;
  if (eventId !== null) a.eventId = eventId;
  if (count !== null) a.count = count;
  return a;
}

export class AlertsTable {
  constructor(private readonly db: Db) {}

  insert(a: Alert): StoredAlert {
    // The event may have been pruned meanwhile: keep the alert, drop the link.
    const eventId =
      a.eventId !== undefined && this.db.cached('SELECT 1 FROM events WHERE id = ?').get(a.eventId) !== undefined ? a.eventId : null;
    const id = Number(
      this.db
        .cached(
          `INSERT INTO alerts (at, occurred_at, severity, kind, account_key, account_phone, chat_id, title, text, event_id, count, notified, suppressed)
          VALUES (@at, @occurredAt, @severity, @kind, @accountKey, @accountPhone, @chatId, @title, @text, @eventId, @count, @notified, @suppressed)`,
        )
        .run({
          at: a.at,
          occurredAt: a.occurredAt ?? null,
          severity: a.severity,
          kind: a.kind,
          accountKey: a.accountKey ?? null,
          accountPhone: a.accountPhone ?? null,
          chatId: a.chatId ?? null,
          title: a.title,
          text: a.text,
          eventId,
          count: a.count ?? null,
          notified: a.notify ? 1 : 0,
          suppressed: a.suppressed,
        }).lastInsertRowid,
    );
    const stored: StoredAlert = { ...a, id, acknowledgedAt: null };
    if (eventId === null) delete stored.eventId;
    return stored;
  }

  list(options: { limit?: number; beforeId?: number } = {}): StoredAlert[] {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 100_000));
    const rows =
      options.beforeId !== undefined
        ? this.db.cached('SELECT * FROM alerts WHERE id < ? ORDER BY id DESC LIMIT ?').all(options.beforeId, limit)
        : this.db.cached('SELECT * FROM alerts ORDER BY id DESC LIMIT ?').all(limit);
    return rows.map((r) => hydrateAlert(asRow(r, T)));
  }

  /** Acknowledges those not acknowledged yet; returns how many that was. */
  acknowledge(ids: readonly number[], at: number): number {
    const stmt = this.db.cached('UPDATE alerts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL');
    return this.db.transaction(() => ids.reduce((n, id) => n + stmt.run(at, id).changes, 0));
  }

  prune(before: number, batch: number): number {
    return this.db.cached('DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE at < ? ORDER BY id LIMIT ?)').run(before, batch)
      .changes;
  }
}
