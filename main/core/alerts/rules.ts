/** Alert rules: the one pure function that turns signals into alerts, and decides which of them notify. */
import { flushAccountWindows, nextAccountWake, onAccountTransition, type AccountsMemory } from './rules/accounts.js';
import { onAssignment } from './rules/assignments.js';
import { checkTunnelGrace, initialTunnelMemory, nextTunnelWake, onTunnel, type TunnelMemory } from './rules/tunnel.js';
import type { Alert, AssignmentSignal, Draft, SuppressionReason, WebhookErrorsSample } from './rules/types.js';
import { onWebhookErrors, type WebhooksMemory } from './rules/webhook-errors.js';
import { onPublicUrlChange, type UrlChangeSignal } from './rules/url-change.js';
import type { AccountTransition } from './account-status.js';
import { accountKeyOf, inQuietHours, type AlertSettings } from './settings.js';
import { subjectOf } from './incidents.js';
import type { SilenceState } from './silence.js';
// Quiet hours are a setting's meaning; kept importable from here, where the rules that use them live.
export { inQuietHours } from './settings.js';

export { DEFAULT_ALERT_SETTINGS, defaultAlertSettings, parseAlertSettings, snoozeUntil, type AlertSettings } from './settings.js';
export type { AlertKind, AlertSeverity, Alert, AssignmentSignal, Person, SuppressionReason, WebhookErrorsSample } from './rules/types.js';
export { FLAP_RELEASED_PER_WINDOW, type AccountRuleMemory, type FlapWindow } from './rules/accounts.js';
export type { TunnelMemory } from './rules/tunnel.js';
export type { WebhookMemory } from './rules/webhook-errors.js';
export { assignmentSignalFromEvent, type AssignmentEventInput } from './rules/payload.js';

/**
 * Alert rules: ONE pure function, `decideAlerts`, in the manner of Uptime Kuma's "is this beat
 * important, and do we notify?". It takes what happened (signals), the time, the settings and
 * the rules' memory, and returns the alerts to keep and the next memory. No clock, no I/O: the
 * caller persists `nextState`, stores every alert (suppressed ones too) and notifies those with
 * `notify`, and calls again with no signals at `wakeAt` so that time-driven rules fire.
 *
 * ## What raises an alert
 *
 * | signal                                        | alert                                   | severity |
 * |-----------------------------------------------|-----------------------------------------|----------|
 * | account -> disconnected / suspended           | account-down                            | critical |
 * | account down -> connected                     | account-recovered, "after 12 min down"  | recovery |
 * | account unknown -> connected (first sight)    | none                                    |          |
 * | chat assigned / unassigned, per the setting  | chat-assigned / chat-unassigned         | info     |
 * | tunnel down longer than the grace (60 s)      | tunnel-down, "events are being lost"    | warning  |
 * | tunnel up after a tunnel-down warning         | tunnel-recovered, with the duration     | recovery |
 * | webhook errors_counter rises (new streak)     | webhook-errors                          | warning  |
 * | the tunnel's public URL changed               | webhook-url-changed, "paste the new URL"| warning  |
 * | a number silent far longer than usual         | account-silent (silence.ts, own timer)  | warning  |
 * | it speaks again after that warning            | account-silence-over                    | recovery |
 *
 * Each family keeps its rules and its state table beside them: account outages and flapping in
 * rules/accounts.ts, chat assignments in rules/assignments.ts, the tunnel in rules/tunnel.ts, provider
 * webhook errors in rules/webhook-errors.ts, a changed public URL in rules/url-change.ts. Reading signals out of events is rules/payload.ts.
 *
 * ## Notify or not (first matching row wins; every alert is kept either way)
 *
 * | condition                                                     | notify | suppressed  |
 * |---------------------------------------------------------------|--------|-------------|
 * | the alert's account is muted                                  | no     | muted       |
 * | now < snoozedUntil (snooze all: 1, 4, 8 h, until tomorrow)    | no     | snoozed     |
 * | the alert's incident subject is snoozed (snooze one incident) | no     | snoozed     |
 * | quiet hours now, and the alert does not break through         | no     | quiet-hours |
 * | folded by the flap rule                                       | no     | folded      |
 * | otherwise                                                     | yes    | (none)      |
 *
 * Breaking through quiet hours (only with criticalBreaksQuietHours): critical alerts, and the
 * recovery of an outage whose critical alert broke through (whoever was woken by "down" is told
 * "back"; a recovery of an outage they learnt about during the day waits for the morning).
 *
 */

