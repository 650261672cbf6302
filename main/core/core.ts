import { mkdirSync } from 'node:fs';
import { AccountPoller } from './alerts/account-poller.js';
import { AlertService } from './alerts/service.js';
import { TimelinesApiClient } from './registration/timelines-api.js';
import type { TokenSource } from './registration/token-source.js';
import type { NormalizedEvent } from './events.js';
import { databasePath } from './paths.js';
import { Receiver, DEFAULT_PORT, type ReceiverOptions } from './receiver/receiver.js';
import { InlineWriter, WorkerWriter, writerWorkerScript, type DeliveryWriter } from './receiver/writer.js';
import { pruneOld } from './retention.js';
import { HookwatchStore, type Durability, type IngestResult } from './store/store.js';

export interface CoreOptions {
  dataDir: string;
  port?: number;
  durability?: Durability;
  receiver?: Partial<Omit<ReceiverOptions, 'store' | 'port' | 'onIngest'>>;
  /** Write deliveries on a worker thread (default) or on the main thread. */
  writerThread?: boolean;
  /** TimelinesAI Public API access: enables the account check (and, with the tunnel, registration). */
  timelines?: { tokenSource: TokenSource; baseUrl?: string; accountCheckIntervalMs?: number };
  /** How often retention runs (default hourly; it also runs once at start). */
  retentionIntervalMs?: number;
  log?: (line: string) => void;
}

export type IngestListener = (result: IngestResult, events: NormalizedEvent[]) => void;

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
  private readonly listeners = new Set<IngestListener>();
  private retentionTimer: NodeJS.Timeout | null = null;
  private pruning: Promise<unknown> | null = null;

  private constructor(private readonly options: CoreOptions, store: HookwatchStore) {
    this.store = store;
    this.alerts = new AlertService(store, (line) => this.log(line));
    const t = options.timelines;
    this.timelinesClient = t ? new TimelinesApiClient({ tokenSource: t.tokenSource, ...(t.baseUrl ? { baseUrl: t.baseUrl } : {}) }) : null;
    this.accountPoller = this.timelinesClient
      ? new AccountPoller(this.timelinesClient, this.alerts, { intervalMs: t?.accountCheckIntervalMs, log: (line) => this.log(line) })
      : null;
    const useThread = options.writerThread ?? process.env.HOOKWATCH_WRITER !== 'inline';
    const script = useThread ? writerWorkerScript() : null;
    if (useThread && !script) this.log('the writer thread script is missing (not built?); writing on the main thread');
    this.writer = script ? new WorkerWriter(store.file, options.durability ?? 'full', script, (line) => this.log(line)) : new InlineWriter(store);
    this.receiver = new Receiver({
      ...options.receiver,
      writer: this.writer,
      store,
      port: options.port ?? DEFAULT_PORT,
      onIngest: (result, events) => {
        this.alerts.afterIngest(events.map((e) => e.type));
        for (const l of this.listeners) {
          try {
            l(result, events);
          } catch (err) {
            this.log(`listener failed: ${(err as Error).message}`);
          }
        }
      },
    });
  }

  static async start(options: CoreOptions): Promise<HookwatchCore> {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const store = HookwatchStore.open(databasePath(options.dataDir), { durability: options.durability ?? 'full' });
    const core = new HookwatchCore(options, store);
    try {
      core.alerts.start();
      await core.receiver.start();
    } catch (err) {
      core.alerts.stop();
      store.close();
      throw err;
    }
    core.accountPoller?.start();
    core.runRetention();
    core.retentionTimer = setInterval(() => core.runRetention(), options.retentionIntervalMs ?? 60 * 60 * 1000);
    core.retentionTimer.unref();
    return core;
  }

  onIngest(listener: IngestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
  async stop(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.accountPoller?.stop();
    await this.receiver.stop();
    await this.writer.close();
    this.alerts.stop();
    await this.pruning;
    this.store.close();
  }
}
