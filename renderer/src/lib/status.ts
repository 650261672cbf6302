// The overall state the status strip shows, derived from views the API already gives (pure, one function).
import type { AccountsBoard, HealthReport, ScreenName } from '../contract.js';

/**
 * Kept to one function on purpose: once the API has its own `status()` call, the lead swaps this function's
 * input for that answer and the strip stays as it is.
 */
export type StatusLevel = 'ok' | 'warning' | 'bad' | 'unknown';

export interface StatusPart {
  /** Stable id for tests and React keys. */
  key: 'accounts' | 'tunnel' | 'webhooks' | 'nothing';
  level: StatusLevel;
  /** A short sentence a person reads: "2 of 5 numbers down since 14:02". */
  text: string;
  /** The screen that shows the cause. */
  screen: ScreenName;
}

export interface OverallStatus {
  level: StatusLevel;
  parts: StatusPart[];
}

export interface StatusInputs {
  board: AccountsBoard | null;
  health: HealthReport | null;
  /** Formats an instant for "since …"; injected so the function stays pure and testable. */
  since: (at: number) => string;
}

const RANK: Record<StatusLevel, number> = { ok: 0, unknown: 1, warning: 2, bad: 3 };

function worst(levels: StatusLevel[]): StatusLevel {
  return levels.reduce<StatusLevel>((w, l) => (RANK[l] > RANK[w] ? l : w), 'ok');
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function accountsPart(board: AccountsBoard | null, since: (at: number) => string): StatusPart | null {
  if (!board) return null;
  if (!board.tracking.available) {
    const n = board.seen.length;
    return n === 0
      ? null
      : { key: 'accounts', level: 'unknown', text: `${plural(n, 'number', 'numbers')} seen, state not tracked`, screen: 'accounts' };
  }
  // Numbers without status events (WhatsAble cards, `activity`) have no state to count; their silence is an incident.
  const cards = board.tracking.accounts.filter((c) => !c.activity);
  if (cards.length === 0) return null;
  const down = cards.filter((c) => c.state === 'disconnected' || c.state === 'suspended');
  if (down.length === 0) {
    const unknown = cards.filter((c) => c.state === 'unknown').length;
    if (unknown === cards.length)
      return {
        key: 'accounts',
        level: 'unknown',
        text: `${plural(cards.length, 'number', 'numbers')}, state not known yet`,
        screen: 'accounts',
      };
    return {
      key: 'accounts',
      level: 'ok',
      text: cards.length === 1 ? 'The number is connected' : `All ${cards.length} numbers connected`,
      screen: 'accounts',
    };
  }
  const starts = down.map((c) => c.since).filter((s): s is number => s !== null);
  const earliest = starts.length ? Math.min(...starts) : null;
  const one = down.length === 1 ? down[0] : undefined;
  const who = one ? (one.name ?? one.phone ?? one.key) : `${down.length} of ${cards.length} numbers`;
  return {
    key: 'accounts',
    level: 'bad',
    text: `${who} ${down.length === 1 ? 'is' : 'are'} down${earliest !== null ? ` since ${since(earliest)}` : ''}`,
    screen: 'accounts',
  };
}

function tunnelPart(health: HealthReport | null): StatusPart | null {
  if (!health) return null;
  // No tunnel by design (`serve --no-tunnel`): nothing to report on the strip.
  if (!health.tunnel.available) return null;
  const t = health.tunnel.status;
  switch (t.state) {
    case 'up':
      return { key: 'tunnel', level: 'ok', text: 'Tunnel up', screen: 'health' };
    case 'off':
      return { key: 'tunnel', level: 'ok', text: 'Tunnel off (turned off)', screen: 'settings' };
    case 'connecting':
    case 'reconnecting':
      return { key: 'tunnel', level: 'warning', text: `Tunnel ${t.state}…`, screen: 'health' };
    case 'degraded':
      return { key: 'tunnel', level: 'warning', text: 'Tunnel slow or failing checks', screen: 'health' };
    case 'down':
      return { key: 'tunnel', level: 'bad', text: 'Tunnel down: webhooks cannot reach you', screen: 'health' };
  }
}

function webhooksPart(health: HealthReport | null): StatusPart | null {
  if (!health || !health.webhooks.available) return null;
  const hooks = health.webhooks.webhooks.filter((w) => w.enabled);
  if (hooks.length === 0) return null;
  const failing = hooks.filter((w) => (w.errorsCounter ?? 0) > 0);
  const stale = hooks.filter((w) => !w.pointsAtCurrentUrl);
  if (failing.length > 0) {
    return {
      key: 'webhooks',
      level: 'bad',
      text: `${plural(failing.length, 'provider webhook', 'provider webhooks')} failing`,
      screen: 'health',
    };
  }
  if (stale.length > 0) {
    return {
      key: 'webhooks',
      level: 'warning',
      text: `${plural(stale.length, 'webhook points', 'webhooks point')} at an old URL`,
      screen: 'setup',
    };
  }
  return { key: 'webhooks', level: 'ok', text: 'Provider webhooks delivering', screen: 'health' };
}

/** The strip's content: one part per concern, worst first; `level` is the worst part's. */
export function statusFromViews({ board, health, since }: StatusInputs): OverallStatus {
  const parts = [accountsPart(board, since), tunnelPart(health), webhooksPart(health)].filter((p): p is StatusPart => p !== null);
  if (!board && !health) return { level: 'unknown', parts: [] };
  if (parts.length === 0) {
    return { level: 'unknown', parts: [{ key: 'nothing', level: 'unknown', text: 'No number seen yet', screen: 'setup' }] };
  }
  parts.sort((a, b) => RANK[b.level] - RANK[a.level]);
  return { level: worst(parts.map((p) => p.level)), parts };
}
