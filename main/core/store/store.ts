// HookwatchStore: the one way into the database, composing the table modules of this folder.
import { randomBytes } from 'node:crypto';
import type { NormalizedEvent } from '../events.js';
import { AccountsTable, type AccountActivityRow, type AccountStatus } from './accounts.js';
import { AlertsTable, type Alert, type StoredAlert } from './alerts.js';
import { CatchupTables } from './catchup.js';
import { Db, type OpenOptions } from './db.js';
import { DeliveriesTable, type DeliveryRecord, type StoredDelivery } from './deliveries.js';
import { EventsTable, type EventDetail, type EventFilter, type StoredEvent } from './events.js';
import { FollowedWriter, type FollowedBatch, type FollowedItem } from './followed.js';
import { HealthQueries } from './health.js';
import { IncidentsTable } from './incidents.js';
import { writeDelivery, type CommittedDelivery } from './ingest.js';
import { MetaTable } from './meta.js';
import { HubTables } from './outbox.js';
import { seedSyntheticMessages } from './synthetic.js';
import { ProviderWebhooksTable, type ProviderWebhookHealth } from './provider-state.js';
import { TunnelLogTable, type TunnelLogEntry } from './tunnel-log.js';

export type { Incident, IncidentState } from './incidents.js';
export type {
  AccountActivityRow,
  AccountLastEvent,
  AccountObservation,
  AccountState,
  AccountStatus,
  ObservationSource,
} from './accounts.js';
export { ACCOUNT_STATES, ACTIVITY_SLOT_MS, OBSERVATION_SOURCES, hydrateAccountStatus } from './accounts.js';
export type { Alert, AlertKind, AlertSeverity, StoredAlert, SuppressionReason } from './alerts.js';
export { ALERT_KINDS, ALERT_SEVERITIES, SUPPRESSION_REASONS, hydrateAlert } from './alerts.js';
export { StoreDataError, StoreError, type Durability, type OpenOptions } from './db.js';
export type { DeliveryRecord, StoredDelivery } from './deliveries.js';
export { hydrateDelivery } from './deliveries.js';
export type { EventDetail, EventFilter, StoredEvent } from './events.js';
export { ftsQuery, hydrateEvent } from './events.js';
export type { CommittedDelivery, IngestedEvent } from './ingest.js';
export type { FollowedBatch, FollowedItem } from './followed.js';
export type { CatchupGapRecord, ReceivingMark, ReceivingMarkKind, WebhookErrorSample } from './catchup.js';
export { RECEIVING_MARK_KINDS } from './catchup.js';
export type { MetaKey, MetaValue, TunnelPreferencesRecord } from './meta.js';
export type { ProviderWebhookHealth } from './provider-state.js';
export { outboxKey } from './outbox.js';
export type { ForwardDestination, ForwardLogEntry, ForwardOutcome, ForwardSummary, OutboxInsert, OutboxKind, OutboxRow } from './outbox.js';
export type { TunnelLogEntry } from './tunnel-log.js';

/**
 * The store as the rest of Hookwatch sees it: typed reads and writes, one module per table behind it
 * (events.ts, deliveries.ts, alerts.ts, accounts.ts, provider-state.ts, tunnel-log.ts, meta.ts, health.ts),
 * every row read through that table's hydrate function. Nothing outside this folder opens the database
 * or holds its connection.
 */
export class HookwatchStore {
  readonly file: string;
  /** Settings and bookkeeping, by typed key: `store.meta.get('webhookSecret')`. */
  readonly meta: MetaTable;
  /** Outages folded from alerts (main/core/alerts/incidents.ts decides, the alert service writes). */
  readonly incidents: IncidentsTable;
  /** The dashboard's read-only health and overview queries. */
  readonly health: HealthQueries;
  /** The team hub's tables: outbox, follower inbox, forwarding destinations and log (docs/hub.md). */
  readonly hub: HubTables;
  /** Catch-up bookkeeping: receiving marks, errors_counter samples, gaps with their outcome. */
  readonly catchup: CatchupTables;
  private readonly db: Db;
  private readonly events: EventsTable;
  private readonly deliveries: DeliveriesTable;
  private readonly alerts: AlertsTable;
  private readonly accounts: AccountsTable;
  private readonly providerWebhooks: ProviderWebhooksTable;
  private readonly tunnelLog: TunnelLogTable;
  private readonly followed: FollowedWriter;

