import { toE164 } from '../phone.js';
import { isDown, type AccountState, type AccountTransition, API_SNAPSHOT_TYPE } from './account-status.js';
import { formatDuration, inDailyWindow, localMinuteOfDay, parseClockTime } from './local-time.js';
import { accountKeyOf, type AlertSettings } from './settings.js';

export { DEFAULT_ALERT_SETTINGS, defaultAlertSettings, parseAlertSettings, snoozeUntil, type AlertSettings } from './settings.js';

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
 * | chat assigned / unassigned, per setting below | chat-assigned / chat-unassigned         | info     |
 * | tunnel down longer than the grace (60 s)      | tunnel-down, "events are being lost"    | warning  |
 * | tunnel up after a tunnel-down warning         | tunnel-recovered, with the duration     | recovery |
 * | webhook errors_counter rises (new streak)     | webhook-errors                          | warning  |
 *
 * ## Flapping (per account; W = flapWindowMinutes, "released" = not folded)
 *
 * An outage and its recovery are two alerts the user wants promptly, so the first TWO alerts of
 * a window are released; what follows is folded (kept in history, not notified), and when the
 * window ends ONE summary tells how many changes there were and where the account ended up.
 * While the account keeps flapping, each further window gives only that one summary.
 *
 * | window                 | input                          | alert                                | window after              |
 * |------------------------|--------------------------------|--------------------------------------|---------------------------|
 * | none                   | transition                     | released                             | open [now, now+W), 1 used |
 * | open, < 2 released     | transition                     | released                             | 1 more used               |
 * | open, 2 released       | transition                     | folded (count so far)                | folded + 1                |
 * | summary-only           | transition                     | folded                               | folded + 1                |
 * | any, end reached       | folded = 0                     | none                                 | none (calm again)         |
 * | any, end reached       | folded > 0                     | ONE account-flapping summary, count =| summary-only [now, now+W) |
 * |                        |                                | changes in the window; critical if   |                           |
 * |                        |                                | down now, else warning               |                           |
 *
 * So ten changes in ten minutes notify three times (down, recovered, summary with count 10),
 * and an hour of flapping adds one summary per window, not one alert per change.
 *
 * ## Notify or not (first matching row wins; every alert is kept either way)
 *
 * | condition                                                     | notify | suppressed  |
 * |---------------------------------------------------------------|--------|-------------|
 * | the alert's account is muted                                  | no     | muted       |
 * | now < snoozedUntil (snooze all: 1, 4, 8 h, until tomorrow)    | no     | snoozed     |
 * | quiet hours now, and the alert does not break through         | no     | quiet-hours |
 * | folded by the flap rule                                       | no     | folded      |
 * | otherwise                                                     | yes    | (none)      |
 *
 * Breaking through quiet hours (only with criticalBreaksQuietHours): critical alerts, and the
 * recovery of an outage whose critical alert broke through (whoever was woken by "down" is told
 * "back"; a recovery of an outage they learnt about during the day waits for the morning).
 *
 * ## Tunnel (grace G = tunnelDownGraceSeconds)
 *
 * | memory               | input                         | alert                       | memory after            |
 * |----------------------|-------------------------------|-----------------------------|-------------------------|
 * | up / unknown / paused| down at t                     | none                        | down since t            |
 * | down                 | down again                    | none                        | keeps the first t       |
 * | down, not warned     | now - since > G               | tunnel-down warning         | warned                  |
 * | down, not warned     | up before G passed            | none                        | up                      |
 * | down, not warned     | up after G, no call between   | ONE tunnel-down "was down"  | up                      |
 * | down, warned         | up at t                       | tunnel-recovered            | up                      |
 * | any                  | paused (the user paused it)   | none: deliberate            | paused                  |
 *
 * ## Webhook errors_counter (TimelinesAI: consecutive failed deliveries, never auto-disabled)
 *
 * | memory for the webhook | counter c seen in a poll           | alert                         |
 * |------------------------|------------------------------------|-------------------------------|
 * | none                   | c = 0                              | none                          |
 * | none                   | c > 0 (failing before we looked)   | webhook-errors warning        |
 * | p, streak not warned   | c > p                              | webhook-errors warning        |
 * | p, streak warned       | c > p                              | kept, folded (count = c)      |
 * | p                      | c = p                              | none                          |
 * | p                      | c < p (a delivery succeeded since) | c = 0: streak over, none;     |
 * |                        |                                    | c > 0: a new streak, warning  |
 * Webhooks missing from a poll were deleted: their memory is dropped (GET /webhooks is complete).
 *
 * ## Chat assignments (info)
 *
 * | setting | assigned to me | taken from me (assigned to another) | unassigned from me | anything else |
 * |---------|----------------|-------------------------------------|--------------------|---------------|
 * | all     | alert          | alert                               | alert              | alert         |
 * | mine    | alert          | alert                               | alert              | nothing       |
 * | none    | nothing        | nothing                             | nothing            | nothing       |
 * "Nothing" means no alert at all (the setting chose not to hear of it), not a suppressed one.
 */

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

