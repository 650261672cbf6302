// The hub as the core runs it: publishing and forwarding on a hub (`serve --hub`), or following one (`hookwatch follow`).
import type { HubHealth } from '../../contract/api.js';
import type { CommittedDelivery, HookwatchStore } from '../store/store.js';
import { HubLink, redactUrl, type HubConnectionConfig } from './connection.js';
import { HubFollower, type FollowerStatus } from './follower.js';
import { ForwarderPool, storeForwardLog, type ForwarderStatus } from './forwarder.js';
import type { HubRecord } from './encoding.js';
import { followerStoreSink } from './ingest.js';
import type { PublisherStatus } from './publisher.js';
import { PublisherThread, type Publisher } from './publisher-thread.js';
import { DAY_MS } from './stream.js';

/** `serve --hub URL [--hub-creds FILE] [--hub-retention-days N] [--hub-workspace NAME]`. */
export interface HubPublishOptions {
  url: string;
  credsFile?: string;
  /** How long the broker keeps messages (the stream's max age); default 30 days. */
  retentionDays?: number;
  /** The first subject token (`hookwatch.<workspace>.…`); default `default`. */
  workspace?: string;
  /** TLS files: a private CA to trust, a client certificate and key for mutual TLS (docs/hub.md, Security). */
  tls?: HubConnectionConfig['tls'];
}

/** `follow URL --name NAME [--hub-creds FILE]`. */
export interface HubFollowOptions {
  url: string;
  /** This install's durable consumer: hookwatch-follow-<name>. */
  name: string;
  credsFile?: string;
  /** Follow one workspace, or all (`*`, the default). */
  workspace?: string;
  tls?: HubConnectionConfig['tls'];
}

/** What health and `status` show of the hub (no credentials). */
export interface HubRuntimeStatus {
  role: 'hub' | 'follower';
  /** The hub's servers as shown to people (credentials never included). */
  hub: string;
  publisher: PublisherStatus | null;
  follower: FollowerStatus | null;
  forwarding: ForwarderStatus[];
}

const DESTINATIONS_EVERY_MS = 2000;

/**
 * What a running hub or follower leaves in the store for `hookwatch status`, which runs in another
 * process: the role and the hub as shown to people (never credentials), and a follower's distance
 * behind the stream as of `at`. A hub's backlog is read from the outbox itself.
 */
export interface HubRuntimeRecord {
  role: 'hub' | 'follower' | 'off';
  hub: string;
  behind: number | null;
  at: number;
}

export function readHubRuntime(store: HookwatchStore): HubRuntimeRecord | null {
  const r = store.meta.get('hubRuntime');
  if (!r || (r.role !== 'hub' && r.role !== 'follower') || typeof r.hub !== 'string') return null;
  return {
    role: r.role,
    hub: r.hub,
    behind: typeof r.behind === 'number' ? r.behind : null,
    at: typeof r.at === 'number' ? r.at : 0,
  };
}

/** Records the role (or `off`: this install neither publishes nor follows now). */
export function recordHubRuntime(store: HookwatchStore, r: HubRuntimeRecord): void {
  const before = store.meta.get('hubRuntime');
  if (r.role === 'off' && (before === null || before.role === 'off')) return;
  store.meta.set('hubRuntime', { ...r });
}

/**
 * Before its first connection every part (publisher, forwarders, follower) waits on the link, and only
 * the link knows why it cannot connect (a wrong CA, a refused certificate): the status shows that reason.
 */
function withLinkError<T extends { state: string; lastError: string | null }>(s: T, link: HubLink): T {
  return s.state === 'connecting' && s.lastError === null && link.state === 'connecting' && link.lastError !== null
    ? { ...s, lastError: link.lastError }
    : s;
}

/**
 * Stops the parts, then the link. A link that never connected is closed first: the parts are still waiting
 * for its first connection, which a closed link ends (with none); otherwise their stop would wait forever,
 * and so would Settings applying a corrected choice after a wrong one.
 */
async function stopOver(link: HubLink, stopParts: () => Promise<void>): Promise<void> {
  if (link.current === null) {
    const closing = link.close();
    await stopParts();
    await closing;
    return;
  }
  await stopParts();
  await link.close();
}

function connectionConfig(o: { url: string; credsFile?: string; tls?: HubConnectionConfig['tls'] }, name: string): HubConnectionConfig {
  return { url: o.url, ...(o.credsFile ? { credsFile: o.credsFile } : {}), ...(o.tls ? { tls: o.tls } : {}), name };
}

/**
 * The hub side: turns on the store's outbox (the receiver's and the alert service's transactions queue
 * what they store), drains it with the publisher, and runs one forwarder per destination. Destinations
 * are re-read every two seconds, so `hookwatch forward add` from another terminal takes effect without
 * a restart.
 */
