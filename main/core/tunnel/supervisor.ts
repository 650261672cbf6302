// The tunnel supervisor: opens, proves, keeps and replaces the tunnel, always asking for the same name.
import { formatMs } from './http-get.js';
import { LocaltunnelProvider } from './localtunnel.js';
import { probePublicUrl, type ProbeFunction } from './probe.js';
import type { TunnelProvider, TunnelSession } from './provider.js';
import { generateSubdomain, resolveTunnelSettings, type TunnelSettings } from './settings.js';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  DEFAULT_NAME_RETRY,
  type BackoffPolicy,
  type NameRetryPolicy,
  type PublicUrlChange,
  type TunnelState,
  type TunnelStateChange,
  type TunnelStatus,
  type TunnelUrlChange,
} from './state.js';

export type { PublicUrlChange, TunnelState, TunnelStateChange, TunnelStatus, TunnelUrlChange } from './state.js';

/** Timers and clock, injectable so the state machine's tests run instantly. */
export interface TunnelClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const systemClock: TunnelClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface TunnelSupervisorOptions {
  /**
   * Validated here (see resolveTunnelSettings): a bad subdomain or host throws TunnelSettingsError at once. A null
   * subdomain means a random name picked once by this supervisor and asked for at every attempt; a name that
   * must survive restarts is kept by the caller (see preferences.ts) and given here.
   */
  settings: Partial<TunnelSettings> & { localPort: number };
  /** The tunnel service; default: our localtunnel client for `settings.host`. A function is called again when the settings change. */
  provider?: TunnelProvider | ((settings: TunnelSettings) => TunnelProvider);
  /** Default: GET <url>/__hookwatch/probe/<nonce> through the public URL. */
  probe?: ProbeFunction;
  /** Between probes while up (default 60 s). */
  probeIntervalMs?: number;
  /** Between probes after one failed, and between first probes of a new tunnel (default 10 s). */
  retryProbeIntervalMs?: number;
  /** Deadline of one probe (default 10 s). */
  probeTimeoutMs?: number;
  /** This many failed probes in a row close the tunnel and open a new one (default 3). */
  failedProbesBeforeRecreate?: number;
  /** Deadline of one registration, including the first tunnel socket (default 15 s). */
  registrationTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** How long, and how often, to ask again for our name when the server hands out another (default: DEFAULT_NAME_RETRY). */
  nameRetry?: { windowMs?: number; backoff?: Partial<BackoffPolicy> };
  /** The public URL verified last time (e.g. by the previous run), so a different URL now counts as a change. */
  lastPublicUrl?: string | null;
  clock?: TunnelClock;
  random?: () => number;
  onStateChange?: (change: TunnelStateChange) => void;
  onUrlChanged?: (change: TunnelUrlChange) => void | Promise<void>;
  /** The verified public URL is not the one verified before (in this run, or `lastPublicUrl`): see onPublicUrlChanged. */
  onPublicUrlChanged?: (change: PublicUrlChange) => void;
  /** Details that are not state changes (listener failures, socket trouble hints). Never given secrets. */
  log?: (line: string) => void;
}

type Phase = 'opening' | 'verifying' | 'live' | 'idle';

/**
 * Keeps a public URL working: opens a tunnel, proves it end to end with a probe through the public URL, and
 * replaces it (with exponential backoff and jitter) when probes keep failing. See state.ts for the states.
 *
 * Every asynchronous step is tagged with a generation number; a result that arrives after the supervisor moved on
 * (stop, settings change, a newer attempt) is dropped, and a session that opens too late is closed at once.
 */
export class TunnelSupervisor {
  private settings: TunnelSettings;
  private provider: TunnelProvider;
  private readonly providerFor: (settings: TunnelSettings) => TunnelProvider;
  private readonly probe: ProbeFunction;
  private readonly clock: TunnelClock;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly nameRetry: NameRetryPolicy;
  private readonly probeIntervalMs: number;
  private readonly retryProbeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly failedProbesBeforeRecreate: number;
  private readonly registrationTimeoutMs: number;
  private readonly stateListeners = new Set<(change: TunnelStateChange) => void>();
  private readonly urlListeners = new Set<(change: TunnelUrlChange) => void | Promise<void>>();
  private readonly publicUrlListeners = new Set<(change: PublicUrlChange) => void>();
  private readonly log: (line: string) => void;