export type AlertSignal =
  | { kind: 'account'; transition: AccountTransition }
  | AssignmentSignal
  | { kind: 'tunnel'; state: 'up' | 'down' | 'paused'; at: number }
  /** One poll of the provider's webhook list (the whole list). */
  | { kind: 'webhook-errors'; provider: string; webhooks: WebhookErrorsSample[] };

export interface FlapWindow {
  start: number;
  end: number;
  /** After a summary, a window only collects changes for the next summary. */
  summaryOnly: boolean;
  released: number;
  folded: number;
  lastEventId: number | null;
}

export interface AccountRuleMemory {
  phone: string | null;
  name: string | null;
  state: AccountState;
  since: number | null;
  downSince: number | null;
  window: FlapWindow | null;
  /** The critical alert of the current outage notified during quiet hours. */
  downAlertBrokeThrough: boolean;
}

export interface TunnelMemory {
  state: 'up' | 'down' | 'paused' | 'unknown';
  downSince: number | null;
  warned: boolean;
}

export interface WebhookMemory {
  errorsCounter: number;
  warned: boolean;
}

/** The rules' memory: JSON-serialisable, persisted by the caller between calls. */
export interface AlertRulesState {
  accounts: Record<string, AccountRuleMemory>;
  tunnel: TunnelMemory;
  /** Keyed `<provider>:<webhook id>`. */
  webhooks: Record<string, WebhookMemory>;
}

export function initialAlertRulesState(): AlertRulesState {
  return { accounts: {}, tunnel: { state: 'unknown', downSince: null, warned: false }, webhooks: {} };
}

export interface AlertDecisionInput {
  now: number;
  settings: AlertSettings;
  state: AlertRulesState;
  /** Processed in order; none = only let time-driven rules fire (flap summaries, tunnel grace). */
  signals?: readonly AlertSignal[];
}

export interface AlertDecision {
  /** Every alert to keep in history, in order; `notify` says which to show. */
  alerts: Alert[];
  nextState: AlertRulesState;
  /** Call decideAlerts again (with no signals) at this instant, or null if nothing is pending. */
  wakeAt: number | null;
}

/** Released alerts per flap window before folding starts: an outage and its recovery. */
export const FLAP_RELEASED_PER_WINDOW = 2;

const MINUTE = 60_000;

type Draft = Omit<Alert, 'notify' | 'suppressed' | 'at'> & { folded?: boolean; breaksQuietHours?: boolean };