export type AlertSignal =
  | { kind: 'account'; transition: AccountTransition }
  | AssignmentSignal
  | { kind: 'tunnel'; state: 'up' | 'down' | 'paused'; at: number }
  /** One poll of the provider's webhook list (the whole list). */
  | { kind: 'webhook-errors'; provider: string; webhooks: WebhookErrorsSample[] }
  | UrlChangeSignal;

/** The rules' memory: JSON-serialisable, persisted by the caller between calls. */
export interface AlertRulesState {
  accounts: AccountsMemory;
  tunnel: TunnelMemory;
  /** Keyed `<provider>:<webhook id>`. */
  webhooks: WebhooksMemory;
  /** Silence detection's memory (silence.ts, run by the alert service on its own timer); decideAlerts passes it through. */
  silence?: SilenceRecord;
}

/** What the alert service keeps for silence detection between checks and restarts. */
export interface SilenceRecord {
  state: SilenceState;
  /** The last check: a start long after it means Hookwatch was off, which is neither activity nor silence. */
  checkedAt: number | null;
  /** Spans when this Hookwatch was not running (from checkedAt to the next start), newest last, 28 days kept. */
  downtime: Array<{ start: number; end: number }>;
}

export function initialAlertRulesState(): AlertRulesState {
  return { accounts: {}, tunnel: initialTunnelMemory(), webhooks: {} };
}

export interface AlertDecisionInput {
  now: number;
  settings: AlertSettings;
  state: AlertRulesState;
  /** Processed in order; none = only let time-driven rules fire (flap summaries, tunnel grace). */
  signals?: readonly AlertSignal[];
  /** Snoozed incidents (incident key -> until, see incidents.ts subjectOf): their subject's alerts are kept, not notified. */
  snoozedSubjects?: Readonly<Record<string, number>>;
}

export interface AlertDecision {
  /** Every alert to keep in history, in order; `notify` says which to show. */
  alerts: Alert[];
  nextState: AlertRulesState;
  /** Call decideAlerts again (with no signals) at this instant, or null if nothing is pending. */
  wakeAt: number | null;
}

export function decideAlerts(input: AlertDecisionInput): AlertDecision {
  const { now, settings } = input;
  const state: AlertRulesState = {
    accounts: { ...input.state.accounts },
    tunnel: { ...input.state.tunnel },
    webhooks: { ...input.state.webhooks },
    ...(input.state.silence ? { silence: input.state.silence } : {}),
  };
  const alerts: Alert[] = [];
  const muted = new Set(settings.mutedAccounts.map(accountKeyOf));
  const quiet = inQuietHours(now, settings);
  const snoozed = settings.snoozedUntil !== null && now < settings.snoozedUntil;

  // The "notify or not" table above, in order.
  const emit = (d: Draft): Alert => {
    const { folded, breaksQuietHours, ...fields } = d;
    let suppressed: SuppressionReason | null = null;
    const subject = subjectOf(d);
    if ((d.accountKey && muted.has(d.accountKey)) || (d.accountPhone && muted.has(d.accountPhone))) suppressed = 'muted';
    else if (snoozed || (subject !== null && (input.snoozedSubjects?.[subject.key] ?? -Infinity) > now)) suppressed = 'snoozed';
    else if (quiet && !(settings.criticalBreaksQuietHours && breaksQuietHours)) suppressed = 'quiet-hours';
    else if (folded) suppressed = 'folded';
    const alert: Alert = { at: now, ...fields, notify: suppressed === null, suppressed };
    alerts.push(alert);
    return alert;
  };

  flushAccountWindows(state.accounts, now, settings, emit, quiet);
  for (const signal of input.signals ?? []) {
    switch (signal.kind) {
      case 'account':
        onAccountTransition(state.accounts, signal.transition, now, settings, emit, quiet);
        break;
      case 'assignment':
        onAssignment(signal, settings, emit);
        break;
      case 'tunnel':
        state.tunnel = onTunnel(state.tunnel, signal.state, signal.at, now, settings, emit);
        break;
      case 'webhook-errors':
        onWebhookErrors(state.webhooks, signal.provider, signal.webhooks, emit);
        break;
      case 'public-url':
        onPublicUrlChange(signal, emit);
        break;
    }
  }
  flushAccountWindows(state.accounts, now, settings, emit, quiet);
  // After the signals, so an "up" in the same call wins over the grace running out.
  state.tunnel = checkTunnelGrace(state.tunnel, now, settings, emit);
  return { alerts, nextState: state, wakeAt: earliest(nextAccountWake(state.accounts), nextTunnelWake(state.tunnel, settings)) };
}

function earliest(...times: Array<number | null>): number | null {
  let out: number | null = null;
  for (const t of times) if (t !== null && (out === null || t < out)) out = t;
  return out;
}
