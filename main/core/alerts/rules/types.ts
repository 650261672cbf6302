/** What every alert rule family shares: the alert, the signals' parts, and how a family hands an alert to decideAlerts. */

// The alert as stored is the store's shape (main/core/store/alerts.ts); the rules produce exactly that.
import type { Alert } from '../../store/alerts.js';
export type { Alert, AlertKind, AlertSeverity, SuppressionReason } from '../../store/alerts.js';

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
