/** What every alert rule family shares: the alert, the signals' parts, and how a family hands an alert to decideAlerts. */

export type AlertSeverity = 'critical' | 'warning' | 'info' | 'recovery';

export type AlertKind =
  | 'account-down'
  | 'account-recovered'
  | 'account-flapping'
  | 'chat-assigned'
  | 'chat-unassigned'
  | 'tunnel-down'
  | 'tunnel-recovered'
  | 'webhook-errors';

export type SuppressionReason = 'quiet-hours' | 'snoozed' | 'muted' | 'folded';

export interface Alert {
  /** When it was decided (the `now` of the call). */
  at: number;
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

export interface Person {
  name: string | null;
  email: string | null;
}

export interface AssignmentSignal {
  kind: 'assignment';
  action: 'assigned' | 'unassigned';
  eventId: number | null;
  chatId: string | null;
  chatName: string | null;
  accountPhone: string | null;
  responsible: Person | null;
  previous: Person | null;
}

export interface WebhookErrorsSample {
  id: string | number;
  eventType: string | null;
  errorsCounter: number;
}


/** An alert as a rule family drafts it; decideAlerts adds the time and decides notify/suppressed. */
export type Draft = Omit<Alert, 'notify' | 'suppressed' | 'at'> & { folded?: boolean; breaksQuietHours?: boolean };

/** Keeps a drafted alert and returns it as kept (so a family can see whether it notified). */
export type Emit = (d: Draft) => Alert;

export const MINUTE = 60_000;
