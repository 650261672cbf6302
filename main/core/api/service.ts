// The one implementation of the UI contract's HookwatchApi, plus the notification stream: methods only.
import { dirname } from 'node:path';
import { eventsCsv, eventsJsonl, jsonLine } from './export.js';
import {
  ACCOUNT_EVENT_TYPES,
  ASSIGNMENT_EVENT_TYPES,
  DEFAULT_SYNC_EVENT_TYPES,
  MESSAGE_EVENT_TYPES,
} from '../providers/timelines/event-types.js';
import { describeSyncReport } from '../providers/timelines/sync.js';
import { readRetention, writeRetention } from '../retention.js';
import { ftsQuery, type CommittedDelivery, type HookwatchStore, type StoredEvent } from '../store/store.js';
import { TunnelSettingsError } from '../tunnel/index.js';
import {
  EVENT_GROUP_NAMES,
  PROVIDER_IDS,
  type AccountHistoryView,
  type AccountsBoard,
  type AlertsView,
  type AlertView,
  type TestEventReport,
  type DeliverySummary,
  type EventPage,
  type EventSummary,
  type EventTypeChoice,
  type ExportFile,
  type FilterOptions,
  type HealthReport,
  type HubHealth,
  type HookwatchApi,
  type HookwatchNotification,
  type HookwatchNotifications,
  type NotAvailable,
  type OverallStatus,
  type RegistrationView,
  type SearchPage,
  type SettingsView,
  type SetupInfo,
} from '../../contract/api.js';
import { ApiInputError } from './errors.js';
import type { CatchupState } from '../catchup/service.js';
import { catchupHealthOf, DeliveryHealthCache } from './health-report.js';
import type {
  AccountStatusSource,
  AlertSource,
  NotificationSettingsSource,
  Registrar,
  ServiceCore,
  TokenStore,
  TunnelPreferencesSource,
  TunnelSource,
  WebhookRegistrySource,
} from './ports.js';
import {
  accountKey,
  eventQuery,
  eventTypesToRegister,
  exportFilter,
  int,
  notificationPatch,
  obj,
  oneOf,
  optInt,
  optNullableText,
  searchText,
  settingsPatch,
  timelinesToken,
} from './validate.js';
import { accountSeenOf, deliveryLogEntryOf, deliveryLogLine, eventDetailViewOf, incidentViewOf, summaryOf } from './views.js';
import { overallStatus } from '../../contract/status.js';
import { SeenAccounts, statusLabel, watchedOf, withEventOnlyNumbers } from './watched.js';
import type { TeamHubSettings, TeamHubView } from '../../contract/api.js';
import { forwardDestination, teamHubSettings } from './validate.js';

/** What Settings → Team hub asks of the core; a rejected choice throws with a message for the page (no credential in it). */
export interface TeamHubPort {
  get(): TeamHubView;
  set(settings: TeamHubSettings): Promise<TeamHubView>;
  addDestination(d: { url: string; types: string[] }): TeamHubView;
  removeDestination(id: number): TeamHubView;
}

/** Runs a Team hub call; a setting the core refuses comes back as bad input, with its message. */
async function teamHubCall(
  port: TeamHubPort | undefined,
  fn: (p: TeamHubPort) => TeamHubView | Promise<TeamHubView>,
): Promise<TeamHubView> {
  if (!port) throw new ApiInputError('this Hookwatch cannot change its team hub here: use hookwatch serve --hub or hookwatch follow');
  try {
    return await fn(port);
  } catch (err) {
    if (err instanceof Error && err.name === 'HubSettingsError') throw new ApiInputError(err.message);
    throw err;
  }
}

/**
 * Transports (the dashboard HTTP server, the Electron IPC handler) only forward calls to `api` by name.
 * What the service reads comes through its ports (ports.ts), wired once by `createHookwatchService`
 * (create.ts); input checks are in validate.ts and every shape it returns is built in views.ts. A port
 * left out (a host without alerts or without a tunnel) makes the matching answer say so.
 */

export { ApiInputError };