export function decideAlerts(input: AlertDecisionInput): AlertDecision {
  const { now, settings } = input;
  const state: AlertRulesState = {
    accounts: { ...input.state.accounts },
    tunnel: { ...input.state.tunnel },
    webhooks: { ...input.state.webhooks },
  };
  const alerts: Alert[] = [];
  const muted = new Set(settings.mutedAccounts.map(accountKeyOf));
  const quiet = inQuietHours(now, settings);
  const snoozed = settings.snoozedUntil !== null && now < settings.snoozedUntil;

  const emit = (d: Draft): Alert => {
    const { folded, breaksQuietHours, ...fields } = d;
    let suppressed: SuppressionReason | null = null;
    if ((d.accountKey && muted.has(d.accountKey)) || (d.accountPhone && muted.has(d.accountPhone))) suppressed = 'muted';
    else if (snoozed) suppressed = 'snoozed';
    else if (quiet && !(settings.criticalBreaksQuietHours && breaksQuietHours)) suppressed = 'quiet-hours';
    else if (folded) suppressed = 'folded';
    const alert: Alert = { at: now, ...fields, notify: suppressed === null, suppressed };
    alerts.push(alert);
    return alert;
  };

  flushDue(state, now, settings, emit, quiet);
  for (const signal of input.signals ?? []) {
    switch (signal.kind) {
      case 'account':
        onAccountTransition(state, signal.transition, now, settings, emit, quiet);
        break;
      case 'assignment':
        onAssignment(signal, settings, emit);
        break;
      case 'tunnel':
        onTunnel(state, signal.state, signal.at, now, settings, emit);
        break;
      case 'webhook-errors':
        onWebhookErrors(state, signal.provider, signal.webhooks, emit);
        break;
    }
  }
  flushDue(state, now, settings, emit, quiet);
  checkTunnelGrace(state, now, settings, emit);
  return { alerts, nextState: state, wakeAt: nextWake(state, settings) };
}

/** Whether `now` falls in the quiet hours, in the settings' zone. */
export function inQuietHours(now: number, settings: Pick<AlertSettings, 'quietHours' | 'timeZone'>): boolean {
  const q = settings.quietHours;
  if (!q.enabled) return false;
  const start = parseClockTime(q.start);
  const end = parseClockTime(q.end);
  if (start === null || end === null) return false;
  return inDailyWindow(localMinuteOfDay(now, settings.timeZone), start, end);
}

function graceMs(settings: AlertSettings): number {
  return settings.tunnelDownGraceSeconds * 1000;
}

function nextWake(state: AlertRulesState, settings: AlertSettings): number | null {
  let wake: number | null = null;
  const consider = (t: number) => {
    if (wake === null || t < wake) wake = t;
  };
  for (const m of Object.values(state.accounts)) if (m.window) consider(m.window.end);
  const t = state.tunnel;
  // "More than" the grace: the first whole millisecond past it.
  if (t.state === 'down' && !t.warned && t.downSince !== null) consider(t.downSince + graceMs(settings) + 1);
  return wake;
}

function flushDue(state: AlertRulesState, now: number, settings: AlertSettings, emit: (d: Draft) => Alert, quiet: boolean): void {
  for (const [key, m] of Object.entries(state.accounts)) {
    const w = m.window;
    if (!w || w.end > now) continue;
    if (w.folded === 0) {
      // Calm again: forget the account unless a break-through is pending (as for a first sight).
      if (m.downAlertBrokeThrough) state.accounts[key] = { ...m, window: null };
      else delete state.accounts[key];
      continue;
    }
    const count = w.summaryOnly ? w.folded : w.released + w.folded;
    const down = isDown(m.state);
    const label = accountLabel(m.name, m.phone, key);
    const minutes = Math.max(1, Math.round((w.end - w.start) / MINUTE));
    const where = down
      ? `Now ${m.state}${m.downSince !== null ? `, down for ${formatDuration(now - m.downSince)}` : ''}.`
      : `Now connected${m.since !== null ? ` (for ${formatDuration(now - m.since)})` : ''}.`;
    const alert = emit({
      severity: down ? 'critical' : 'warning',
      kind: 'account-flapping',
      ...accountRef(key, m.phone),
      title: `Account flapping: ${m.name ?? m.phone ?? key}`,
      text: `${label} changed state ${count} times in ${minutes} min. ${where}`,
      ...(w.lastEventId !== null ? { eventId: w.lastEventId } : {}),
      count,
      breaksQuietHours: down,
    });
    const brokeThrough = down && alert.notify && quiet;
    state.accounts[key] = {
      ...m,
      downAlertBrokeThrough: down ? m.downAlertBrokeThrough || brokeThrough : false,
      window:
        settings.flapWindowMinutes > 0
          ? { start: now, end: now + settings.flapWindowMinutes * MINUTE, summaryOnly: true, released: 0, folded: 0, lastEventId: null }
          : null,
    };
  }
}

