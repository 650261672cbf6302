// The incidents table: one row per outage (account, tunnel, provider webhooks), folded from alerts by main/core/alerts/incidents.ts.
import type { Db } from './db.js';
import { ALERT_SEVERITIES, type AlertSeverity } from './alerts.js';
import { asRow, num, numOrNull, oneOf, str, strOrNull, type SqlRow } from './hydrate.js';

export const INCIDENT_KINDS = ['account', 'tunnel', 'webhook', 'silence'] as const;

export interface Incident {
  id: number;
  /** The subject: `account:<key>`, `silence:<key>`, `tunnel` or `webhook`. */
  key: string;
  kind: (typeof INCIDENT_KINDS)[number];
  /** The account key for account incidents. */
  subject: string | null;
  severity: AlertSeverity;
  /** Plain text from alerts (may hold names from payloads): never rendered as HTML. */
  title: string;
  text: string;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  /** Recoveries followed by a new outage within the flap window, folded into this incident. */
  flaps: number;
  /** Alerts folded into it. */
  alerts: number;
  acknowledgedAt: number | null;
  snoozedUntil: number | null;
  lastAlertId: number | null;
}

const T = 'incidents';
const COLUMNS =
  'id, key, kind, subject, severity, title, text, opened_at, updated_at, resolved_at, flaps, alerts, acknowledged_at, snoozed_until, last_alert_id';

export function hydrateIncident(r: SqlRow): Incident {
  return {
    id: num(r, T, 'id'),
    key: str(r, T, 'key'),
    kind: oneOf(r, T, 'kind', INCIDENT_KINDS),
    subject: strOrNull(r, T, 'subject'),
    severity: oneOf(r, T, 'severity', ALERT_SEVERITIES),
    title: str(r, T, 'title'),
    text: str(r, T, 'text'),
    openedAt: num(r, T, 'opened_at'),
    updatedAt: num(r, T, 'updated_at'),
    resolvedAt: numOrNull(r, T, 'resolved_at'),
    flaps: num(r, T, 'flaps'),
    alerts: num(r, T, 'alerts'),
    acknowledgedAt: numOrNull(r, T, 'acknowledged_at'),
    snoozedUntil: numOrNull(r, T, 'snoozed_until'),
    lastAlertId: numOrNull(r, T, 'last_alert_id'),
  };
}

export type IncidentState = 'open' | 'resolved' | 'all';

const DAY_MS = 86_400_000;

export interface AccountHistory {
  watchedSince: number | null;
  uptime7d: number | null;
  uptime30d: number | null;
  downMs7d: number;
  downMs30d: number;
  incidents: Incident[];
}

export class IncidentsTable {
  constructor(private readonly db: Db) {}

  /** The newest incident of a subject, open or not. */
  latest(key: string): Incident | null {
    const row: unknown = this.db.cached(`SELECT ${COLUMNS} FROM incidents WHERE key = ? ORDER BY id DESC LIMIT 1`).get(key);
    return row === undefined ? null : hydrateIncident(asRow(row, T));
  }