export interface ServiceOptions {
  core: ServiceCore;
  accounts?: AccountStatusSource;
  alerts?: AlertSource;
  notificationSettings?: NotificationSettingsSource;
  /** Absent when the host runs no tunnel (`hookwatch serve --no-tunnel`). */
  tunnel?: TunnelSource;
  webhooks?: WebhookRegistrySource;
  /** The tunnel server and subdomain; absent when the host runs no tunnel. */
  tunnelPreferences?: TunnelPreferencesSource;
  /** Where the first-run screen's TimelinesAI token goes; without it the screen says how to set one. */
  tokenStore?: TokenStore;
  registrar?: Registrar;
  /** The team hub's status (docs/hub.md); absent when this install neither publishes to nor follows one. */
  hub?: { status(): HubHealth | null };
  /** Settings → Team hub; absent: this host cannot change its hub (the page says so). */
  teamHub?: TeamHubPort;
  /** New events and deliveries are sent in batches at most this often (default 100 ms). */
  batchMs?: number;
  /**
   * Read the health window this long after start (default 2 s; null: on first use), so the Health screen
   * opens at once. Over a million deliveries the first read takes about a second, in day-sized steps.
   */
  warmHealthAfterMs?: number | null;
  now?: () => number;
  log?: (line: string) => void;
  /** The TimelinesAI token's own e-mail (GET /workspace/teammates/me); null while no token is set; absent without a client. */
  teammateEmail?: () => Promise<string | null>;
  /** Sends a test event (the core's sendTestEvent); without it the API says this host cannot. */
  testEvent?: () => Promise<TestEventReport>;
  /** Checks the TimelinesAI token just saved (null: none set); without it a save is not checked. */
  checkToken?: () => Promise<{ ok: boolean; accounts?: number; problem?: string } | null>;
  /** Catch-up after downtime (the core's CatchupService); absent on a follower. */
  catchup?: { state(): CatchupState; onProgress?(listener: (s: CatchupState) => void): () => void };
  /** How often the overall status is recomputed when nothing announced a change (default 30 s). */
  statusCheckMs?: number;
}

export type NotificationListener = (notification: HookwatchNotification) => void;

function eventTypeChoices(chosen: string[] | undefined): EventTypeChoice[] {
  const set = new Set(chosen ?? DEFAULT_SYNC_EVENT_TYPES);
  return [
    ...ACCOUNT_EVENT_TYPES.map((type) => ({ type, group: 'account' as const, chosen: set.has(type) })),
    ...ASSIGNMENT_EVENT_TYPES.map((type) => ({ type, group: 'assignment' as const, chosen: set.has(type) })),
    ...MESSAGE_EVENT_TYPES.map((type) => ({ type, group: 'messages' as const, chosen: set.has(type) })),
  ];
}

const EXPORT_LIMIT = 100_000;
const DELIVERY_LOG_LIMIT = 1000;
/** A burst larger than this per batch is sent as several notifications, so no single message gets huge. */
const MAX_BATCH = 500;

/** What the answers say when this host runs without a part. */
const UNAVAILABLE = {
  accounts:
    'Account status comes from the alerts feature, which this Hookwatch runs without: the accounts seen in events are listed below.',
  alerts: 'This Hookwatch runs without the alerts feature (account outages, chat assignments, tunnel trouble).',
  tunnel: 'No tunnel in this run (`hookwatch serve --no-tunnel`): the receiver is reachable on this computer only.',
  webhooks: 'This Hookwatch does not register provider webhooks, so none are listed.',
};

function notAvailable(reason: string): NotAvailable {
  return { available: false, reason };
}