  private constructor(db: Db) {
    this.db = db;
    this.file = db.file;
    this.meta = new MetaTable(db);
    this.incidents = new IncidentsTable(db);
    this.health = new HealthQueries(db);
    this.hub = new HubTables(db);
    this.catchup = new CatchupTables(db);
    this.events = new EventsTable(db, this.meta);
    this.deliveries = new DeliveriesTable(db);
    this.alerts = new AlertsTable(db);
    this.accounts = new AccountsTable(db);
    this.providerWebhooks = new ProviderWebhooksTable(db);
    this.tunnelLog = new TunnelLogTable(db);
    this.followed = new FollowedWriter(db, this.events, this.deliveries, this.hub);
  }

  /** Opens (creating unless `mustExist`) and migrates; StoreError says what to do when it cannot. */
  static open(file: string, options: OpenOptions = {}): HookwatchStore {
    return new HookwatchStore(Db.open(file, options));
  }

  /** The connection itself, for tests that age, corrupt or inspect rows on purpose. Never for application code. */
  get rawForTests(): Db['rawForTests'] {
    return this.db.rawForTests;
  }

  get schemaVersion(): number {
    return this.db.schemaVersion;
  }

  close(): void {
    this.db.close();
  }

  /** See Db.transaction: IMMEDIATE at the top level, a savepoint when nested. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  /**
   * A transaction whose commit does not fsync (Db.transactionWithoutSync), for rows that can be read
   * again from their source: catch-up's recovered messages. The next commit that syncs (its checkpoint,
   * any webhook) makes them durable; the WAL keeps the order, so a crash loses a tail that is read again.
   */
  transactionWithoutSync<T>(fn: () => T): T {
    return this.db.transactionWithoutSync(fn);
  }

  /** Whether commits may skip their fsync and leave it to syncWal (Db.canDeferSync). */
  get canDeferSync(): boolean {
    return this.db.canDeferSync;
  }

  /** Makes what was committed so far durable, off the event loop (see Db.syncWal); null: nothing to wait for. */
  syncWal(): Promise<void> | null {
    return this.db.syncWal();
  }

  /** Changes when another connection commits (see Db.dataVersion); the receiver notices a rotated secret by it. */
  dataVersion(): number {
    return this.db.dataVersion();
  }

  /** Folds the write-ahead log into the file and refreshes planner statistics (after a bulk load). */
  checkpointAndAnalyze(): void {
    this.db.checkpointAndAnalyze();
  }

  /** See Db.handOffCheckpoints: WAL checkpoints move to another connection (the receiver's checkpoint thread). */
  handOffCheckpoints(afterCommit: () => void): () => void {
    return this.db.handOffCheckpoints(afterCommit);
  }

  /** Benchmarks only: bulk-loads synthetic message history into an empty database (see synthetic.ts). */
  seedSyntheticMessages(total: number, endMs = Date.now()): void {
    seedSyntheticMessages(this.db, total, endMs);
  }

  // Deliveries and events

  /**
   * Stores the raw request and its events atomically (redelivered events bump their delivery count) and
   * returns what it stored, as a later read returns it. Called inside a transaction (the receiver's group
   * commit), it joins it instead of opening a savepoint, and the caller rolls back on failure.
   */
  ingest(d: DeliveryRecord, events: readonly NormalizedEvent[]): CommittedDelivery {
    const write = () => writeDelivery(this.deliveries, this.events, d, events, this.hub);
    return this.db.inTransaction ? write() : this.db.transaction(write);
  }

  /**
   * A follower's batch of hub messages (see FollowedWriter) in one IMMEDIATE transaction: every message id
   * claimed in hub_inbox, new events stored as the receiver would store them, other new messages handed to
   * `other(index)` inside the same transaction.
   */
  ingestFollowed(items: readonly FollowedItem[], at: number, other: (index: number) => void = () => {}): FollowedBatch {
    return this.db.transaction(() => this.followed.write(items, at, other));
  }

  /** Which of these message uids are already stored (any type or shape): catch-up's exactly-once check. */
  knownMessageUids(uids: readonly string[]): Set<string> {
    return this.events.knownMessageUids(uids);
  }

  /** Logs a request that produced no event (rejected, or not a webhook). */
  recordDelivery(d: DeliveryRecord): StoredDelivery {
    return this.ingest(d, []).delivery;
  }

  listDeliveries(options: { limit?: number; beforeId?: number } = {}): StoredDelivery[] {
    return this.deliveries.list(options);
  }

  getDeliveryBody(id: number): Buffer | null {
    return this.deliveries.body(id);
  }

  listEvents(filter: EventFilter = {}): StoredEvent[] {
    return this.events.list(filter);
  }

  getEvent(id: number): EventDetail | null {
    return this.events.get(id);
  }