/** The tunnel grace runs out: once per outage. Checked after the signals, so an "up" in the same call wins. */
function checkTunnelGrace(state: AlertRulesState, now: number, settings: AlertSettings, emit: (d: Draft) => Alert): void {
  const t = state.tunnel;
  if (t.state === 'down' && !t.warned && t.downSince !== null && now - t.downSince > graceMs(settings)) {
    emit({
      severity: 'warning',
      kind: 'tunnel-down',
      title: 'Tunnel down: events are being lost',
      text:
        `The public tunnel has been down for ${formatDuration(now - t.downSince)}. Providers cannot reach Hookwatch, ` +
        'and an event whose delivery attempts all fail while it is down is lost (TimelinesAI tries three times).',
    });
    state.tunnel = { ...t, warned: true };
  }
}

function accountRef(key: string, phone: string | null): Pick<Alert, 'accountKey' | 'accountPhone'> {
  return phone ? { accountKey: key, accountPhone: phone } : { accountKey: key };
}

function accountLabel(name: string | null, phone: string | null, key: string): string {
  if (name && phone) return `${name} (${phone})`;
  return name ?? phone ?? key;
}

function downText(t: AccountTransition, label: string): string {
  const wasDown = isDown(t.from) && t.downSince !== null ? ` It has been down for ${formatDuration(t.at - t.downSince)} (was ${t.from}).` : '';
  if (t.source === 'api' || t.eventType === API_SNAPSHOT_TYPE) {
    return (
      `${label} is disconnected, per TimelinesAI's account list (the webhook event was missed, e.g. while Hookwatch was off; ` +
      `that list shows suspended accounts as disconnected too).${wasDown}`
    );
  }
  switch (t.eventType) {
    case 'whatsapp:account:suspended':
      return `Message syncing for ${label} is suspended, usually because the TimelinesAI subscription was cancelled or downgraded.${wasDown}`;
    case 'waba:account:disabled':
      return `The WhatsApp Business number ${label} was disabled; it stays in the workspace and can be re-activated.${wasDown}`;
    case 'waba:account:disconnected':
      return `The WhatsApp Business number ${label} was removed from the workspace.${wasDown}`;
    default:
      return `${label} is disconnected from TimelinesAI: its messages are not synced until it is reconnected (scan the QR code again).${wasDown}`;
  }
}

function onAccountTransition(
  state: AlertRulesState,
  t: AccountTransition,
  now: number,
  settings: AlertSettings,
  emit: (d: Draft) => Alert,
  quiet: boolean,
): void {
  const prev: AccountRuleMemory = state.accounts[t.key] ?? {
    phone: t.phone,
    name: t.name,
    state: t.from,
    since: t.fromSince,
    downSince: t.downSince,
    window: null,
    downAlertBrokeThrough: false,
  };
  const memory: AccountRuleMemory = {
    ...prev,
    phone: t.phone ?? prev.phone,
    name: t.name ?? prev.name,
    state: t.to,
    since: t.at,
    downSince: isDown(t.to) ? (isDown(t.from) ? t.downSince ?? t.at : t.at) : null,
  };
  const down = isDown(t.to);
  const recovered = t.to === 'connected' && isDown(t.from);
  if (!down && !recovered) {
    // First sight of a connected account, or a change to unknown: nothing to tell. Nothing to remember
    // either unless a window is open or a break-through is pending (the next transition carries the
    // rest): an account check that first sees 200,000 accounts must not grow what every call copies.
    if (memory.window || memory.downAlertBrokeThrough) state.accounts[t.key] = memory;
    else delete state.accounts[t.key];
    return;
  }

  let window = prev.window && prev.window.end > now ? { ...prev.window } : null;
  let folded = false;
  if (settings.flapWindowMinutes > 0) {
    if (!window) {
      window = { start: now, end: now + settings.flapWindowMinutes * MINUTE, summaryOnly: false, released: 1, folded: 0, lastEventId: t.eventId };
    } else if (!window.summaryOnly && window.released < FLAP_RELEASED_PER_WINDOW) {
      window.released += 1;
      window.lastEventId = t.eventId;
    } else {
      window.folded += 1;
      window.lastEventId = t.eventId;
      folded = true;
    }
  }

  const label = accountLabel(memory.name, memory.phone, t.key);
  const shortName = memory.name ?? memory.phone ?? t.key;
  const eventRef = t.eventId !== null ? { eventId: t.eventId } : {};
  const count = folded && window ? (window.summaryOnly ? window.folded : window.released + window.folded) : undefined;
  if (down) {
    const alert = emit({
      severity: 'critical',
      kind: 'account-down',
      ...accountRef(t.key, memory.phone),
      title: `Account ${t.to}: ${shortName}`,
      text: downText(t, label),
      ...eventRef,
      ...(count !== undefined ? { count } : {}),
      folded,
      breaksQuietHours: true,
    });
    const brokeThrough = alert.notify && quiet;
    memory.downAlertBrokeThrough = isDown(t.from) ? prev.downAlertBrokeThrough || brokeThrough : brokeThrough;
  } else {
    const downFor = t.downSince !== null ? ` after ${formatDuration(t.at - t.downSince)} down` : '';
    const how = t.source === 'api' ? ' (per TimelinesAI\'s account list; the webhook event was missed)' : '';
    emit({
      severity: 'recovery',
      kind: 'account-recovered',
      ...accountRef(t.key, memory.phone),
      title: `Account connected again: ${shortName}`,
      text: `${label} is connected again${downFor} (was ${t.from})${how}.`,
      ...eventRef,
      ...(count !== undefined ? { count } : {}),
      folded,
      breaksQuietHours: prev.downAlertBrokeThrough,
    });
    memory.downAlertBrokeThrough = false;
  }
  memory.window = window;
  state.accounts[t.key] = memory;
}