export class HubPublishing {
  readonly link: HubLink;
  readonly publisher: Publisher;
  readonly forwarders: ForwarderPool;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly store: HookwatchStore,
    options: HubPublishOptions,
    onChange: (status: PublisherStatus) => void = () => {},
  ) {
    store.hub.publishing = true;
    // The link's own changes (a refused first connection) are status changes too: see withLinkError.
    this.link = new HubLink(connectionConfig(options, 'hookwatch-hub'), () => this.publisher && onChange(this.publisher.status()));
    const retentionMs = (options.retentionDays ?? 30) * DAY_MS;
    // On its own thread and connections (publisher-thread.ts): the receiver's thread pays only the outbox row.
    this.publisher = PublisherThread.create({
      store,
      link: connectionConfig(options, 'hookwatch-hub-publisher'),
      sharedLink: this.link,
      workspace: options.workspace ?? 'default',
      stream: { retentionMs },
      onChange,
    });
    this.forwarders = new ForwarderPool({ link: this.link, log: storeForwardLog(store), workspace: options.workspace ?? '*' });
  }

  start(): void {
    recordHubRuntime(this.store, { role: 'hub', hub: this.link.describe(), behind: null, at: Date.now() });
    this.publisher.start();
    const sync = () => {
      this.syncing ??= this.forwarders
        .sync(this.store.hub.listDestinations())
        .catch(() => {})
        .finally(() => (this.syncing = null));
    };
    sync();
    this.timer = setInterval(sync, DESTINATIONS_EVERY_MS);
    this.timer.unref();
  }

  /** Rows were committed: publish them now rather than at the next poll. */
  notify(): void {
    this.publisher.notify();
  }

  status(): HubRuntimeStatus {
    return {
      role: 'hub',
      hub: this.link.describe(),
      publisher: withLinkError(this.publisher.status(), this.link),
      follower: null,
      forwarding: this.forwarders.status(),
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await stopOver(this.link, async () => {
      await this.syncing;
      await this.forwarders.stop();
      await this.publisher.stop();
    });
  }
}

/**
 * The follower side: a durable consumer whose batches are stored like the receiver's deliveries (one
 * local transaction each, every message id claimed in hub_inbox), then handed to `afterCommit` (alerts,
 * the live feed) once committed, and only then acked by the follower.
 * Account-state and incident messages go to `applyState` in the same transaction: what the follower
 * cannot learn from the events (the hub's API account checks, its tunnel) feeds its own alert rules,
 * with its own notification choices (state.ts).
 */
export class HubFollowing {
  readonly link: HubLink;
  readonly follower: HubFollower;

  constructor(
    private readonly store: HookwatchStore,
    options: HubFollowOptions,
    hooks: {
      afterCommit: (committed: CommittedDelivery[]) => void;
      /** An account-state or incident message, in the batch's transaction (see applyHubState). */
      applyState?: (record: HubRecord) => void;
      onChange?: (s: FollowerStatus) => void;
      onFollowing?: () => void;
    },
  ) {
    this.link = new HubLink(connectionConfig(options, `hookwatch-follow-${options.name}`), () => {
      if (this.follower) hooks.onChange?.(this.status().follower!);
    });
    // Account-state and incident messages are claimed in hub_inbox in the same transaction, so a redelivered one is applied once.
    const sink = followerStoreSink(store, redactUrl(options.url), {
      afterCommit: hooks.afterCommit,
      ...(hooks.applyState ? { applyState: hooks.applyState } : {}),
    });
    let recorded: number | null | undefined = undefined;
    this.follower = new HubFollower({
      link: this.link,
      name: options.name,
      ...(options.workspace ? { workspace: options.workspace } : {}),
      sink,
      onChange: (st) => {
        // `hookwatch status` (another process) says "following <hub>, N behind" from this record.
        if (st.behind !== recorded) {
          recorded = st.behind;
          try {
            recordHubRuntime(store, { role: 'follower', hub: st.hub, behind: st.behind, at: Date.now() });
          } catch {
            /* a busy or failing disk: the status record waits for the next change */
          }
        }
        hooks.onChange?.(st);
      },
      ...(hooks.onFollowing ? { onFollowing: hooks.onFollowing } : {}),
    });
  }

  start(): void {
    recordHubRuntime(this.store, { role: 'follower', hub: this.link.describe(), behind: null, at: Date.now() });
    this.follower.start();
  }

  status(): HubRuntimeStatus {
    return {
      role: 'follower',
      hub: this.link.describe(),
      publisher: null,
      follower: withLinkError(this.follower.status(), this.link),
      forwarding: [],
    };
  }

  async stop(): Promise<void> {
    await stopOver(this.link, () => this.follower.stop());
  }
}

/** The status as the health report carries it (main/contract/api.ts HubHealth). */
export function hubHealthOf(s: HubRuntimeStatus): HubHealth {
  const forwarding = s.forwarding.map((f) => ({
    destinationId: f.destinationId,
    url: f.url,
    state: f.state,
    behind: f.behind,
    delivered: f.delivered,
    failed: f.failed,
    parked: f.parked,
    lastError: f.lastError,
  }));
  if (s.publisher) {
    const p = s.publisher;
    return {
      role: 'hub',
      hub: s.hub,
      state: p.state,
      backlog: p.backlog < 0 ? null : p.backlog,
      oldestWaitingAt: p.oldestPendingAt,
      lastError: p.lastError,
      forwarding,
    };
  }
  const f = s.follower;
  return {
    role: 'follower',
    hub: s.hub,
    state: f?.state ?? 'stopped',
    backlog: f?.behind ?? null,
    oldestWaitingAt: null,
    lastError: f?.lastError ?? null,
    forwarding,
  };
}
