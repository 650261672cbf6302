// HookwatchCore: opens the store and starts the receiver, alerts, tunnel and registration of one install.
import { mkdirSync } from 'node:fs';
import { AccountPoller } from './alerts/account-poller.js';
import { AlertService } from './alerts/service.js';
import { CatchupService, type CatchupServiceOptions } from './catchup/service.js';
import { clientGetJson, timelinesCatchupApi } from './catchup/timelines-adapter.js';
import { TimelinesApiClient } from './providers/timelines/api.js';
import type { TokenSource } from './providers/timelines/token-source.js';
import { sendTestEvent, type TestEventReport } from './test-event.js';
import { checkTimelinesToken, type TimelinesTokenCheck } from './providers/timelines/token-check.js';
import { NO_TOKEN, RegistrationQueue, type RegistrationOutcome } from './registration-queue.js';
import {
  rememberPublicUrl,
  startingTunnelPreferences,
  TunnelSupervisor,
  tunnelPreferencesOf,
  updateTunnelPreferences,
  type PublicUrlChange,
  type TunnelPreferenceValues,
  type TunnelSettings,
  type TunnelStatus,
} from './tunnel/index.js';
import { databasePath } from './paths.js';
import { Receiver, DEFAULT_PORT, type ReceiverOptions } from './receiver/receiver.js';
import { InlineWriter, WorkerWriter, writerWorkerScript, type DeliveryWriter } from './receiver/writer.js';
import { pruneOld, SearchIndexScheduler } from './retention.js';
import { applyHubState } from './hub/state.js';
import { checkTeamHubSettings, HubSettingsError, hubOptionsOf, readTeamHubSettings, saveTeamHubSettings } from './hub/settings.js';
import type { TeamHubSettings } from '../contract/api.js';
import {
  HubFollowing,
  HubPublishing,
  recordHubRuntime,
  type HubFollowOptions,
  type HubPublishOptions,
  type HubRuntimeStatus,
} from './hub/runtime.js';
import { HookwatchStore, type CommittedDelivery, type Durability } from './store/store.js';

export interface CoreOptions {
  dataDir: string;
  port?: number;
  durability?: Durability;
  receiver?: Partial<Omit<ReceiverOptions, 'store' | 'port' | 'onCommitted'>>;
  /**
   * Write deliveries on a worker thread instead of the main thread (default: main, or
   * HOOKWATCH_WRITER=thread). Measured equal throughput on a 2-core machine with a fast disk, where the
   * commit is cheap; on a slow disk the thread keeps each commit's fsync off the event loop.
   */
  writerThread?: boolean;
  /** TimelinesAI Public API access: enables the account check (and, with the tunnel, registration). */
  timelines?: { tokenSource: TokenSource; baseUrl?: string; accountCheckIntervalMs?: number };
  /** The public URL through localtunnel; absent = local only. Settings are validated at start (TunnelSettingsError). */
  tunnel?: Partial<Omit<TunnelSettings, 'localPort'>>;
  /** Keep TimelinesAI's webhooks pointed at each new public URL (needs `timelines` and `tunnel`). */
  register?: { eventTypes?: string[] };
  /** Called before anything starts, to subscribe to what the start itself may raise (catch-up alerts, first tunnel state). */
  setup?: (core: HookwatchCore) => void;
  /** How often retention runs (default hourly; it also runs once at start). */
  retentionIntervalMs?: number;
  log?: (line: string) => void;
  /** Publish every stored event, account change and incident to a team hub (serve --hub; docs/hub.md). */
  hub?: HubPublishOptions & { onStatus?: (s: HubRuntimeStatus) => void };
  /** Follow a hub (hookwatch follow): stores what the hub publishes; pass no `tunnel` or `register` with it. */
  follow?: HubFollowOptions & { onStatus?: (s: HubRuntimeStatus) => void; onFollowing?: () => void };
  /** Catch-up after downtime (main/core/catchup/service.ts): this run's limits (else the saved ones), or false for none. A follower has none. */
  catchup?: Pick<CatchupServiceOptions, 'limits' | 'heartbeatMs' | 'minGapMs' | 'concurrency'> | false;
}

/** Hears every commit of the receiver (accepted or not): the delivery row and its events, as stored. */
export type CommittedListener = (committed: CommittedDelivery) => void;
export type { RegistrationOutcome } from './registration-queue.js';

/** What the desktop shell needs of the tunnel (tray: pause; after wake: recheck). */
export interface TunnelControl {
  status(): { state: string; url: string | null };
  setEnabled(on: boolean): Promise<void>;
  recheck(): Promise<void>;
  onChange(listener: (s: TunnelStatus) => void): () => void;
}

