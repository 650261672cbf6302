// The one overall status (all numbers connected, k down, tunnel down, webhooks failing, catch-up running) from its parts, pure.

/**
 * Decision table (first matching row wins for the overall level; every row also adds a part):
 *
 * | input                                              | part level | overall at least |
 * |----------------------------------------------------|------------|------------------|
 * | no account known and no tunnel/webhook information | unknown    | unknown          |
 * | tunnel enabled and state down                      | down       | down             |
 * | tunnel reconnecting / degraded (connecting: start) | degraded   | degraded         |
 * | account disconnected or suspended (each one)       | down       | down             |
 * | every known account down (and at least one known)  | down       | down             |
 * | account state unknown (some, not all)              | unknown    | (no change)      |
 * | provider webhook failing (errors or wrong URL)     | degraded   | degraded         |
 * | catch-up running                                   | ok (info)  | (no change)      |
 * | hub: messages waiting to publish for over 5 min    | degraded   | degraded         |
 * | hub publishing, or following a hub (N behind)      | ok (info)  | (no change)      |
 * | a number without status events silent (WhatsAble)  | degraded   | degraded         |
 * | numbers watched only by activity, none silent      | ok         | (known: not unknown) |
 * | all accounts connected, tunnel up or off           | ok         | ok               |
 *
 * Levels order: ok < unknown < degraded < down; the overall level is the worst part, except that
 * `unknown` only wins when nothing at all is known (so one unknown number among ten connected ones
 * does not make `hookwatch status` say "cannot tell"). Exit codes of `hookwatch status`: ok 0,
 * degraded and down 1, unknown 2.
 */

export type StatusLevel = 'ok' | 'degraded' | 'down' | 'unknown';
export type StatusPartKind = 'accounts' | 'account' | 'tunnel' | 'webhook' | 'catchup' | 'hub';

/** Where a part's cause is shown: a screen of the UI and, for one account or webhook, its key. */
export interface StatusLink {
  screen: 'accounts' | 'health' | 'alerts' | 'feed';
  key?: string;
}

export interface StatusPart {
  kind: StatusPartKind;
  level: StatusLevel;
  text: string;
  /** Since when this part has been in its state (ms since epoch); null when unknown. */
  since: number | null;
  link: StatusLink;
}

export interface OverallStatus {
  level: StatusLevel;
  /** One line for a tooltip or a terminal. */
  summary: string;
  parts: StatusPart[];
}

export interface StatusInputs {
  accounts: Array<{ key: string; label: string; state: 'connected' | 'disconnected' | 'suspended' | 'unknown'; since: number | null }>;
  /** null: not known here (no running tunnel, e.g. read from the store by the CLI). */
  tunnel: { state: 'connecting' | 'up' | 'degraded' | 'down' | 'reconnecting' | 'off'; since: number | null } | null;
  /** Registered webhooks that the provider reports failing, or that point at an older URL. */
  failingWebhooks: Array<{ key: string; provider: string; eventType: string; reason: string; since: number | null }>;
  catchup: { running: boolean; since: number | null } | null;
  /** The team hub (docs/hub.md): this install publishes (its outbox backlog, read at `at`) or follows (how far behind, as of `at`). */
  hub?:
    | { role: 'hub'; hub: string; backlog: number; oldestWaitingAt: number | null; at: number }
    | { role: 'follower'; hub: string; behind: number | null }
    | null;
  /**
   * Numbers that send no status events (WhatsAble): their only signal is activity; `silentSince` is set
   * while a silence warning is open (main/core/alerts/silence.ts).
   */
  watched?: Array<{ key: string; label: string; silentSince: number | null }>;
}

/** A hub backlog older than this means the broker has been away a while: the team is not getting events. */
const HUB_BACKLOG_STALE_MS = 5 * 60 * 1000;

const RANK: Record<StatusLevel, number> = { ok: 0, unknown: 1, degraded: 2, down: 3 };

export function exitCodeOf(level: StatusLevel): 0 | 1 | 2 {
  return level === 'ok' ? 0 : level === 'unknown' ? 2 : 1;
}