export class HookwatchService {
  readonly api: HookwatchApi;
  private readonly store: HookwatchStore;
  private readonly listeners = new Set<NotificationListener>();
  private readonly unsubscribers: Array<() => void> = [];
  private readonly health: DeliveryHealthCache;
  private readonly now: () => number;
  private pendingEvents: EventSummary[] = [];
  private pendingRedelivered: HookwatchNotifications['events']['redelivered'] = [];
  private pendingDeliveries: DeliverySummary[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private warmTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private lastStatusJson: string | null = null;
  /** The accounts seen in events for the status, kept current from commits (no scan per recompute). */
  private readonly seen: SeenAccounts;
  private closed = false;

  private readonly options: ServiceOptions;

  constructor(options: ServiceOptions) {
    this.options = options;
    this.store = options.core.store;
    this.now = options.now ?? Date.now;
    this.health = new DeliveryHealthCache(this.store);
    this.seen = new SeenAccounts(() => this.store.health.accountsSeen(), this.now);
    this.api = this.buildApi();
    this.unsubscribers.push(options.core.onCommitted((committed) => this.noteCommitted(committed)));
    if (options.accounts) this.unsubscribers.push(options.accounts.onChange((card) => this.publish({ kind: 'account', data: card })));
    if (options.alerts)
      this.unsubscribers.push(
        options.alerts.onAlert((alert) => this.publish({ kind: 'alert', data: withCopyText(alert, options.tunnel) })),
      );
    if (options.tunnel) this.unsubscribers.push(options.tunnel.onChange((status) => this.publish({ kind: 'tunnel', data: status })));
    // After the part's own notification, so a page that reloads on `status` sees the part already changed.
    if (options.accounts) this.unsubscribers.push(options.accounts.onChange(() => this.noteStatus()));
    if (options.alerts) this.unsubscribers.push(options.alerts.onAlert(() => this.noteStatus()));
    if (options.tunnel) this.unsubscribers.push(options.tunnel.onChange(() => this.noteStatus()));
    if (options.catchup?.onProgress) this.unsubscribers.push(options.catchup.onProgress(() => this.noteStatus()));
    this.statusTimer = setInterval(() => this.noteStatus(), options.statusCheckMs ?? 30_000);
    this.statusTimer.unref();
    const warmAfter = options.warmHealthAfterMs === undefined ? 2000 : options.warmHealthAfterMs;
    if (warmAfter !== null) {
      this.warmTimer = setTimeout(() => {
        this.warmTimer = null;
        this.health.report(this.now()).catch((err: unknown) => {
          if (!this.closed) this.options.log?.(`health warm-up failed: ${(err as Error).message}`);
        });
      }, warmAfter);
      this.warmTimer.unref();
    }
  }

  /** Listen to notifications, starting with `stream` (the newest event id); returns the function that stops listening. */
  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    try {
      listener({ kind: 'stream', data: { lastEventId: this.store.maxEventId() || null } });
    } catch (err) {
      this.options.log?.(`notification listener failed: ${(err as Error).message}`);
    }
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const u of this.unsubscribers.splice(0)) u();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.warmTimer) clearTimeout(this.warmTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    this.flushTimer = null;
    this.warmTimer = null;
    this.listeners.clear();
  }

  /** One commit of the receiver, as stored: its delivery for live health, its events for the feed. */
  private noteCommitted({ delivery, events }: CommittedDelivery): void {
    this.seen.noteCommitted(events);
    this.pendingDeliveries.push({
      id: delivery.id,
      receivedAt: delivery.receivedAt,
      status: delivery.status,
      provider: delivery.provider ?? delivery.forcedProvider,
      eventType: delivery.eventType,
    });
    for (const e of events) {
      if (e.duplicate) this.pendingRedelivered.push({ id: e.id, deliveryCount: e.deliveryCount, lastDeliveredAt: e.lastDeliveredAt });
      // The live path builds the row with the same function as a page read from the store, from the stored record.
      else this.pendingEvents.push(summaryOf(e));
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => this.flush(), this.options.batchMs ?? 100);
    this.flushTimer.unref();
  }

  private flush(): void {
    this.flushTimer = null;
    while (this.pendingEvents.length > 0 || this.pendingRedelivered.length > 0) {
      const events = this.pendingEvents.splice(0, MAX_BATCH);
      const redelivered = this.pendingRedelivered.splice(0, MAX_BATCH);
      this.publish({ kind: 'events', data: { events, redelivered } });
    }
    while (this.pendingDeliveries.length > 0) {
      this.publish({ kind: 'deliveries', data: { deliveries: this.pendingDeliveries.splice(0, MAX_BATCH) } });
    }
  }

  private publish(n: HookwatchNotification): void {
    for (const l of this.listeners) {
      try {
        l(n);
      } catch (err) {
        this.options.log?.(`notification listener failed: ${(err as Error).message}`);
      }
    }
  }

  private buildApi(): HookwatchApi {
    const store = this.store;
    const o = this.options;
    return {
      listEvents: async (query) => {
        const q = eventQuery(query);
        return withTotal(store, q, page(store, store.listEvents(q), q.limit!));
      },
      searchEvents: async (text, query) => {
        const search = searchText(text);
        const terms = search
          ? (ftsQuery(search)
              ?.match(/"([^"]+)"/g)
              ?.map((t) => t.slice(1, -1)) ?? [])
          : [];
        if (terms.length === 0) throw new ApiInputError('type at least one letter or digit to search for');
        const q = eventQuery(query);
        return {
          ...withTotal(store, { ...q, search }, page(store, store.listEvents({ ...q, search }), q.limit!)),
          terms,
        } satisfies SearchPage;
      },
      getEvent: async (id) => {
        const stored = store.getEvent(int(id, 'event id', 1));
        return stored ? eventDetailViewOf(stored) : null;
      },
      getFilterOptions: async (): Promise<FilterOptions> => ({
        providers: [...PROVIDER_IDS],
        groups: [...EVENT_GROUP_NAMES],
        accounts: store.health.accountsSeen().map(accountSeenOf),
        recentChats: store.health.recentChats(),
      }),
      listAccounts: async (): Promise<AccountsBoard> => {
        const seen = store.health.accountsSeen().map(accountSeenOf);
        return {
          tracking: o.accounts
            ? { available: true, accounts: withEventOnlyNumbers(o.accounts.board(), seen, store.incidents.list({ state: 'open' })) }
            : notAvailable(UNAVAILABLE.accounts),
          seen,
        };
      },
      getHealth: async (): Promise<HealthReport> => ({
        ...(await this.health.report(this.now())),
        tunnel: o.tunnel ? { available: true, status: o.tunnel.status() } : notAvailable(UNAVAILABLE.tunnel),
        webhooks: o.webhooks ? { available: true, webhooks: o.webhooks.list() } : notAvailable(UNAVAILABLE.webhooks),
        ...(o.hub?.status() ? { hub: o.hub.status()! } : {}),
        ...(o.catchup ? { catchup: catchupHealthOf(o.catchup.state(), store.catchup.listGaps(20)) } : {}),
      }),
      listDeliveries: async (query) => {
        const q = obj(query, 'delivery query');
        return store
          .listDeliveries({
            beforeId: optInt(q.beforeId, 'beforeId', 1),
            limit: optInt(q.limit, 'limit', 1, DELIVERY_LOG_LIMIT) ?? DELIVERY_LOG_LIMIT,
          })
          .map(deliveryLogEntryOf);
      },
      getDelivery: async (id) => {
        const n = optInt(id, 'id', 1);
        if (n === undefined) throw new ApiInputError('id: a delivery id is required');
        const d = store.listDeliveries({ beforeId: n + 1, limit: 1 })[0];
        if (!d || d.id !== n) return null;
        const body = store.getDeliveryBody(n);
        return {
          entry: deliveryLogEntryOf(d),
          contentType: d.contentType,
          headers: d.headers,
          bodyText: body === null ? null : body.toString('utf8'),
          bodyTruncated: d.bodyTruncated,
        };
      },
      exportDeliveryLog: async (format) => {
        const f = oneOf(format, 'format', ['txt', 'jsonl'] as const);
        const rows = store.listDeliveries({ limit: DELIVERY_LOG_LIMIT }).map(deliveryLogEntryOf);
        const content =
          f === 'jsonl' ? rows.map((r) => jsonLine(r)).join('\n') + (rows.length ? '\n' : '') : rows.map(deliveryLogLine).join('\n') + '\n';
        return {
          filename: `hookwatch-delivery-log-${stamp(this.now())}.${f}`,
          mimeType: f === 'jsonl' ? 'application/x-ndjson' : 'text/plain',
          content,
          rows: rows.length,
          truncated: rows.length === DELIVERY_LOG_LIMIT,
          limit: DELIVERY_LOG_LIMIT,
        } satisfies ExportFile;
      },
      listAlerts: async (query): Promise<AlertsView> => {
        const limit = optInt(obj(query, 'alert query').limit, 'limit', 1, 10_000) ?? 500;
        return o.alerts
          ? { available: true, alerts: o.alerts.list(limit).map((a) => withCopyText(a, o.tunnel)), snoozedUntil: o.alerts.snoozedUntil() }
          : notAvailable(UNAVAILABLE.alerts);
      },
      acknowledgeAlert: async (id) => {
        const alertId = int(id, 'alert id', 1);
        return o.alerts ? o.alerts.acknowledge(alertId) : { ok: false, reason: UNAVAILABLE.alerts };
      },
      snoozeAlerts: async (until) => {
        const u = until === null ? null : int(until, 'snooze end', 0);
        return o.alerts ? o.alerts.snooze(u) : { ok: false, reason: UNAVAILABLE.alerts };
      },
      getSettings: async () => this.settings(),
      updateSettings: async (patch) => {
        const p = settingsPatch(patch);
        if (p.notifications !== undefined) {
          if (!o.notificationSettings) throw new ApiInputError(UNAVAILABLE.alerts);
          o.notificationSettings.update(notificationPatch(p.notifications));
        }
        if (p.tunnel !== undefined) {
          if (!o.tunnelPreferences) throw new ApiInputError(UNAVAILABLE.tunnel);
          const t = obj(p.tunnel, 'tunnel');
          try {
            o.tunnelPreferences.set({
              host: optNullableText(t.host, 'tunnel.host'),
              subdomain: optNullableText(t.subdomain, 'tunnel.subdomain'),
            });
          } catch (err) {
            if (err instanceof TunnelSettingsError) throw new ApiInputError(err.message);
            throw err;
          }
        }
        if (p.retention !== undefined) {
          const r = obj(p.retention, 'retention');
          try {
            writeRetention(store, {
              eventDays: optInt(r.eventDays, 'retention.eventDays', 0, 36500),
              deliveryLogDays: optInt(r.deliveryLogDays, 'retention.deliveryLogDays', 0, 36500),
            });
          } catch (err) {
            if (err instanceof RangeError) throw new ApiInputError(err.message);
            throw err;
          }
        }
        return this.settings();
      },
      getSetup: async (): Promise<SetupInfo> => {
        const publicUrl = o.tunnel?.publicWebhookUrl() ?? null;
        const base = publicUrl ?? o.core.receiver.localUrl;
        return {
          webhookUrl: o.core.receiver.localUrl,
          publicUrl,
          publicUrlNote: publicUrl
            ? 'This public URL reaches the receiver through the tunnel. The public localtunnel service ends HTTPS on its side and forwards plain HTTP to this computer, so its operator could read what passes: for a sensitive workspace run a tunnel server of your own (--tunnel-host) or put the receiver behind your own HTTPS reverse proxy.'
            : 'This URL works on this computer only. Providers need a public URL: Hookwatch opens one through localtunnel (the desktop app always; `hookwatch serve` unless it runs with --no-tunnel) and shows it here once it is up. Or expose this port yourself (a reverse proxy) and use that address with the same path.',
          // The public tunnel service decrypts HTTPS and forwards plain HTTP: say so where the URL is given out.
          tokenConfigured: (await o.webhooks?.tokenConfigured()) ?? false,
          tokenStorage: o.tokenStore?.storage ?? 'unavailable',
          urlChangedAt: o.alerts?.list(100).find((a) => a.kind === 'webhook-url-changed' && a.acknowledgedAt === null)?.at ?? null,
          eventTypeChoices: eventTypeChoices(o.registrar?.chosen()),
          hasEvents: store.health.hasEvents(),
          providers: [
            {
              provider: 'timelines',
              title: 'TimelinesAI',
              url: `${base}/timelines`,
              steps: [
                'In TimelinesAI open Integrations, then the Webhooks v2 tab, and click "+ Add Endpoint".',
                'Paste the URL above as the Endpoint URL.',
                'Choose one event type (start with whatsapp:account:disconnected), switch Status on, click "Add endpoint".',
                'Repeat for each event type you want (one webhook per type; a workspace allows 10): whatsapp:account:connected, :suspended, :resumed, chat:responsible:assigned, chat:responsible:unassigned, message:new.',
              ],
            },
            {
              provider: 'whatsable',
              title: 'WhatsAble',
              url: `${base}/whatsable`,
              steps: [
                'In the WhatsAble dashboard open Operations, then Webhooks.',
                'Click "New Webhook" and paste the URL above as the Endpoint URL.',
                'Click "Create Webhook"; new conversation snapshots start arriving at once.',
              ],
            },
          ],
        };
      },
      setTimelinesToken: async (token) => {
        const t = timelinesToken(token);
        if (!o.tokenStore)
          return { ok: false, reason: 'this Hookwatch keeps no tokens: set HOOKWATCH_TIMELINES_TOKEN before `hookwatch serve`' };
        const saved = await o.tokenStore.save(t);
        if (!saved.ok || t === null || !o.checkToken) return saved;
        const check = await o.checkToken();
        if (!check) return saved;
        return check.ok ? { ok: true, accounts: check.accounts ?? 0 } : { ok: true, problem: check.problem ?? 'the token check failed' };
      },
      registerWebhooks: async (eventTypes): Promise<RegistrationView> => {
        const types = eventTypesToRegister(eventTypes);
        if (!o.registrar)
          return {
            ok: false,
            lines: [],
            registered: [],
            missing: types,
            problem: 'registration needs the tunnel: run `hookwatch serve --register`',
          };
        const outcome = await o.registrar.register(types);
        if (!outcome.ok) return { ok: false, lines: [], registered: [], missing: types, problem: outcome.error };
        return {
          ok: outcome.report.ok,
          lines: describeSyncReport(outcome.report),
          registered: outcome.report.registered,
          missing: outcome.report.missing,
          problem: outcome.report.limitMessage,
        };
      },
      // Issue 11: one status, incidents, the token owner's e-mail.
      getStatus: async () => this.status(),
      listIncidents: async (query) => {
        const q = obj(query, 'incident query');
        const state = q.state === undefined ? 'all' : oneOf(q.state, 'state', ['open', 'resolved', 'all'] as const);
        const limit = optInt(q.limit, 'limit', 1, 10_000) ?? 500;
        const now = this.now();
        return { available: true, incidents: store.incidents.list({ state, limit }).map((i) => incidentViewOf(i, now)) };
      },
      acknowledgeIncidents: async (ids) => {
        const list = ids === null ? null : (Array.isArray(ids) ? ids : [ids]).map((id) => int(id, 'incident id', 1));
        store.incidents.acknowledge(list, this.now());
        return { ok: true };
      },
      snoozeIncident: async (id, until) => {
        const incidentId = int(id, 'incident id', 1);
        const u = until === null ? null : int(until, 'snooze end', 0);
        return store.incidents.snooze(incidentId, u) ? { ok: true } : { ok: false, reason: `no incident ${incidentId}` };
      },
      getTeammateEmail: async () => {
        const noToken = notAvailable('set a TimelinesAI token first (Setup): the e-mail comes from its teammate');
        if (!o.teammateEmail) return noToken;
        try {
          const email = await o.teammateEmail();
          return email === null ? noToken : { available: true, email };
        } catch (err) {
          return notAvailable(`could not ask TimelinesAI for your e-mail: ${(err as Error).message}`);
        }
      },
      getAccountHistory: async (key): Promise<AccountHistoryView> => {
        const k = accountKey(key);
        const now = this.now();
        // The oldest kept observation of the account: before it Hookwatch was not watching the number.
        const known = store.listAccountStates().find((a) => a.key === k)?.history[0]?.at ?? null;
        const h = store.incidents.accountHistory(k, now, known);
        return { key: k, ...h, incidents: h.incidents.map((i) => incidentViewOf(i, now)) };
      },
      sendTestEvent: async (): Promise<TestEventReport> => {
        if (!o.testEvent)
          return {
            ok: false,
            via: 'local',
            sentAt: Date.now(),
            hops: [],
            eventId: null,
            problem: 'this Hookwatch cannot send test events',
          };
        return o.testEvent();
      },
      // Issue 12: Settings → Team hub.
      getTeamHub: async () => teamHubCall(o.teamHub, (p) => p.get()),
      setTeamHub: async (settings) => {
        const checked = teamHubSettings(settings);
        return teamHubCall(o.teamHub, (p) => p.set(checked));
      },
      addForwardDestination: async (input) => {
        const d = forwardDestination(input);
        return teamHubCall(o.teamHub, (p) => p.addDestination(d));
      },
      removeForwardDestination: async (id) => {
        const n = int(id, 'destination id', 1);
        return teamHubCall(o.teamHub, (p) => p.removeDestination(n));
      },
      exportEvents: async (filter, format) => {
        const f = oneOf(format, 'format', ['csv', 'jsonl'] as const);
        const { query, search } = exportFilter(filter);
        const events = store.listEvents({ ...query, search, limit: EXPORT_LIMIT });
        return {
          filename: `hookwatch-events-${stamp(this.now())}.${f}`,
          mimeType: f === 'csv' ? 'text/csv' : 'application/x-ndjson',
          content: f === 'csv' ? eventsCsv(events) : eventsJsonl(events),
          rows: events.length,
          truncated: events.length === EXPORT_LIMIT,
          limit: EXPORT_LIMIT,
        } satisfies ExportFile;
      },
    };
  }

  /** The overall state from the ports as they are now (main/contract/status.ts decides). */
  private status(): OverallStatus {
    const o = this.options;
    const tunnel = o.tunnel?.status() ?? null;
    const running = o.catchup?.state().running ?? null;
    const cards = o.accounts
      ? withEventOnlyNumbers(o.accounts.board(), this.seen.list(), this.store.incidents.list({ state: 'open' }))
      : [];
    return overallStatus({
      // Numbers without status events (WhatsAble cards, `activity`) have no state to count: they are watched by activity.
      watched: watchedOf(cards),
      accounts: cards
        .filter((a) => !a.activity)
        .map((a) => ({
          key: a.key,
          label: statusLabel(a),
          state: a.state,
          since: a.since,
        })),
      tunnel: tunnel ? { state: tunnel.state, since: tunnel.since } : null,
      failingWebhooks: (o.webhooks?.list() ?? [])
        .filter((w) => w.errorsCounter || !w.pointsAtCurrentUrl)
        .map((w) => ({
          key: w.id,
          provider: w.provider,
          eventType: w.eventType,
          reason: !w.pointsAtCurrentUrl ? 'points at an older URL' : `${w.errorsCounter} failed deliveries in a row`,
          since: w.checkedAt,
        })),
      catchup: o.catchup ? { running: running !== null, since: running?.startedAt ?? null } : null,
    });
  }

  /**
   * Sends `status` when the overall state differs from the last one sent. Called on every change that can
   * move it (an account, the tunnel, an alert) and by a slow timer, because a provider webhook's error
   * counter changes on a background check that tells no one. Not per stored delivery: ingest stays as fast
   * as it was, and an account event reaches the status through the account's own change.
   */
  private noteStatus(): void {
    if (this.closed || this.listeners.size === 0) return;
    let next: OverallStatus;
    try {
      next = this.status();
    } catch (err) {
      this.options.log?.(`status recompute failed: ${(err as Error).message}`);
      return;
    }
    const json = JSON.stringify(next);
    if (json === this.lastStatusJson) return;
    this.lastStatusJson = json;
    this.publish({ kind: 'status', data: next });
  }

  private settings(): SettingsView {
    const n = this.options.notificationSettings;
    return {
      retention: readRetention(this.store),
      tunnel: this.options.tunnelPreferences
        ? { available: true, ...this.options.tunnelPreferences.get(), defaultHost: this.options.tunnelPreferences.defaultHost }
        : notAvailable(UNAVAILABLE.tunnel),
      notifications: n ? { available: true, settings: n.get() } : notAvailable(UNAVAILABLE.alerts),
      dataDir: dirname(this.store.file),
    };
  }
}