  private status: TunnelStatus;
  private started = false;
  private generation = 0;
  private phase: Phase = 'idle';
  private session: TunnelSession | null = null;
  private timer: unknown = null;
  private abort: AbortController | null = null;
  private inFlight: Promise<unknown> | null = null;
  private probing = false;
  private failedProbes = 0;
  private failedAttempts = 0;
  private lastVerifiedUrl: string | null = null;
  /** The last verified URL of this run or, before the first, of the previous run: what a change is measured against. */
  private lastPublicUrl: string | null;
  /** Picked once: the name asked for while the settings name none. */
  private readonly ownName = generateSubdomain();
  /** Since when the server keeps handing out other names than ours (null: it granted ours, or nothing asked yet). */
  private nameRefusedSince: number | null = null;
  /** Attempts closed at once because the server handed out another name (drives their own backoff). */
  private nameRetries = 0;

  constructor(options: TunnelSupervisorOptions) {
    this.settings = resolveTunnelSettings(options.settings);
    const provider = options.provider;
    this.providerFor =
      typeof provider === 'function' ? provider : provider ? () => provider : (s) => new LocaltunnelProvider({ host: s.host });
    this.provider = this.providerFor(this.settings);
    this.probe = options.probe ?? probePublicUrl;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.nameRetry = {
      ...DEFAULT_NAME_RETRY,
      ...options.nameRetry,
      backoff: { ...DEFAULT_NAME_RETRY.backoff, ...options.nameRetry?.backoff },
    };
    this.lastPublicUrl = options.lastPublicUrl ?? null;
    this.probeIntervalMs = options.probeIntervalMs ?? 60_000;
    this.retryProbeIntervalMs = options.retryProbeIntervalMs ?? 10_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 10_000;
    this.failedProbesBeforeRecreate = Math.max(1, options.failedProbesBeforeRecreate ?? 3);
    this.registrationTimeoutMs = options.registrationTimeoutMs ?? 15_000;
    this.log = options.log ?? (() => {});
    if (options.onStateChange) this.stateListeners.add(options.onStateChange);
    if (options.onUrlChanged) this.urlListeners.add(options.onUrlChanged);
    if (options.onPublicUrlChanged) this.publicUrlListeners.add(options.onPublicUrlChanged);
    this.status = this.snapshot('off', null, this.settings.enabled ? 'not started' : 'the tunnel is switched off', {});
  }

  /** The current state (a copy). */
  get current(): TunnelStatus {
    return { ...this.status };
  }

  get currentSettings(): TunnelSettings {
    return { ...this.settings };
  }