/**
 * Hookwatch without a user interface: the database, the receiver and the scheduled clean-up.
 * `hookwatch serve` and the desktop shell both run exactly this.
 */
export class HookwatchCore {
  readonly store: HookwatchStore;
  readonly receiver: Receiver;
  readonly alerts: AlertService;
  private readonly writer: DeliveryWriter;
  /** Null without a TimelinesAI token source. */
  readonly timelinesClient: TimelinesApiClient | null;
  private readonly accountPoller: AccountPoller | null;
  private readonly listeners = new Set<CommittedListener>();
  private readonly registrationListeners = new Set<(r: RegistrationOutcome) => void>();
  /** Null when the core runs without a tunnel (local only). */
  tunnel: TunnelSupervisor | null = null;
  /** Null without a TimelinesAI token source. */
  private readonly registrations: RegistrationQueue | null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private indexScheduler: SearchIndexScheduler | null = null;
  private pruning: Promise<unknown> | null = null;
  /** The team hub: publishing (serve --hub), following (hookwatch follow), or null; Settings → Team hub may change it. */
  hub: HubPublishing | HubFollowing | null = null;
  /** This run's hub came from the command line: Settings saves a change for the next start. */
  readonly hubFixed: boolean;
  private hubChange: Promise<void> = Promise.resolve();
  /** Receiving marks and catch-up of gaps from the TimelinesAI API; null for a follower or with `catchup: false`. */
  readonly catchup: CatchupService | null;

  private constructor(
    private readonly options: CoreOptions,
    store: HookwatchStore,
  ) {
    this.store = store;
    this.alerts = new AlertService(store, (line) => this.log(line));
    const t = options.timelines;
    this.timelinesClient = t ? new TimelinesApiClient({ tokenSource: t.tokenSource, ...(t.baseUrl ? { baseUrl: t.baseUrl } : {}) }) : null;
    this.accountPoller = this.timelinesClient
      ? new AccountPoller(this.timelinesClient, this.alerts, {
          intervalMs: t?.accountCheckIntervalMs,
          log: (line) => this.log(line),
          hasToken: () => this.timelinesTokenConfigured(),
        })
      : null;
    this.registrations = this.timelinesClient
      ? new RegistrationQueue({
          client: this.timelinesClient,
          store,
          eventTypes: () => this.registerEventTypes(),
          hasToken: () => this.timelinesTokenConfigured(),
          stopping: () => this.stopping !== null,
          allowLocalUrl: process.env.HOOKWATCH_ALLOW_LOCAL_URL === '1',
          onHealth: (health) => {
            this.alerts.providerWebhooks(
              'timelines',
              health.map((h) => ({ id: h.webhookId, eventType: h.eventType, errorsCounter: h.errorsCounter })),
            );
            // A rising errors_counter: TimelinesAI failed to deliver while we thought we were up.
            this.safely(() => this.catchup?.webhookErrors(health.map((h) => ({ id: h.webhookId, errorsCounter: h.errorsCounter }))));
          },
          onOutcome: (outcome) => {
            for (const l of this.registrationListeners) this.safely(() => l(outcome));
          },
        })
      : null;
    this.catchup =
      options.catchup === false || options.follow || readTeamHubSettings(store).mode === 'follow'
        ? null
        : new CatchupService({
            store,
            api: this.timelinesClient ? timelinesCatchupApi(clientGetJson(this.timelinesClient)) : null,
            hasToken: () => this.timelinesTokenConfigured(),
            onCommitted: (c) => this.committed(c),
            // The receiver is created below; catch-up runs only once the core has started.
            receiverIdle: () => this.receiver.idle(),
            log: (line) => this.log(line),
            ...options.catchup,
          });
    // The outbox is switched on in this connection's store: a hub (command line or Settings) writes on the main thread.
    const useThread =
      !options.hub && readTeamHubSettings(store).mode !== 'publish' && (options.writerThread ?? process.env.HOOKWATCH_WRITER === 'thread');
    const script = useThread ? writerWorkerScript() : null;
    if (useThread && !script) this.log('the writer thread script is missing (not built?); writing on the main thread');
    this.writer = script
      ? new WorkerWriter(store.file, options.durability ?? 'full', script, (line) => this.log(line))
      : new InlineWriter(store, { checkpointThread: checkpointsOnThread(store), log: (line) => this.log(line) });
    this.receiver = new Receiver({
      ...options.receiver,
      writer: this.writer,
      store,
      port: options.port ?? DEFAULT_PORT,
      onCommitted: (committed) => this.committed(committed),
    });
    // The team hub: the command line's (`serve --hub`, `follow`) for this run, else the one saved in Settings → Team hub.
    this.hubFixed = Boolean(options.hub || options.follow);
    this.hub = this.makeHub(this.hubFixed ? options : hubOptionsOf(readTeamHubSettings(store)));
    if (!this.hub) recordHubRuntime(store, { role: 'off', hub: '', behind: null, at: Date.now() });
  }

