// The tunnel's states, what a state change carries, and the backoff policies.
/**
 * The tunnel's states, as the user and the health view see them:
 *
 *   off ──start──▶ connecting ──probe ok──▶ up ◀──probe ok── degraded
 *                      │                     │ probe fails /   │
 *                      │                     │ socket trouble  │ N probes in a row fail:
 *                      │                     └───────────────▶ │ close the session
 *                      ▼                                        ▼
 *   registration fails / N first probes fail ──────────────▶  down ──backoff──▶ reconnecting ──probe ok──▶ up
 *                                                               ▲                    │
 *                                                               └────── fails ───────┘
 *
 * - connecting: the first attempt since start (or since the settings changed): register, then probe.
 * - up: the public URL passed an end-to-end probe.
 * - degraded: the tunnel is open but its last probe(s) failed; probes repeat quickly.
 * - down: no working tunnel; the next attempt is scheduled (`retryAt`).
 * - reconnecting: an attempt after a failure is under way.
 * - off: switched off in the settings, or stopped.
 */
export type TunnelState = 'off' | 'connecting' | 'up' | 'degraded' | 'down' | 'reconnecting';

export const TUNNEL_STATES: readonly TunnelState[] = ['off', 'connecting', 'up', 'degraded', 'down', 'reconnecting'];

/** Everything known about the tunnel at one moment. A state change carries the whole snapshot. */
export interface TunnelStatus {
  state: TunnelState;
  /** The verified public URL while up or degraded; null otherwise. */
  url: string | null;
  /** Why we are in this state, in words a person can act on; null when there is nothing to say. */
  reason: string | null;
  /** When this state was entered (ms since the epoch). */
  at: number;
  /** Which tunnel service, e.g. "localtunnel". */
  provider: string;
  /** The name every attempt asks for: the settings' subdomain, else the one the supervisor picked (null only before any). */
  requestedSubdomain: string | null;
  /** What the server granted for the current tunnel; null when there is no tunnel. */
  grantedSubdomain: string | null;
  /** False when the server handed out another name than the one asked for; null when there is no tunnel. */
  subdomainGranted: boolean | null;
  /** Failed attempts to open a working tunnel since it was last up (drives the backoff). */
  failedAttempts: number;
  /** While down: when the next attempt starts. */
  retryAt: number | null;
}

export type TunnelStateChange = TunnelStatus;

/** "A NEW url has passed a probe": the moment to point the providers' webhooks at it. */
export interface TunnelUrlChange {
  url: string;
  /** The URL that last passed a probe before this one (null on the first). */
  previousUrl: string | null;
  at: number;
}

/** "The public URL is not the one it was": whoever pasted the old one by hand (WhatsAble) must paste the new one. */
export interface PublicUrlChange {
  /** The URL verified before: earlier in this run, or by the previous run. */
  from: string;
  to: string;
  at: number;
}

export interface BackoffPolicy {
  /** Pause after the first failure. */
  baseMs: number;
  /** Longest pause before jitter. */
  maxMs: number;
  factor: number;
  /** Up to this fraction is added at random, so many clients that lost the same server do not return in step. */
  jitter: number;
}

/**
 * About 1 s, doubling, up to 5 min (plus up to 30 %). loca.lt has anti-abuse limits on reconnect loops, and its
 * outages can last hours; a minute-scale retry is plenty while nothing can be delivered anyway.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000, factor: 2, jitter: 0.3 };

export interface NameRetryPolicy {
  /** How long to keep asking for our name while the server hands out others, before using the one handed out. */
  windowMs: number;
  /** Pauses between those attempts (each is also cut to what is left of the window). */
  backoff: BackoffPolicy;
}

/**
 * Ask again after about 2 s, doubling up to a minute, for 10 minutes. The reference server forgets a client a
 * second after its last socket closes, so our own previous session usually frees the name within seconds; a
 * server that has not yet noticed a dead connection (after sleep, a lost network) may take minutes.
 */
export const DEFAULT_NAME_RETRY: NameRetryPolicy = {
  windowMs: 10 * 60_000,
  backoff: { baseMs: 2000, maxMs: 60_000, factor: 2, jitter: 0.3 },
};

/** Pause before attempt number `failures + 1`, given `failures` >= 1 failed attempts so far. */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  const n = Math.max(1, Math.floor(failures));
  const exponential = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.min(n - 1, 60));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(exponential * (1 + policy.jitter * r));
}