  /** Listens to every state change; returns a function that stops listening. */
  onStateChange(listener: (change: TunnelStateChange) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Called when a URL different from the last verified one passes a probe (also the first). Returns an unsubscribe function. */
  onUrlChanged(listener: (change: TunnelUrlChange) => void | Promise<void>): () => void {
    this.urlListeners.add(listener);
    return () => this.urlListeners.delete(listener);
  }

  /**
   * Called only when the verified public URL really changed: it differs from the one verified before, in this run
   * or (given `lastPublicUrl`) in the previous one. Not for the very first URL, not when the same URL comes back
   * after a reconnect or restart. Whoever pasted the old URL by hand (WhatsAble) must be told. Returns an
   * unsubscribe function.
   */
  onPublicUrlChanged(listener: (change: PublicUrlChange) => void): () => void {
    this.publicUrlListeners.add(listener);
    return () => this.publicUrlListeners.delete(listener);
  }

  /** The name every attempt asks for: the settings' own, else the one this supervisor picked. */
  get wantedName(): string {
    return this.settings.subdomain ?? this.ownName;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (!this.settings.enabled) {
      this.setState('off', null, 'the tunnel is switched off');
      return;
    }
    this.attempt('connecting');
  }

  /**
   * Probe now (e.g. after the computer wakes from sleep). A failing tunnel is replaced at once, without waiting
   * for more probes or for the backoff: after sleep the old session is almost always gone. Resolves with the
   * state after that check (and any new tunnel's first probe) finished.
   */
  recheck(): Promise<TunnelStatus> {
    if (this.started && this.settings.enabled) {
      const state = this.status.state;
      if (state === 'down') {
        this.attempt('reconnecting');
      } else if ((state === 'up' || state === 'degraded') && !this.probing) {
        this.clearTimer();
        this.runProbe('recheck');
      }
    }
    return this.settled();
  }

  /** Resolves with the state once the work under way (registration, then its probe) has finished. */
  async settled(): Promise<TunnelStatus> {
    let last: Promise<unknown> | null = null;
    while (this.inFlight && this.inFlight !== last) {
      last = this.inFlight;
      await last;
    }
    return this.current;
  }

  /** The settings in use (after validation), e.g. for a settings screen to start from. */
  get settingsInUse(): Readonly<TunnelSettings> {
    return { ...this.settings };
  }

  /** Applies new settings; the tunnel is replaced only when something that matters for it changed. */
  configure(settings: Partial<TunnelSettings>): void {
    const next = resolveTunnelSettings({ ...this.settings, ...settings });
    const prev = this.settings;
    this.settings = next;
    if (next.enabled === prev.enabled && next.host === prev.host && next.subdomain === prev.subdomain && next.localPort === prev.localPort)
      return;
    if (next.host !== prev.host) this.provider = this.providerFor(next);
    this.failedAttempts = 0;
    this.nameRefusedSince = null;
    this.nameRetries = 0;
    if (!this.started) {
      this.status = this.snapshot('off', null, next.enabled ? 'not started' : 'the tunnel is switched off', {});
      return;
    }
    this.teardown();
    if (next.enabled) this.attempt('connecting');
    else this.setState('off', null, 'the tunnel is switched off');
  }

  /** Closes the tunnel and cancels every timer and request; resolves when nothing is left running. */
  async stop(): Promise<void> {
    const pending = this.inFlight;
    this.started = false;
    this.teardown();
    if (this.status.state !== 'off') this.setState('off', null, 'stopped');
    if (pending) await pending.catch(() => {});
  }

  // ---- the machine -------------------------------------------------------------------------------------------

  private attempt(kind: 'connecting' | 'reconnecting'): void {
    this.teardown();
    const gen = this.generation;
    // The same name at every attempt: a provider's webhook, or a URL pasted by hand, keeps working only if the URL does.
    const requestedName = this.wantedName;
    const where = `${this.settings.host} as "${requestedName}"`;
    this.setState(
      kind,
      null,
      this.failedAttempts === 0 ? `opening a tunnel at ${where}` : `attempt ${this.failedAttempts + 1}: opening a tunnel at ${where}`,
    );
    const abort = new AbortController();
    this.abort = abort;
    this.phase = 'opening';
    const opening = (async () => {
      let session: TunnelSession;
      // The provider promises to honour timeoutMs, but a registration that never settles is exactly the stock
      // client's failure mode (docs/localtunnel.md), so the supervisor keeps its own deadline too (a little later, so
      // the provider's more specific message wins when it does time out).
      let deadline: unknown = null;
      const guard = new Promise<never>((_, reject) => {
        deadline = this.clock.setTimeout(
          () => reject(new Error(`registration with ${this.settings.host} did not finish within ${formatMs(this.registrationTimeoutMs)}`)),
          this.registrationTimeoutMs + 1000,
        );
      });
      let opened: Promise<TunnelSession>;
      try {
        opened = this.provider.open({
          localPort: this.settings.localPort,
          requestedName,
          timeoutMs: this.registrationTimeoutMs,
          signal: abort.signal,
          onTrouble: (reason) => this.onTrouble(gen, reason),
        });
      } catch (err) {
        opened = Promise.reject(err as Error);
      }
      try {
        session = await Promise.race([opened, guard]);
      } catch (err) {
        abort.abort();
        // If our deadline won, a session may still arrive later: close it then.
        opened.then(
          (late) => late.close(),
          () => {},
        );
        if (gen !== this.generation) return;
        this.failAttempt((err as Error).message || String(err));
        return;
      } finally {
        this.clock.clearTimeout(deadline);
      }
      if (gen !== this.generation) {
        session.close();
        return;
      }
      if (this.retryForOurName(session, requestedName)) return;
      this.session = session;
      this.abort = null;
      this.phase = 'verifying';
      this.failedProbes = 0;
      this.runProbe('first');
    })();
    this.track(opening);
  }

  /**
   * localtunnel hands out a random name, silently, when the one asked for is taken: most often by our own previous
   * session, which the server forgets a little after its sockets close (a reconnect, a restart, a server that has
   * not noticed a dead connection yet). So a refused name is asked for again, with backoff, for up to
   * `nameRetry.windowMs`, before the name handed out is used; each URL change costs whoever pasted the URL by
   * hand their events. The window is spent once per refusal streak: after settling, a later refusal is taken at
   * once (until our name is granted again, the settings change, or the app restarts), so a name held by someone
   * else for good costs one window, not one per reconnect. Returns true when the session was closed to retry.
   */
  private retryForOurName(session: TunnelSession, requestedName: string): boolean {
    if (session.grantedName === requestedName) {
      this.nameRefusedSince = null;
      this.nameRetries = 0;
      return false;
    }
    const now = this.clock.now();
    this.nameRefusedSince ??= now;
    const left = this.nameRefusedSince + this.nameRetry.windowMs - now;
    if (left <= 0) return false;
    session.close();
    this.teardown();
    this.nameRetries++;
    const delay = Math.max(0, Math.min(left, backoffDelay(this.nameRetries, this.nameRetry.backoff, this.random)));
    this.setState(
      'down',
      null,
      `the server handed out "${session.grantedName}" instead of "${requestedName}" (probably still held by our previous session); ` +
        `asking for "${requestedName}" again in ${formatMs(delay)}, and using another name only if it is still taken ${formatMs(left)} from now`,
      { at: now, retryAt: now + delay },
    );
    const gen = this.generation;
    this.schedule(delay, () => {
      if (gen === this.generation) this.attempt('reconnecting');
    });
    return true;
  }

  private runProbe(why: 'first' | 'scheduled' | 'trouble' | 'recheck'): void {
    const session = this.session;
    if (!session) return;
    const gen = this.generation;
    const abort = new AbortController();
    this.abort = abort;
    this.probing = true;
    const probing = (async () => {
      let result;
      try {
        result = await this.probe(session.url, { timeoutMs: this.probeTimeoutMs, signal: abort.signal });
      } catch (err) {
        result = { ok: false as const, reason: `probe failed: ${(err as Error).message}` };
      }
      if (gen !== this.generation) return;
      this.probing = false;
      this.abort = null;
      if (result.ok) this.probePassed(session);
      else this.probeFailed(session, result.reason, why);
    })();
    this.track(probing);
  }

  private probePassed(session: TunnelSession): void {
    this.failedProbes = 0;
    const wasVerifying = this.phase === 'verifying';
    this.phase = 'live';
    if (wasVerifying) {
      this.failedAttempts = 0;
      const reason = this.subdomainNote(session);
      if (reason) this.log(`tunnel: ${reason}`);
      this.setState('up', session.url, reason);
      if (session.url !== this.lastVerifiedUrl) {
        const change: TunnelUrlChange = { url: session.url, previousUrl: this.lastVerifiedUrl, at: this.clock.now() };
        this.lastVerifiedUrl = session.url;
        this.emitUrlChanged(change);
      }
      if (session.url !== this.lastPublicUrl) {
        const from = this.lastPublicUrl;
        this.lastPublicUrl = session.url;
        if (from !== null) this.emitPublicUrlChanged({ from, to: session.url, at: this.clock.now() });
      }
    } else if (this.status.state !== 'up') {
      this.setState('up', session.url, this.subdomainNote(session));
    }
    this.schedule(this.probeIntervalMs, () => this.runProbe('scheduled'));
  }

  /** A tunnel on another name than ours is used only after retryForOurName gave up (docs/localtunnel.md): say so, and what happens next. */
  private subdomainNote(session: TunnelSession): string | null {
    const requested = this.wantedName;
    if (session.grantedName === requested) return null;
    const tried = this.nameRetries > 0 ? `asked for it ${this.nameRetries + 1} times over ${formatMs(this.nameRetry.windowMs)}, then ` : '';
    return (
      `the subdomain "${requested}" was not granted; the server handed out "${session.grantedName}" ` +
      `(the name is probably still held by an earlier session, or by someone else); ${tried}settled on "${session.grantedName}" ` +
      `and asks for "${requested}" again at the next reconnect or restart. Webhooks will use ${session.url}.`
    );
  }

  private probeFailed(session: TunnelSession, reason: string, why: 'first' | 'scheduled' | 'trouble' | 'recheck'): void {
    this.failedProbes++;
    if (this.phase === 'verifying') {
      if (this.failedProbes >= this.failedProbesBeforeRecreate) {
        this.failAttempt(`the new tunnel ${session.url} failed ${this.failedProbes} probes: ${reason}`);
      } else {
        this.schedule(this.retryProbeIntervalMs, () => this.runProbe('first'));
      }
      return;
    }
    if (why === 'recheck') {
      // After sleep the server has usually dropped us: replace the tunnel now instead of probing two more times.
      this.setState('down', null, `re-check failed: ${reason}; opening a new tunnel`);
      this.attempt('reconnecting');
      return;
    }
    if (this.failedProbes >= this.failedProbesBeforeRecreate) {
      this.failAttempt(`${this.failedProbes} probes in a row failed (last: ${reason.replace(/^probe failed: /, '')})`);
      return;
    }
    this.setState(
      'degraded',
      session.url,
      `${reason} (${this.failedProbes} of ${this.failedProbesBeforeRecreate} before the tunnel is replaced)`,
    );
    this.schedule(this.retryProbeIntervalMs, () => this.runProbe('scheduled'));
  }

  private onTrouble(gen: number, reason: string): void {
    if (gen !== this.generation || !this.started) return;
    this.log(`tunnel: ${reason}`);
    // Only a hint: the probe decides. While verifying, the first-probe schedule already runs.
    if (this.phase === 'live' && !this.probing) {
      this.clearTimer();
      this.runProbe('trouble');
    }
  }

  private failAttempt(reason: string): void {
    this.teardown();
    this.failedAttempts++;
    const delay = backoffDelay(this.failedAttempts, this.backoff, this.random);
    const at = this.clock.now();
    this.setState('down', null, `${reason}; next attempt in ${formatMs(delay)}`, { at, retryAt: at + delay });
    const gen = this.generation;
    this.schedule(delay, () => {
      if (gen === this.generation) this.attempt('reconnecting');
    });
  }

  /** Ends the current session, request and timer, and moves to a new generation so late results are dropped. */
  private teardown(): void {
    this.generation++;
    this.clearTimer();
    this.abort?.abort();
    this.abort = null;
    this.probing = false;
    this.session?.close();
    this.session = null;
    this.phase = 'idle';
    this.failedProbes = 0;
  }

  private schedule(ms: number, fn: () => void): void {
    this.clearTimer();
    const gen = this.generation;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (gen === this.generation && this.started) fn();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.log(`tunnel: unexpected failure: ${(err as Error).message}`));
    this.inFlight = tracked;
    void tracked.finally(() => {
      if (this.inFlight === tracked) this.inFlight = null;
    });
  }