  /** A publisher (hub) or a follower over this core's store, wired to its commits and alerts; null for neither. */
  private makeHub(o: Pick<CoreOptions, 'hub' | 'follow'>): HubPublishing | HubFollowing | null {
    const onStatus = o.hub?.onStatus ?? o.follow?.onStatus;
    const changed = () => this.safely(() => this.hub && onStatus?.(this.hub.status()));
    if (o.hub) return new HubPublishing(this.store, o.hub, changed);
    if (!o.follow) return null;
    return new HubFollowing(this.store, o.follow, {
      afterCommit: (all) => all.forEach((c) => this.committed(c)),
      applyState: (r) => {
        const line = applyHubState(this.alerts, r);
        if (line) this.log(`hub: ${line}`);
      },
      onChange: changed,
      ...(o.follow.onFollowing ? { onFollowing: o.follow.onFollowing } : {}),
    });
  }

  /**
   * Settings → Team hub: saves the choice and applies it now (the running publisher or follower stops,
   * the new one starts), unless this run's hub came from the command line: then it applies at the next start.
   */
  setTeamHub(settings: TeamHubSettings): Promise<void> {
    const checked = checkTeamHubSettings(settings);
    // The writer thread has its own connection, whose transactions would not queue outbox rows.
    if (checked.mode === 'publish' && this.writer instanceof WorkerWriter)
      throw new HubSettingsError(
        'this run writes on a separate thread (HOOKWATCH_WRITER=thread), which cannot publish: restart without it',
      );
    saveTeamHubSettings(this.store, checked);
    if (this.hubFixed) return Promise.resolve();
    // One change at a time: a second save waits for the first publisher or follower to stop.
    // A failed change (its stop threw) does not block the next one.
    this.hubChange = this.hubChange
      .catch(() => {})
      .then(async () => {
        const old = this.hub;
        this.hub = null;
        await old?.stop();
        // Publishing to publishing (another URL) keeps queueing outbox rows throughout: none is missed in between.
        if (checked.mode !== 'publish') this.store.hub.publishing = false;
        this.hub = this.makeHub(hubOptionsOf(checked));
        this.hub?.start();
        if (!this.hub) recordHubRuntime(this.store, { role: 'off', hub: '', behind: null, at: Date.now() });
      });
    return this.hubChange;
  }

  /** After every commit (the receiver's, or a follower's batch): alerts, listeners, and the hub's publisher. */
  private committed(committed: CommittedDelivery): void {
    if (committed.events.length > 0) {
      this.indexScheduler?.eventsStored();
      this.safely(() => this.alerts.afterIngest(committed.events.map((e) => e.type)));
    }
    for (const l of this.listeners) this.safely(() => l(committed));
    if (this.hub instanceof HubPublishing) this.hub.notify();
  }

  static async start(options: CoreOptions): Promise<HookwatchCore> {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const store = HookwatchStore.open(databasePath(options.dataDir), { durability: options.durability ?? 'full' });
    let core: HookwatchCore;
    try {
      core = new HookwatchCore(options, store);
    } catch (err) {
      store.close();
      throw err;
    }
    try {
      options.setup?.(core);
      // Account changes and incidents are queued in the alert service's own transactions (whichever hub runs then).
      const notifyHub = () => (core.hub instanceof HubPublishing ? core.hub.notify() : undefined);
      core.alerts.onAlert(notifyHub);
      core.alerts.onAccountsChanged(notifyHub);
      core.alerts.start();
      core.hub?.start();
      await core.receiver.start();
      if (options.tunnel) core.startTunnel(options.tunnel);
    } catch (err) {
      await core.stop();
      throw err;
    }
    core.accountPoller?.start();
    core.catchup?.start();
    core.runRetention();
    core.retentionTimer = setInterval(() => core.runRetention(), options.retentionIntervalMs ?? 60 * 60 * 1000);
    core.retentionTimer.unref();
    // The full-text index follows the events in batches (see HookwatchStore.indexSearch).
    // Armed by commits, so an idle app does not wake for it (see SearchIndexScheduler).
    core.indexScheduler = new SearchIndexScheduler(() => {
      let added = 0;
      core.safely(() => {
        added = core.store.indexSearch(5000);
      });
      return added;
    });
    core.indexScheduler.eventsStored();
    return core;
  }