  /** Inserts (id null) or rewrites an incident; returns its id. */
  save(i: Omit<Incident, 'id'> & { id: number | null }): number {
    const values = [
      i.key,
      i.kind,
      i.subject,
      i.severity,
      i.title,
      i.text,
      i.openedAt,
      i.updatedAt,
      i.resolvedAt,
      i.flaps,
      i.alerts,
      i.acknowledgedAt,
      i.snoozedUntil,
      i.lastAlertId,
    ];
    if (i.id === null) {
      return Number(
        this.db
          .cached(
            `INSERT INTO incidents (key, kind, subject, severity, title, text, opened_at, updated_at, resolved_at, flaps, alerts,
              acknowledged_at, snoozed_until, last_alert_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(...values).lastInsertRowid,
      );
    }
    this.db
      .cached(
        `UPDATE incidents SET key = ?, kind = ?, subject = ?, severity = ?, title = ?, text = ?, opened_at = ?, updated_at = ?,
          resolved_at = ?, flaps = ?, alerts = ?, acknowledged_at = ?, snoozed_until = ?, last_alert_id = ? WHERE id = ?`,
      )
      .run(...values, i.id);
    return i.id;
  }

  /** Newest first. */
  list(options: { state?: IncidentState; limit?: number; beforeId?: number } = {}): Incident[] {
    const where = options.state === 'open' ? 'resolved_at IS NULL' : options.state === 'resolved' ? 'resolved_at IS NOT NULL' : '1 = 1';
    return this.db
      .cached(`SELECT ${COLUMNS} FROM incidents WHERE ${where} AND id < ? ORDER BY id DESC LIMIT ?`)
      .all(options.beforeId ?? Number.MAX_SAFE_INTEGER, options.limit ?? 200)
      .map((r) => hydrateIncident(asRow(r, T)));
  }

  /** Incidents of one subject overlapping [since, ∞), oldest first: a number's timeline. */
  timeline(key: string, since: number): Incident[] {
    return this.db
      .cached(`SELECT ${COLUMNS} FROM incidents WHERE key = ? AND (resolved_at IS NULL OR resolved_at >= ?) ORDER BY opened_at, id`)
      .all(key, since)
      .map((r) => hydrateIncident(asRow(r, T)));
  }

  /** Acknowledges the given incidents, or every unacknowledged one when `ids` is null; returns how many changed. */
  acknowledge(ids: readonly number[] | null, at: number): number {
    if (ids === null) return this.db.cached('UPDATE incidents SET acknowledged_at = ? WHERE acknowledged_at IS NULL').run(at).changes;
    let n = 0;
    for (const id of ids)
      n += this.db.cached('UPDATE incidents SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL').run(at, id).changes;
    return n;
  }

  /** Subjects whose notifications a snooze holds back at `now`: incident key -> until (the latest snooze of the subject). */
  snoozedSubjects(now: number): Record<string, number> {
    const rows = this.db.cached('SELECT key, max(snoozed_until) AS until FROM incidents WHERE snoozed_until > ? GROUP BY key').all(now);
    return Object.fromEntries(
      rows.map((r) => {
        const row = asRow(r, T);
        return [str(row, T, 'key'), num(row, T, 'until')];
      }),
    );
  }

  /**
   * Down time (ms) of a subject inside [from, to): each incident's overlap with the window, summed by SQLite.
   * A subject has at most one open incident at a time (main/core/alerts/incidents.ts), so overlaps never
   * count twice; an open incident runs until `to`.
   */
  downtime(key: string, from: number, to: number): number {
    const row: unknown = this.db
      .cached(
        `SELECT COALESCE(SUM(MIN(COALESCE(resolved_at, :to), :to) - MAX(opened_at, :from)), 0) AS down FROM incidents
          WHERE key = :key AND opened_at < :to AND (resolved_at IS NULL OR resolved_at > :from)`,
      )
      .get({ key, from, to });
    return num(asRow(row, T), T, 'down');
  }

  /** When the subject's first incident opened; null when it never had one. */
  firstOpenedAt(key: string): number | null {
    const row: unknown = this.db.cached('SELECT MIN(opened_at) AS first FROM incidents WHERE key = ?').get(key);
    return numOrNull(asRow(row, T), T, 'first');
  }

  /**
   * One account's uptime over the last 7 and 30 days and its incidents overlapping the last 30 days.
   * `knownSince` is when Hookwatch first observed the account (its oldest kept observation): before that
   * nothing was watched, so the window starts there when it is later. Uptime is null for a window in
   * which Hookwatch knew nothing of the number.
   */
  accountHistory(accountKey: string, now: number, knownSince: number | null): AccountHistory {
    const key = `account:${accountKey}`;
    const first = this.firstOpenedAt(key);
    const watchedSince = first === null ? knownSince : knownSince === null ? first : Math.min(first, knownSince);
    const window = (days: number) => {
      const from = now - days * DAY_MS;
      const start = watchedSince === null ? null : Math.max(from, watchedSince);
      if (start === null || start >= now) return { uptime: null, down: 0 };
      const down = this.downtime(key, start, now);
      return { uptime: Math.max(0, Math.min(1, 1 - down / (now - start))), down };
    };
    const w7 = window(7);
    const w30 = window(30);
    return {
      watchedSince,
      uptime7d: w7.uptime,
      uptime30d: w30.uptime,
      downMs7d: w7.down,
      downMs30d: w30.down,
      incidents: this.timeline(key, now - 30 * DAY_MS),
    };
  }

  snooze(id: number, until: number | null): boolean {
    return this.db.cached('UPDATE incidents SET snoozed_until = ? WHERE id = ?').run(until, id).changes > 0;
  }
}