function page(store: HookwatchStore, events: StoredEvent[], limit: number): EventPage {
  return {
    events: events.map(summaryOf),
    nextBeforeId: events.length === limit ? events[events.length - 1]!.id : null,
    newestStoredId: store.maxEventId() || null,
  };
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}

/** The most events a feed's total counts; past it the feed says "5,000+" (counting all of a big store costs too much per page). */
const TOTAL_CAP = 5000;

/** The first page with the filter's total, counted up to TOTAL_CAP; later pages (a cursor) skip the count. */
function withTotal(store: HookwatchStore, q: Parameters<HookwatchStore['listEvents']>[0] & object, p: EventPage): EventPage {
  if (q.beforeId !== undefined) return p;
  if (p.nextBeforeId === null) return { ...p, total: { count: p.events.length, capped: false } };
  const n = store.listEvents({ ...q, beforeId: undefined, limit: TOTAL_CAP + 1 }).length;
  return { ...p, total: { count: Math.min(n, TOTAL_CAP), capped: n > TOTAL_CAP } };
}

/**
 * A changed-URL alert offers the WhatsAble webhook URL to copy, built from the public URL as it is NOW
 * (the stored text has no secret: it is exported and printed; see main/core/alerts/rules/url-change.ts).
 */
export function withCopyText(a: AlertView, tunnel: TunnelSource | undefined): AlertView {
  if (a.kind !== 'webhook-url-changed') return a;
  const url = tunnel?.publicWebhookUrl();
  return url ? { ...a, copyText: `${url}/whatsable` } : a;
}