  /** Every request the receiver committed, with what it stored (see CommittedDelivery). */
  onCommitted(listener: CommittedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRegistration(listener: (r: RegistrationOutcome) => void): () => void {
    this.registrationListeners.add(listener);
    return () => this.registrationListeners.delete(listener);
  }

  private readonly tunnelListeners = new Set<(s: TunnelStatus) => void>();
  private readonly publicUrlListeners = new Set<(url: string) => void>();

  /** Tunnel state changes, from the first one on (subscribe in `setup`). */
  onTunnelState(listener: (s: TunnelStatus) => void): () => void {
    this.tunnelListeners.add(listener);
    return () => this.tunnelListeners.delete(listener);
  }

  /** A new public base URL passed its end-to-end probe. */
  onPublicUrl(listener: (url: string) => void): () => void {
    this.publicUrlListeners.add(listener);
    return () => this.publicUrlListeners.delete(listener);
  }

  /** The tunnel server and subdomain: the running tunnel's (may come from the command line), else the saved ones. */
  tunnelPreferences(): TunnelPreferenceValues {
    return tunnelPreferencesOf(this.store, this.tunnel);
  }

  /** Validates (TunnelSettingsError), keeps for the next start, applies to the running tunnel (see tunnel/preferences.ts). */
  setTunnelPreferences(patch: { host?: string | null; subdomain?: string | null }): TunnelPreferenceValues {
    return updateTunnelPreferences(this.store, this.tunnel, patch, this.receiver.port);
  }

  private readonly publicUrlChangeListeners = new Set<(c: PublicUrlChange) => void>();

  /** The verified public URL differs from the one before (this run or the last): a URL pasted by hand is stale now. */
  onPublicUrlChanged(listener: (change: PublicUrlChange) => void): () => void {
    this.publicUrlChangeListeners.add(listener);
    return () => this.publicUrlChangeListeners.delete(listener);
  }

  private startTunnel(settings: Partial<Omit<TunnelSettings, 'localPort'>>): void {
    let last: string | null = null;
    // Settings saved from the window (and the name kept since the first run), unless the command line names its own.
    const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    const { lastPublicUrl, ...saved } = startingTunnelPreferences(this.store);
    this.tunnel = new TunnelSupervisor({
      settings: { ...saved, ...given, localPort: this.receiver.port },
      lastPublicUrl,
      log: (line) => this.log(line.startsWith('tunnel') ? line : `tunnel: ${line}`),
      onStateChange: (c) => {
        this.safely(() => this.store.recordTunnelState({ at: c.at, state: c.state, url: c.url, reason: c.reason }));
        this.safely(() => this.catchup?.tunnelState(c.state));
        // The alert rule wants up / down / paused; connecting and degraded keep the last word.
        const signal =
          c.state === 'up' ? 'up' : c.state === 'off' ? 'paused' : c.state === 'down' || c.state === 'reconnecting' ? 'down' : null;
        if (signal && signal !== last) {
          last = signal;
          this.safely(() => this.alerts.tunnelChanged(signal, c.at));
        }
        for (const l of this.tunnelListeners) this.safely(() => l(c));
      },
      onUrlChanged: (u) => {
        if (!u.url) return;
        this.safely(() => rememberPublicUrl(this.store, u.url));
        for (const l of this.publicUrlListeners) this.safely(() => l(u.url!));
        void this.registerAt(u.url);
      },
      onPublicUrlChanged: (c) => {
        this.safely(() => this.alerts.publicUrlChanged(c.from, c.to, c.at));
        for (const l of this.publicUrlChangeListeners) this.safely(() => l(c));
      },
    });
    this.tunnel.start();
  }

  /** The tunnel as the desktop shell drives it; null without a tunnel. */
  tunnelControl(): TunnelControl | null {
    const t = this.tunnel;
    if (!t) return null;
    return {
      status: () => ({ state: t.current.state, url: t.current.url }),
      setEnabled: async (on) => t.configure({ enabled: on }),
      recheck: async () => {
        await t.recheck();
      },
      onChange: (l) => t.onStateChange(l),
    };
  }

  /**
   * Points TimelinesAI's webhooks at a public URL that just passed a probe. One sync at a time, in
   * order, so the latest URL wins. Runs only with a token and `register`.
   */
  registerAt(url: string): Promise<unknown> {
    // Automatic with `register` (serve --register, the desktop app), or once the person registered from
    // the first-run screen (which remembers the chosen types).
    const auto = this.options.register !== undefined || this.store.meta.get('registerEventTypes') !== null;
    if (!this.registrations || !auto) return Promise.resolve();
    return this.registrations.enqueue(url, true);
  }

  /**
   * Registers now, at the current public URL (the first-run screen's "Register"). `eventTypes` becomes
   * the remembered choice for every later URL change.
   */
  async registerNow(eventTypes?: string[]): Promise<RegistrationOutcome> {
    if (eventTypes) this.store.meta.set('registerEventTypes', eventTypes);
    const url = this.tunnel?.current.url ?? null;
    if (!this.registrations || !(await this.timelinesTokenConfigured())) return { ok: false, url: url ?? '', error: NO_TOKEN };
    if (!url) {
      const state = this.tunnel ? `the tunnel is ${this.tunnel.current.state}` : 'the tunnel is off';
      return { ok: false, url: '', error: `no public URL yet (${state}); registration runs by itself once the tunnel is up` };
    }
    return this.registrations.enqueue(url, false);
  }

  async timelinesTokenConfigured(): Promise<boolean> {
    return Boolean(await this.options.timelines?.tokenSource.getToken().catch(() => null));
  }

  /** Sends a marked test event through the public URL when the tunnel is up, else to the local receiver. */
  async sendTestEvent(): Promise<TestEventReport> {
    const c = this.tunnel?.current;
    const up = c?.url && (c.state === 'up' || c.state === 'degraded');
    return sendTestEvent({
      url: up ? `${c.url!.replace(/\/+$/, '')}${this.receiver.webhookPath}` : this.receiver.localUrl,
      via: up ? 'tunnel' : 'local',
      isStored: (id) => this.store.getEvent(id) !== null,
    });
  }

  /** Whether the TimelinesAI token works, now (one GET /whatsapp_accounts); null when no token is configured. */
  async checkTimelinesToken(): Promise<TimelinesTokenCheck | null> {
    const t = this.options.timelines;
    if (!t || !(await this.timelinesTokenConfigured())) return null;
    return checkTimelinesToken({ tokenSource: t.tokenSource, ...(t.baseUrl ? { baseUrl: t.baseUrl } : {}) });
  }

  /** The event types to register: the command line's, else the remembered choice, else the default. */
  registerEventTypes(): string[] | undefined {
    return this.options.register?.eventTypes ?? this.store.meta.get('registerEventTypes') ?? undefined;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log(`listener failed: ${(err as Error).message}`);
    }
  }

