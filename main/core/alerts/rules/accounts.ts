/**
 * Alert rules, account outages: an account down is critical, its recovery says how long it was
 * down, and flapping within a window folds into one summary.
 *
 * | signal                                        | alert                                   | severity |
 * |-----------------------------------------------|-----------------------------------------|----------|
 * | account -> disconnected / suspended           | account-down                            | critical |
 * | account down -> connected                     | account-recovered, "after 12 min down"  | recovery |
 * | account unknown -> connected (first sight)    | none                                    |          |
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
 */
import { isDown, type AccountState, type AccountTransition, API_SNAPSHOT_TYPE } from '../account-status.js';
import { formatDuration } from '../../local-time.js';
import type { AlertSettings } from '../settings.js';
import { MINUTE, type Alert, type Emit } from './types.js';

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

/** Keyed by account key (phone, else account id). */
export type AccountsMemory = Record<string, AccountRuleMemory>;

/** Released alerts per flap window before folding starts: an outage and its recovery. */
export const FLAP_RELEASED_PER_WINDOW = 2;

/** When the earliest flap window ends (its summary is due), or null. */
export function nextAccountWake(accounts: Readonly<AccountsMemory>): number | null {
  let wake: number | null = null;
  for (const m of Object.values(accounts)) if (m.window && (wake === null || m.window.end < wake)) wake = m.window.end;
  return wake;
}

/** Closes the flap windows that ended: one summary for a window with folded changes. Mutates `accounts`. */
export function flushAccountWindows(accounts: AccountsMemory, now: number, settings: AlertSettings, emit: Emit, quiet: boolean): void {
  for (const [key, m] of Object.entries(accounts)) {
    const w = m.window;
    if (!w || w.end > now) continue;
    if (w.folded === 0) {
      // Calm again: forget the account unless a break-through is pending (as for a first sight).
      if (m.downAlertBrokeThrough) accounts[key] = { ...m, window: null };
      else delete accounts[key];
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
    accounts[key] = {
      ...m,
      downAlertBrokeThrough: down ? m.downAlertBrokeThrough || brokeThrough : false,
      window:
        settings.flapWindowMinutes > 0
          ? { start: now, end: now + settings.flapWindowMinutes * MINUTE, summaryOnly: true, released: 0, folded: 0, lastEventId: null }
          : null,
    };
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
  const wasDown =
    isDown(t.from) && t.downSince !== null ? ` It has been down for ${formatDuration(t.at - t.downSince)} (was ${t.from}).` : '';
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

/** One account state change. Mutates `accounts`. */
export function onAccountTransition(
  accounts: AccountsMemory,
  t: AccountTransition,
  now: number,
  settings: AlertSettings,
  emit: Emit,
  quiet: boolean,
): void {
  const prev: AccountRuleMemory = accounts[t.key] ?? {
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
    downSince: isDown(t.to) ? (isDown(t.from) ? (t.downSince ?? t.at) : t.at) : null,
  };
  const down = isDown(t.to);
  const recovered = t.to === 'connected' && isDown(t.from);
  if (!down && !recovered) {
    // First sight of a connected account, or a change to unknown: nothing to tell. Nothing to remember
    // either unless a window is open or a break-through is pending (the next transition carries the
    // rest): an account check that first sees 200,000 accounts must not grow what every call copies.
    if (memory.window || memory.downAlertBrokeThrough) accounts[t.key] = memory;
    else delete accounts[t.key];
    return;
  }

  let window = prev.window && prev.window.end > now ? { ...prev.window } : null;
  let folded = false;
  if (settings.flapWindowMinutes > 0) {
    if (!window) {
      window = {
        start: now,
        end: now + settings.flapWindowMinutes * MINUTE,
        summaryOnly: false,
        released: 1,
        folded: 0,
        lastEventId: t.eventId,
      };
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
  // When the state changed, by the provider's clock: an incident opens and resolves then, not when a late
  // delivery told of it (never later than now: a provider clock ahead of ours is taken as now).
  const occurred = { occurredAt: Math.min(t.at, now) };
  const count = folded && window ? (window.summaryOnly ? window.folded : window.released + window.folded) : undefined;
  if (down) {
    const alert = emit({
      severity: 'critical',
      kind: 'account-down',
      ...accountRef(t.key, memory.phone),
      title: `Account ${t.to}: ${shortName}`,
      text: downText(t, label),
      ...eventRef,
      ...occurred,
      ...(count !== undefined ? { count } : {}),
      folded,
      breaksQuietHours: true,
    });
    const brokeThrough = alert.notify && quiet;
    memory.downAlertBrokeThrough = isDown(t.from) ? prev.downAlertBrokeThrough || brokeThrough : brokeThrough;
  } else {
    const downFor = t.downSince !== null ? ` after ${formatDuration(t.at - t.downSince)} down` : '';
    const how = t.source === 'api' ? " (per TimelinesAI's account list; the webhook event was missed)" : '';
    emit({
      severity: 'recovery',
      kind: 'account-recovered',
      ...accountRef(t.key, memory.phone),
      title: `Account connected again: ${shortName}`,
      text: `${label} is connected again${downFor} (was ${t.from})${how}.`,
      ...eventRef,
      ...occurred,
      ...(count !== undefined ? { count } : {}),
      folded,
      breaksQuietHours: prev.downAlertBrokeThrough,
    });
    memory.downAlertBrokeThrough = false;
  }
  memory.window = window;
  accounts[t.key] = memory;
}