function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function personLabel(p: Person | null): string {
  if (!p) return 'someone';
  return p.name && p.email ? `${p.name} <${p.email}>` : p.name ?? p.email ?? 'someone';
}

function onAssignment(s: AssignmentSignal, settings: AlertSettings, emit: (d: Draft) => Alert): void {
  if (settings.assignmentAlerts === 'none') return;
  const me = settings.myEmail;
  const toMe = s.action === 'assigned' && sameEmail(s.responsible?.email, me);
  const fromMe = sameEmail(s.previous?.email, me) && !toMe;
  if (settings.assignmentAlerts === 'mine' && !toMe && !fromMe) return;
  const chat = s.chatName ?? (s.chatId !== null ? `chat ${s.chatId}` : 'a chat');
  let title: string;
  let text: string;
  if (s.action === 'assigned') {
    title = toMe ? `Chat assigned to you: ${chat}` : fromMe ? `Chat taken from you: ${chat}` : `Chat assigned: ${chat}`;
    text = `${chat} was assigned to ${toMe ? 'you' : personLabel(s.responsible)}${s.previous ? ` (before: ${fromMe ? 'you' : personLabel(s.previous)})` : ''}.`;
  } else {
    title = fromMe ? `Chat unassigned from you: ${chat}` : `Chat unassigned: ${chat}`;
    text = `${chat} is no longer assigned to ${fromMe ? 'you' : personLabel(s.previous)}.`;
  }
  const phone = s.accountPhone ? toE164(s.accountPhone) : null;
  emit({
    severity: 'info',
    kind: s.action === 'assigned' ? 'chat-assigned' : 'chat-unassigned',
    ...(phone ? { accountPhone: phone, accountKey: phone } : {}),
    ...(s.chatId !== null ? { chatId: s.chatId } : {}),
    title,
    text,
    ...(s.eventId !== null ? { eventId: s.eventId } : {}),
  });
}

function onTunnel(
  state: AlertRulesState,
  next: 'up' | 'down' | 'paused',
  at: number,
  now: number,
  settings: AlertSettings,
  emit: (d: Draft) => Alert,
): void {
  const t = state.tunnel;
  if (next === 'down') {
    if (t.state !== 'down') state.tunnel = { state: 'down', downSince: Math.min(at, now), warned: false };
    return;
  }
  if (next === 'up' && t.state === 'down' && t.downSince !== null) {
    const downFor = formatDuration(Math.max(0, at - t.downSince));
    if (t.warned) {
      emit({
        severity: 'recovery',
        kind: 'tunnel-recovered',
        title: 'Tunnel back up',
        text: `The public tunnel is back after ${downFor} down. Events sent while it was down may be lost: check the provider for anything missing.`,
      });
    } else if (at - t.downSince > graceMs(settings)) {
      // Nobody called at wakeAt (the computer slept, say): one alert that tells the whole story, not "down" then "back".
      emit({
        severity: 'warning',
        kind: 'tunnel-down',
        title: 'Tunnel was down: events may have been lost',
        text: `The public tunnel was down for ${downFor} and is back now. Events sent while it was down may be lost: check the provider for anything missing.`,
      });
    }
  }
  state.tunnel = { state: next, downSince: null, warned: false };
}