  // ---- reporting ---------------------------------------------------------------------------------------------

  private snapshot(state: TunnelState, url: string | null, reason: string | null, extra: { at?: number; retryAt?: number }): TunnelStatus {
    const session = state === 'up' || state === 'degraded' ? this.session : null;
    const requested = this.wantedName;
    return {
      state,
      url,
      reason,
      at: extra.at ?? this.clock.now(),
      provider: this.provider.id,
      requestedSubdomain: requested,
      grantedSubdomain: session?.grantedName ?? null,
      subdomainGranted: session ? session.grantedName === requested : null,
      failedAttempts: this.failedAttempts,
      retryAt: extra.retryAt ?? null,
    };
  }

  private setState(state: TunnelState, url: string | null, reason: string | null, extra: { at?: number; retryAt?: number } = {}): void {
    const prev = this.status;
    const next = this.snapshot(state, url, reason, extra);
    if (prev.state === next.state && prev.url === next.url && prev.reason === next.reason) return;
    this.status = next;
    for (const listener of [...this.stateListeners]) {
      try {
        listener({ ...next });
      } catch (err) {
        this.log(`tunnel: a state listener failed: ${(err as Error).message}`);
      }
    }
  }

  private emitPublicUrlChanged(change: PublicUrlChange): void {
    this.log(`tunnel: the public URL changed from ${change.from} to ${change.to}`);
    for (const listener of [...this.publicUrlListeners]) {
      try {
        listener({ ...change });
      } catch (err) {
        this.log(`tunnel: a public-url-changed listener failed: ${(err as Error).message}`);
      }
    }
  }

  private emitUrlChanged(change: TunnelUrlChange): void {
    for (const listener of [...this.urlListeners]) {
      try {
        const result = listener({ ...change });
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err: unknown) => this.log(`tunnel: a url-changed listener failed: ${(err as Error).message}`));
        }
      } catch (err) {
        this.log(`tunnel: a url-changed listener failed: ${(err as Error).message}`);
      }
    }
  }
}