export function overallStatus(inputs: StatusInputs): OverallStatus {
  const parts: StatusPart[] = [];
  const known = inputs.accounts.filter((a) => a.state !== 'unknown');
  const down = inputs.accounts.filter((a) => a.state === 'disconnected' || a.state === 'suspended');
  const unknown = inputs.accounts.length - known.length;

  const t = inputs.tunnel;
  if (t && t.state === 'down')
    parts.push({ kind: 'tunnel', level: 'down', text: 'tunnel down', since: t.since, link: { screen: 'health' } });
  else if (t && (t.state === 'reconnecting' || t.state === 'degraded')) {
    parts.push({ kind: 'tunnel', level: 'degraded', text: `tunnel ${t.state}`, since: t.since, link: { screen: 'health' } });
  }

  for (const a of down) {
    parts.push({ kind: 'account', level: 'down', text: `${a.label} ${a.state}`, since: a.since, link: { screen: 'accounts', key: a.key } });
  }
  if (inputs.accounts.length > 0) {
    const total = inputs.accounts.length;
    const connected = known.length - down.length;
    let text: string;
    let level: StatusLevel;
    if (down.length === 0 && unknown === 0) {
      text = `all ${total} number${total === 1 ? '' : 's'} connected`;
      level = 'ok';
    } else {
      text = `${connected} of ${total} connected` + (down.length ? `, ${down.length} down` : '') + (unknown ? `, ${unknown} unknown` : '');
      level = down.length ? 'down' : known.length === 0 ? 'unknown' : 'ok';
    }
    const since = down.length ? Math.min(...down.map((a) => a.since ?? Infinity)) : null;
    parts.unshift({ kind: 'accounts', level, text, since: since === Infinity ? null : since, link: { screen: 'accounts' } });
  }

  const watched = inputs.watched ?? [];
  for (const w of watched) {
    if (w.silentSince === null) continue;
    parts.push({
      kind: 'account',
      level: 'degraded',
      text: `${w.label} silent`,
      since: w.silentSince,
      link: { screen: 'accounts', key: w.key },
    });
  }
  if (watched.length > 0 && inputs.accounts.length === 0) {
    const silent = watched.filter((w) => w.silentSince !== null).length;
    const n = watched.length;
    parts.unshift({
      kind: 'accounts',
      level: silent ? 'degraded' : 'ok',
      text: silent ? `${silent} of ${n} number${n === 1 ? '' : 's'} silent` : `${n} number${n === 1 ? '' : 's'} active`,
      since: null,
      link: { screen: 'accounts' },
    });
  }

  for (const w of inputs.failingWebhooks) {
    parts.push({
      kind: 'webhook',
      level: 'degraded',
      text: `${w.provider} webhook ${w.eventType} failing: ${w.reason}`,
      since: w.since,
      link: { screen: 'health', key: w.key },
    });
  }
  if (inputs.catchup?.running) {
    parts.push({ kind: 'catchup', level: 'ok', text: 'catch-up running', since: inputs.catchup.since, link: { screen: 'feed' } });
  }

  const h = inputs.hub;
  if (h?.role === 'hub') {
    const stale = h.backlog > 0 && h.oldestWaitingAt !== null && h.at - h.oldestWaitingAt > HUB_BACKLOG_STALE_MS;
    const text = h.backlog > 0 ? `hub ${h.hub}: ${h.backlog} waiting to publish` : `hub ${h.hub}: all published`;
    parts.push({
      kind: 'hub',
      level: stale ? 'degraded' : 'ok',
      text,
      since: h.backlog > 0 ? h.oldestWaitingAt : null,
      link: { screen: 'health' },
    });
  } else if (h?.role === 'follower') {
    const text = `following ${h.hub}, ${h.behind === null ? 'how far behind not known yet' : `${h.behind} behind`}`;
    parts.push({ kind: 'hub', level: 'ok', text, since: null, link: { screen: 'health' } });
  }

  const nothingKnown =
    known.length === 0 && watched.length === 0 && (t === null || t.state === 'off') && inputs.failingWebhooks.length === 0;
  let level: StatusLevel = 'ok';
  for (const p of parts) if (p.level !== 'unknown' && RANK[p.level] > RANK[level]) level = p.level;
  if (level === 'ok' && nothingKnown) level = 'unknown';

  const summary =
    level === 'unknown' && parts.length === 0
      ? 'no number seen yet: cannot tell'
      : parts
          .filter((p) => p.kind !== 'account')
          .map((p) => p.text)
          .join('; ') || (t?.state === 'up' ? 'tunnel up' : 'all well');
  return { level, summary, parts };
}
