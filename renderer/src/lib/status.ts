// How the status strip words the one overall status the core decides (main/contract/status.ts): pure.
import type { OverallStatus, ScreenName, StatusLevel } from '../contract.js';

/**
 * The strip does not judge anything itself: the level and the parts come from the API's getStatus() and
 * the `status` notification, the same answer the tray and `hookwatch status` give. This only turns each
 * part into a short line with its "since" and the screen that shows its cause.
 */

/** The strip's colours (the stylesheet's names): down is bad, degraded a warning. */
export type StripTone = 'ok' | 'warning' | 'bad' | 'unknown';

export interface StripPart {
  /** Stable id for tests and React keys: the part's kind, and its account or webhook key when it has one. */
  key: string;
  tone: StripTone;
  /** A short sentence a person reads: "Acme Support (+1555…) disconnected since 14:02". */
  text: string;
  /** The screen that shows the cause. */
  screen: ScreenName;
  /** On Accounts, the one number's card (its account key). */
  account?: string;
}

export interface Strip {
  tone: StripTone;
  parts: StripPart[];
}

const TONE: Record<StatusLevel, StripTone> = { ok: 'ok', degraded: 'warning', down: 'bad', unknown: 'unknown' };
const RANK: Record<StripTone, number> = { ok: 0, unknown: 1, warning: 2, bad: 3 };
/** More numbers down than this are told as one count (the Accounts screen lists them), so the strip stays one line. */
const MAX_ACCOUNT_PARTS = 3;

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The strip's lines for a status, worst first; `since` formats an instant (injected so this stays pure). */
export function stripOf(status: OverallStatus | null, since: (at: number) => string): Strip {
  if (!status) return { tone: 'unknown', parts: [] };
  const tone = TONE[status.level];
  if (status.parts.length === 0) {
    // Nothing to list: the summary says it ("tunnel up", "no number seen yet: cannot tell").
    const nothing = status.level === 'unknown';
    return {
      tone,
      parts: [{ key: nothing ? 'nothing' : 'summary', tone, text: capitalize(status.summary), screen: nothing ? 'setup' : 'health' }],
    };
  }
  const accountParts = status.parts.filter((p) => p.kind === 'account');
  const collapsed = accountParts.length > MAX_ACCOUNT_PARTS;
  const shown = collapsed ? status.parts.filter((p) => p.kind !== 'account') : status.parts;
  const parts = shown.map((p): StripPart => {
    const t = TONE[p.level];
    // "since" only where something is wrong (how long a fault has lasted is the point), and once: the count
    // of numbers carries it only when the numbers down are not listed with their own.
    const withSince = p.since !== null && t !== 'ok' && (p.kind !== 'accounts' || collapsed);
    return {
      key: p.link.key ? `${p.kind}:${p.link.key}` : p.kind,
      tone: t,
      text: capitalize(p.text) + (withSince ? ` since ${since(p.since!)}` : ''),
      screen: p.link.screen,
      ...(p.link.screen === 'accounts' && p.link.key ? { account: p.link.key } : {}),
    };
  });
  // Stable sort: the core's order (summary first) within a tone.
  parts.sort((a, b) => RANK[b.tone] - RANK[a.tone]);
  return { tone, parts };
}
