// Folding alerts into incidents (open, update with flaps counted, resolve with a duration), pure.
import type { StoredAlert } from '../store/alerts.js';
import type { Incident } from '../store/incidents.js';

/**
 * One outage is one incident, however many alerts it raises. Subject of an alert: the account (by key),
 * the account's silence, the tunnel, or the provider webhooks. Decision table for an alert on a subject whose latest incident is L:
 *
 * | alert kind                          | L                                   | result                              |
 * |-------------------------------------|-------------------------------------|-------------------------------------|
 * | chat-assigned / chat-unassigned     | any                                 | none (not an outage)                |
 * | *-down, webhook-errors              | none, or resolved > FLAP_MS ago     | open a new incident                 |
 * | *-down, webhook-errors              | open                                | update (alerts + 1)                 |
 * | *-down                              | resolved ≤ FLAP_MS ago              | reopen L, flaps + 1 (a flap)        |
 * | account-flapping (a summary)        | open or recent L                    | update, flaps = max(flaps, count)   |
 * | account-flapping                    | none                                | open, flaps = alert.count           |
 * | *-recovered                         | open                                | resolve (at the change's own time)  |
 * | *-recovered                         | none or resolved                    | none                                |
 * | account-silent                      | as *-down, on the subject           | open / update / reopen              |
 * |                                     | `silence:<key>` (not the outage's)  |                                     |
 * | account-silence-over                | as *-recovered                      | resolve                             |
 *
 * Webhook incidents have no recovery alert: they stay open until acknowledged. Acknowledging does not
 * resolve; it only marks that someone saw it (a reopened incident is unacknowledged again).
 *
 * Times are when the change happened (`occurredAt`, an account event's own time) where the alert knows
 * it, else when it was raised (`at`): a disconnection delivered three hours late, or read back after sleep,
 * opens an incident three hours ago, as the status strip's "since" says. Kept in order: never before the
 * subject's previous incident ended, and a recovery never before its incident opened.
 */

/** A recovery then a new outage within this time is a flap of the same incident, not a new one. */
export const FLAP_MS = 10 * 60_000;

/** The incident subject of an account's silence, apart from its outages (`account:<key>`). */
export function silenceSubjectKey(accountKey: string): string {
  return `silence:${accountKey}`;
}

export function subjectOf(
  a: Pick<StoredAlert, 'kind' | 'accountKey' | 'accountPhone'>,
): { key: string; kind: Incident['kind']; subject: string | null } | null {
  // A silent number is its own incident, apart from its outages (a number can be both connected and silent).
  if (a.kind === 'account-silent' || a.kind === 'account-silence-over') {
    const subject = a.accountKey ?? a.accountPhone ?? null;
    return { key: silenceSubjectKey(subject ?? '?'), kind: 'silence', subject };
  }
  if (a.kind.startsWith('account-')) {
    const subject = a.accountKey ?? a.accountPhone ?? null;
    return { key: `account:${subject ?? '?'}`, kind: 'account', subject };
  }
  if (a.kind.startsWith('tunnel-')) return { key: 'tunnel', kind: 'tunnel', subject: null };
  if (a.kind === 'webhook-errors') return { key: 'webhook', kind: 'webhook', subject: null };
  return null;
}

export type IncidentChange = {
  action: 'opened' | 'updated' | 'reopened' | 'resolved';
  incident: Omit<Incident, 'id'> & { id: number | null };
};

/** What `alert` does to the subject's latest incident (`latest`, null if none). */
export function foldAlert(latest: Incident | null, alert: StoredAlert): IncidentChange | null {
  const s = subjectOf(alert);
  if (!s) return null;
  const recovery = alert.kind.endsWith('-recovered') || alert.kind === 'account-silence-over';
  const open = latest && latest.resolvedAt === null ? latest : null;
  const when = Math.max(Math.min(alert.occurredAt ?? alert.at, alert.at), latest?.resolvedAt ?? -Infinity);
  const recent = latest && latest.resolvedAt !== null && when - latest.resolvedAt <= FLAP_MS ? latest : null;
  const flapsIn = alert.kind === 'account-flapping' ? Math.max(1, alert.count ?? 1) : 0;
  if (flapsIn > 0 && (open ?? recent)) {
    // The rules' flap summary counts changes this incident has mostly folded already: keep the larger count,
    // and leave open/resolved as the last down or recovered alert set it.
    const l = (open ?? recent)!;
    return {
      action: 'updated',
      incident: { ...l, updatedAt: alert.at, alerts: l.alerts + 1, flaps: Math.max(l.flaps, flapsIn), lastAlertId: alert.id },
    };
  }
  if (recovery) {
    if (!open) return null;
    return {
      action: 'resolved',
      incident: { ...open, updatedAt: alert.at, resolvedAt: Math.max(when, open.openedAt), alerts: open.alerts + 1, lastAlertId: alert.id },
    };
  }
  if (open) {
    return {
      action: 'updated',
      incident: {
        ...open,
        updatedAt: alert.at,
        alerts: open.alerts + 1,
        flaps: open.flaps + flapsIn,
        severity: alert.severity,
        text: alert.text,
        lastAlertId: alert.id,
      },
    };
  }
  if (recent) {
    return {
      action: 'reopened',
      incident: {
        ...recent,
        updatedAt: alert.at,
        resolvedAt: null,
        alerts: recent.alerts + 1,
        flaps: recent.flaps + 1,
        acknowledgedAt: null,
        text: alert.text,
        lastAlertId: alert.id,
      },
    };
  }
  return {
    action: 'opened',
    incident: {
      id: null,
      key: s.key,
      kind: s.kind,
      subject: s.subject,
      severity: alert.severity,
      title: alert.title,
      text: alert.text,
      openedAt: when,
      updatedAt: alert.at,
      resolvedAt: null,
      flaps: flapsIn,
      alerts: 1,
      acknowledgedAt: null,
      snoozedUntil: null,
      lastAlertId: alert.id,
    },
  };
}

/** How long an incident lasted (or has lasted until `now`). */
export function incidentDuration(i: Pick<Incident, 'openedAt' | 'resolvedAt'>, now: number): number {
  return (i.resolvedAt ?? now) - i.openedAt;
}