function onWebhookErrors(state: AlertRulesState, provider: string, samples: readonly WebhookErrorsSample[], emit: (d: Draft) => Alert): void {
  const seen = new Set<string>();
  for (const w of samples) {
    const key = `${provider}:${w.id}`;
    seen.add(key);
    const c = Number.isFinite(w.errorsCounter) && w.errorsCounter > 0 ? Math.floor(w.errorsCounter) : 0;
    const m = state.webhooks[key];
    const p = m?.errorsCounter ?? 0;
    let warned = m?.warned ?? false;
    // The webhook URL carries the secret: name the webhook by its event type and id, never its URL.
    const what = `The ${providerName(provider)} webhook for ${w.eventType ?? 'an event type'} (id ${w.id})`;
    const title = w.eventType ?? `id ${w.id}`;
    const lost = 'Events whose delivery attempts all fail are lost; the provider does not disable the webhook.';
    if (c === 0) {
      warned = false;
    } else if (m === undefined || c < p || p === 0 || (c > p && !warned)) {
      // A new streak: first look, a drop (a delivery succeeded in between), or a rise from zero.
      const context = m === undefined ? 'when Hookwatch first looked' : c < p ? `(it was ${p}, so a delivery got through in between)` : `(was ${p})`;
      emit({
        severity: 'warning',
        kind: 'webhook-errors',
        title: `Webhook failing: ${title}`,
        text: `${what} had failed ${c} deliveries in a row ${context}. ${lost}`,
        count: c,
      });
      warned = true;
    } else if (c > p) {
      emit({
        severity: 'warning',
        kind: 'webhook-errors',
        title: `Webhook still failing: ${title}`,
        text: `${what} has now failed ${c} deliveries in a row (was ${p}). ${lost}`,
        count: c,
        folded: true,
      });
    }
    state.webhooks[key] = { errorsCounter: c, warned };
  }
  for (const key of Object.keys(state.webhooks)) {
    if (key.startsWith(`${provider}:`) && !seen.has(key)) delete state.webhooks[key];
  }
}

function providerName(provider: string): string {
  return provider === 'timelines' ? 'TimelinesAI' : provider === 'whatsable' ? 'WhatsAble' : provider;
}

/** Input for assignment alerts from a stored or normalized event. */
export interface AssignmentEventInput {
  id?: number | null;
  type: string;
  accountPhone: string | null;
  chatId: string | null;
  chatName: string | null;
  details: Record<string, unknown>;
}

function personOf(value: unknown): Person | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const name = typeof v.name === 'string' && v.name.trim() ? v.name.trim() : null;
  const email = typeof v.email === 'string' && v.email.trim() ? v.email.trim() : null;
  return name || email ? { name, email } : null;
}

/**
 * The assignment signal of an event, or null for other events. TimelinesAI's
 * `chat:responsible:*` carry `responsible_*` and `previous_responsible_*` (on unassign only the
 * previous one); WABA's `waba:chat:assigned` carries `responsible`, `waba:chat:unassigned` no one.
 */
export function assignmentSignalFromEvent(e: AssignmentEventInput): AssignmentSignal | null {
  let action: 'assigned' | 'unassigned';
  if (e.type === 'chat:responsible:assigned' || e.type === 'waba:chat:assigned') action = 'assigned';
  else if (e.type === 'chat:responsible:unassigned' || e.type === 'waba:chat:unassigned') action = 'unassigned';
  else return null;
  return {
    kind: 'assignment',
    action,
    eventId: e.id ?? null,
    chatId: e.chatId,
    chatName: e.chatName,
    accountPhone: e.accountPhone,
    responsible: action === 'assigned' ? personOf(e.details.responsible) : null,
    previous: personOf(e.details.previousResponsible),
  };
}