  rotateSecret(): string {
    const secret = this.store.rotateWebhookSecret();
    this.receiver.setSecret(secret);
    return secret;
  }

  private runRetention(): void {
    if (this.pruning) return;
    this.pruning = pruneOld(this.store)
      .then((n) => {
        if (n.events || n.deliveries) this.log(`retention: deleted ${n.events} old events and ${n.deliveries} delivery-log rows`);
      })
      .catch((err: unknown) => this.log(`retention failed: ${(err as Error).message}`))
      .finally(() => {
        this.pruning = null;
      });
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stderr.write(`hookwatch: ${l}\n`)))(line);
  }

  /** Stop accepting, finish requests and writes in flight, close the database. */
  private stopping: Promise<void> | null = null;

  /** Idempotent: a second call waits for the first. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.indexScheduler?.stop();
    await this.accountPoller?.stop();
    // Before the tunnel: its last states would otherwise read as an outage before the clean stop.
    await this.catchup?.stop();
    await this.tunnel?.stop();
    // A sync still talking to TimelinesAI may retry for minutes; the URL it registers is gone anyway.
    await Promise.race([this.registrations?.idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await this.receiver.stop();
    await this.writer.close();
    // After the receiver: its last commits are in the outbox, and the publisher sends what it can before closing.
    await this.hubChange.catch(() => {});
    await this.hub?.stop();
    this.alerts.stop();
    await this.pruning;
    this.safely(() => {
      while (this.store.indexSearch() > 0) {
        /* leave the search index complete */
      }
    });
    this.store.close();
  }
}

/**
 * WAL checkpoints on their own thread (main/core/store/checkpointer.ts) for a durable database on a file,
 * unless HOOKWATCH_CHECKPOINTS=inline: with the commits' fsync already off the event loop, the receiver's
 * thread then never copies log pages into the file or waits for that file's fsync (docs/benchmarks.md).
 * A database kept without fsyncs (tests, benches of other things) has little to gain from a thread.
 */
function checkpointsOnThread(store: HookwatchStore): boolean {
  const choice = process.env.HOOKWATCH_CHECKPOINTS;
  if (choice === 'thread') return true;
  if (choice === 'inline') return false;
  return store.canDeferSync;
}
