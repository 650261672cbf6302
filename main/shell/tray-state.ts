// The tray's look and tooltip from account, tunnel and alert state (pure).
import type { AccountState } from '../contract/api.js';
import { overallStatus, type OverallStatus } from '../contract/status.js';
import { clip, formatClock, formatDuration, type ClockFormat } from './shell-format.js';
import type { TunnelView } from './tunnel-control.js';

/**
 * What the tray shows, from plain data: the accounts' states, the tunnel, the snooze. Pure.
 *
 * The icon's look, first matching row wins:
 *
 *   | condition                                                             | look     |
 *   | --------------------------------------------------------------------- | -------- |
 *   | an account that is not muted is disconnected or suspended             | down     |
 *   | a muted account is down                                               | degraded |
 *   | the tunnel is down, degraded or reconnecting                          | degraded |
 *   | otherwise (all connected or unknown; tunnel up, connecting, off/none)  | ok       |
 *
 * Why: red means "act now", and a muted account is one the user chose not to be told about, yet it is
 * still not fine, so it is amber, not green. A tunnel in trouble loses events but no account is down.
 * A paused tunnel ('off') is the user's choice and the menu says so; "unknown" accounts are the normal
 * state before their first account event and are not a problem by themselves. Snoozing silences
 * notifications, not the icon: the icon always tells the truth.
 */

export type TrayLook = 'ok' | 'degraded' | 'down';

export interface TrayAccountInput {
  key: string;
  phone: string | null;
  name: string | null;
  state: AccountState;
  since: number | null;
  /** Start of the current outage when down (a disconnection then a suspension is one outage). */
  downSince?: number | null;
}

export interface TrayStateInput {
  accounts: readonly TrayAccountInput[];
  mutedAccounts: readonly string[];
  /** null: no tunnel in this build or configuration. */
  tunnel: TunnelView | null;
  snoozedUntil: number | null;
  now: number;
  clock?: ClockFormat;
}

export interface TrayAccountLine {
  key: string;
  /** Plain text for a menu line; names come from payloads and are clipped. */
  label: string;
  state: AccountState;
  down: boolean;
  muted: boolean;
}

export type TrayTunnelLine = { available: false; label: string } | { available: true; paused: boolean; state: string; label: string };

export interface TrayState {
  look: TrayLook;
  /** At most 127 characters: Windows cuts tray tooltips longer than that. */
  tooltip: string;
  /** Down accounts first, then unknown, then connected; by label within each. */
  accounts: TrayAccountLine[];
  tunnel: TrayTunnelLine;
  /** Only while the snooze lasts. */
  snoozedUntil: number | null;
  snoozeLabel: string | null;
  /** The overall status the API and `hookwatch status` report, from the same inputs (muted accounts left out). */
  status: OverallStatus;
}

export const TOOLTIP_MAX = 127;
const TROUBLED_TUNNEL_STATES = new Set(['down', 'degraded', 'reconnecting']);

export function isDown(state: AccountState): boolean {
  return state === 'disconnected' || state === 'suspended';
}

export function accountLabel(a: Pick<TrayAccountInput, 'key' | 'name' | 'phone'>): string {
  const name = a.name?.replace(/\s+/g, ' ').trim() || null;
  if (name && a.phone) return `${clip(name, 32)} (${a.phone})`;
  return clip(name ?? a.phone ?? a.key, 48);
}

const ORDER: Record<AccountState, number> = { disconnected: 0, suspended: 0, unknown: 1, connected: 2 };

function stateWords(a: TrayAccountInput, now: number): string {
  if (a.state === 'unknown') return 'no status yet';
  const from = isDown(a.state) ? (a.downSince ?? a.since) : a.since;
  return from === null || from === undefined ? a.state : `${a.state} for ${formatDuration(now - from)}`;
}

function tunnelLine(tunnel: TunnelView | null): TrayTunnelLine {
  if (!tunnel) return { available: false, label: 'Tunnel is off (not set up)' };
  const paused = tunnel.state === 'off';
  return { available: true, paused, state: tunnel.state, label: paused ? 'Tunnel paused' : `Tunnel ${tunnel.state}` };
}

export function trayStateFrom(input: TrayStateInput): TrayState {
  const muted = new Set(input.mutedAccounts);
  const lines = input.accounts
    .map((a) => {
      const label = accountLabel(a);
      const isMuted = muted.has(a.key);
      return {
        key: a.key,
        label: `${label} — ${stateWords(a, input.now)}${isMuted ? ' (muted)' : ''}`,
        sortLabel: label.toLowerCase(),
        state: a.state,
        down: isDown(a.state),
        muted: isMuted,
      };
    })
    .sort((x, y) => ORDER[x.state] - ORDER[y.state] || (x.sortLabel < y.sortLabel ? -1 : x.sortLabel > y.sortLabel ? 1 : 0));

  // The look derives from the one overall status (main/contract/status.ts) over the accounts that are not muted;
  // the tray only softens a tunnel outage to amber (no account is down) and shows muted outages as amber.
  const status = overallStatus({
    accounts: input.accounts
      .filter((a) => !muted.has(a.key))
      .map((a) => ({ key: a.key, label: accountLabel(a), state: a.state, since: a.downSince ?? a.since })),
    tunnel: input.tunnel
      ? { state: input.tunnel.state as NonNullable<Parameters<typeof overallStatus>[0]['tunnel']>['state'], since: null }
      : null,
    failingWebhooks: [],
    catchup: null,
  });
  const downMuted = lines.filter((l) => l.down && l.muted);
  const tunnelTrouble = input.tunnel !== null && TROUBLED_TUNNEL_STATES.has(input.tunnel.state);
  const look: TrayLook = status.parts.some((p) => p.kind === 'account')
    ? 'down'
    : downMuted.length > 0 || status.level === 'down' || status.level === 'degraded'
      ? 'degraded'
      : 'ok';

  const snoozedUntil = input.snoozedUntil !== null && input.snoozedUntil > input.now ? input.snoozedUntil : null;
  const snoozeLabel = snoozedUntil === null ? null : `Alerts snoozed until ${formatClock(snoozedUntil, input.now, input.clock)}`;

  const parts: string[] = [];
  const down = lines.filter((l) => l.down);
  if (lines.length === 0) parts.push('no WhatsApp accounts seen yet');
  else if (down.length === 0) parts.push(lines.length === 1 ? 'account OK' : `all ${lines.length} accounts OK`);
  else {
    const names = down.map((l) => accountLabel(input.accounts.find((a) => a.key === l.key)!)).join(', ');
    parts.push(`${down.length} of ${lines.length} account${lines.length === 1 ? '' : 's'} down: ${names}`);
  }
  if (tunnelTrouble) parts.push(`tunnel ${input.tunnel!.state}: events can be lost`);
  else if (input.tunnel?.state === 'off') parts.push('tunnel paused');
  if (snoozeLabel) parts.push(snoozeLabel.toLowerCase());

  return {
    look,
    tooltip: clip(`Hookwatch: ${parts.join('; ')}`, TOOLTIP_MAX),
    accounts: lines.map(({ sortLabel: _drop, ...l }) => l),
    tunnel: tunnelLine(input.tunnel),
    snoozedUntil,
    snoozeLabel,
    status,
  };
}