  /** Events whose type matches one of the LIKE patterns, stored after `afterId`, oldest first (catch-up after a restart). */
  eventsAfter(afterId: number, typePatterns: readonly string[], limit = 10_000): StoredEvent[] {
    return this.events.after(afterId, typePatterns, limit);
  }

  maxEventId(): number {
    return this.events.maxId();
  }

  countEventsByMessageUidPrefix(prefix: string): number {
    return this.events.countByMessageUidPrefix(prefix);
  }

  counts(): { events: number; deliveries: number } {
    return this.health.counts();
  }

  /** See EventsTable.indexSearch: the full-text index and the account and chat lookups follow the events in batches. */
  indexSearch(limit = 20_000): number {
    return this.events.indexSearch(limit);
  }

  // The webhook secret

  /** The install's webhook secret (256 random bits, base64url), made on first use. */
  webhookSecret(): string {
    return this.db.transaction(() => this.meta.get('webhookSecret') ?? this.rotateWebhookSecret());
  }

  rotateWebhookSecret(): string {
    const secret = randomBytes(32).toString('base64url');
    this.db.transaction(() => {
      // Remember a few former secrets: registration must recognise webhooks still pointing at an old
      // URL as ours (to update them), not as another integration's (to leave alone).
      const current = this.meta.get('webhookSecret');
      if (current !== null) this.meta.set('formerWebhookSecrets', [current, ...this.formerWebhookSecrets()].slice(0, 5));
      this.meta.set('webhookSecret', secret);
    });
    return secret;
  }

  formerWebhookSecrets(): string[] {
    return this.meta.get('formerWebhookSecrets') ?? [];
  }

  // Accounts and alerts

  listAccountStates(): AccountStatus[] {
    return this.accounts.list();
  }

  saveAccounts(changed: readonly AccountStatus[], removedKeys: readonly string[], now = Date.now()): void {
    this.accounts.save(changed, removedKeys, now);
  }

  /** Events per account and 5-minute slot, read incrementally by id (see AccountsTable.activity): silence detection's input. */
  accountActivity(afterId: number, since: number): { rows: AccountActivityRow[]; lastId: number } {
    return this.accounts.activity(afterId, since);
  }

  /** Stores an alert and returns it as listAlerts will (the event link dropped if that event was pruned). */
  insertAlert(a: Alert): StoredAlert {
    return this.alerts.insert(a);
  }

  listAlerts(options: { limit?: number; beforeId?: number } = {}): StoredAlert[] {
    return this.alerts.list(options);
  }

  acknowledgeAlerts(ids: readonly number[], at = Date.now()): number {
    return this.alerts.acknowledge(ids, at);
  }

  // Provider webhooks and the tunnel

  /** Replaces what we know of one provider's webhooks with its latest listing. */
  recordProviderWebhooks(
    provider: string,
    rows: ReadonlyArray<Omit<ProviderWebhookHealth, 'provider' | 'checkedAt'>>,
    at = Date.now(),
  ): void {
    this.providerWebhooks.replace(provider, rows, at);
  }

  listProviderWebhooks(): ProviderWebhookHealth[] {
    return this.providerWebhooks.list();
  }

  recordTunnelState(entry: Omit<TunnelLogEntry, 'id'>): number {
    return this.tunnelLog.record(entry);
  }

  /** The last public URL a tunnel had while up, or null. */
  lastPublicUrl(): string | null {
    return this.tunnelLog.lastPublicUrl();
  }

  /** Tunnel log entries since `since` (and the one in force at that moment), oldest first. */
  listTunnelStates(since = 0, limit = 10_000): TunnelLogEntry[] {
    return this.tunnelLog.list(since, limit);
  }

  // Retention

  /**
   * Deletes up to `batch` events received before `eventsBefore`, then up to `batch` delivery-log rows
   * before `deliveriesBefore` that no remaining event points at (those hold raw requests). Returns how
   * many rows went, so a caller can loop in small steps and keep the receiver responsive.
   */
  pruneStep(
    eventsBefore: number | null,
    deliveriesBefore: number | null,
    batch = 2000,
    historyBefore: number | null = null,
  ): { events: number; deliveries: number } {
    return this.db.transaction(() => {
      // Alerts and the tunnel log are small and worth keeping longer; they go with their own cutoff.
      const history = historyBefore === null ? 0 : this.alerts.prune(historyBefore, batch) + this.tunnelLog.prune(historyBefore, batch);
      return {
        events: eventsBefore === null ? 0 : this.events.prune(eventsBefore, batch),
        deliveries: (deliveriesBefore === null ? 0 : this.deliveries.prune(deliveriesBefore, batch)) + history,
      };
    });
  }
}
