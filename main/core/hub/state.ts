// A follower applies the hub's account-state and incident messages to its own account board and alert rules.
import type { AlertSettings } from '../alerts/settings.js';
import type { HubRecord } from './encoding.js';

/** What a follower's alert service offers for this (AlertService fits as is). */
export interface HubStateTarget {
  apiAccounts(accounts: readonly unknown[], part?: { now?: number }): void;
  tunnelChanged(state: 'up' | 'down' | 'paused', at?: number): void;
  settings(): AlertSettings;
}

/** The fields of an account message's payload this side reads (the hub's AccountTransition, plus state and since). */
interface AccountMessage {
  key?: unknown;
  phone?: unknown;
  accountId?: unknown;
  name?: unknown;
  to?: unknown;
  state?: unknown;
  at?: unknown;
  since?: unknown;
  source?: unknown;
}

interface IncidentMessage {
  kind?: unknown;
  title?: unknown;
  at?: unknown;
  change?: unknown;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const time = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Applies one account or incident message; returns what it did or why it was ignored (a line for the
 * log), or null when there was nothing to do (the usual case: most state messages repeat what the
 * follower derives from the events).
 *
 * Why not copy the hub's account rows and alerts as they are: a follower raises its own alerts with its
 * own choices (quiet hours, mute, snooze, only-mine), and an alert copied from the hub would carry the
 * hub's. So each message is turned back into the input the follower's own rules take:
 *
 * | message                                   | the follower does                                                  |
 * |-------------------------------------------|--------------------------------------------------------------------|
 * | account change caused by a webhook event  | nothing more: that event is a message of the stream too, and the   |
 * |                                           | follower's board already placed it (applying both would double it) |
 * | account change from the hub's API check   | the same check result merged into its own board (`connected` →     |
 * |                                           | active, down → disconnected, at the hub's time): its own alert     |
 * | incident tunnel-down / tunnel-recovered   | the hub's tunnel as its own tunnel signal: nobody in the team      |
 * |                                           | receives while it is down (warned at once: the hub's grace passed) |
 * | other incidents (account-*, chat-*,       | nothing: account and chat alerts come from the follower's own      |
 * | webhook-*)                                | rules; webhook registration is the hub's job, not the follower's   |
 */
export function applyHubState(target: HubStateTarget, r: HubRecord): string | null {
  if (r.kind === 'event') return null;
  if (r.kind === 'account') {
    const m = (r.record ?? {}) as AccountMessage;
    const to = text(m.to) ?? text(m.state);
    const at = time(m.at) ?? time(m.since);
    if (m.source !== 'api') return null;
    if (to === null || at === null) return `account message ${r.msgId} has no state or time; ignored`;
    const phone = text(m.phone);
    const id = text(m.accountId);
    if (phone === null && id === null) return `account message ${r.msgId} names no account; ignored`;
    target.apiAccounts(
      [
        {
          ...(id ? { id } : {}),
          ...(phone ? { phone } : {}),
          status: to === 'connected' ? 'active' : 'disconnected',
          account_name: text(m.name),
        },
      ],
      { now: at },
    );
    return `account ${phone ?? id}: ${to} at the hub's account check`;
  }
  const m = (r.record ?? {}) as IncidentMessage;
  const at = time(m.at);
  if (m.change !== 'raised' || at === null) return null;
  if (m.kind === 'tunnel-down') {
    // The hub warned after its grace, so its tunnel went down at least that long ago: warn here at once.
    target.tunnelChanged('down', at - target.settings().tunnelDownGraceSeconds * 1000 - 1);
    // "Tunnel was down" is raised when the tunnel is already back (no tunnel-recovered follows it).
    if (String(m.title).startsWith('Tunnel was down')) {
      target.tunnelChanged('up', at);
      return "the hub's tunnel was down and is back";
    }
    return "the hub's tunnel is down";
  }
  if (m.kind === 'tunnel-recovered') {
    target.tunnelChanged('up', at);
    return "the hub's tunnel is back";
  }
  return null;
}
