import { dirname } from 'node:path';
import { eventGroup } from '../events.js';
import { eventsCsv, eventsJsonl, jsonLine } from '../export.js';
import { TunnelSettingsError } from '../tunnel/index.js';
import { ACCOUNT_EVENT_TYPES, ASSIGNMENT_EVENT_TYPES, DEFAULT_SYNC_EVENT_TYPES, MESSAGE_EVENT_TYPES, parseEventTypeList } from '../providers/timelines/event-types.js';
import { describeSyncReport, type TimelinesSyncReport } from '../providers/timelines/sync.js';
import type { CommittedListener } from '../core.js';
import { readRetention, writeRetention } from '../retention.js';
import { accountsSeen, hasEvents, recentChats, type AccountSeenRow } from '../store/health.js';
import {
  ftsQuery,
  type CommittedDelivery,
  type EventFilter as StoreEventFilter,
  type HookwatchStore,
  type StoredDelivery,
  type StoredEvent,
} from '../store/store.js';
import {
  EVENT_GROUP_NAMES,
  type AccountCard,
  type AccountSeen,
  type AccountsBoard,
  type ActionResult,
  type AlertsView,
  type AlertView,
  type DeliveryLogEntry,
  type DeliverySummary,
  type EventDetail,
  type EventPage,
  type EventQuery,
  type EventSummary,
  type ExportFile,
  type ExportFormat,
  type FilterOptions,
  type HealthReport,
  type HookwatchApi,
  type HookwatchNotification,
  type HookwatchNotifications,
  type JsonValue,
  type NotAvailable,
  type NotificationSettings,
  type ProviderName,
  type RegisteredWebhook,
  type SearchPage,
  type SettingsPatch,
  type SettingsView,
  type SetupInfo,
  type TokenStorage,
  type EventTypeChoice,
  type RegistrationView,
  type TunnelStatus,
} from './contract.js';
import { ApiInputError } from './errors.js';
import { DeliveryHealthCache } from './health-report.js';
import { accountSourceFromAlerts, alertSourceFromAlerts, notificationSettingsFromAlerts, webhookSourceFromStore } from './sources.js';

/**
 * The one implementation of `HookwatchApi`, over the core's store and receiver, plus the
 * notification stream (`subscribe`). Transports (the dashboard HTTP server, the Electron IPC
 * handler) only forward calls to `api` by name.
 *
 * Parts of Hookwatch that are built separately plug in as sources: account tracking and alerts
 * (the alerts feature), the tunnel and provider-side webhook registration (the tunnel feature).
 * Without a source the matching answers are a typed "not available yet" the UI shows as an empty state.
 */

export { ApiInputError };

export interface AccountStatusSource {
  board(): AccountCard[];
  onChange(listener: (card: AccountCard) => void): () => void;
}

export interface AlertSource {
  list(limit: number): AlertView[];
  snoozedUntil(): number | null;
  acknowledge(id: number): ActionResult;
  snooze(until: number | null): ActionResult;
  onAlert(listener: (alert: AlertView) => void): () => void;
}

export interface TunnelSource {
  status(): TunnelStatus;
  /** The public webhook URL (with the secret) while the tunnel is up. */
  publicWebhookUrl(): string | null;
  onChange(listener: (status: TunnelStatus) => void): () => void;
}

export interface NotificationSettingsSource {
  get(): NotificationSettings;
  /** Throws ApiInputError listing every problem of a bad patch. */
  update(patch: Partial<NotificationSettings>): NotificationSettings;
}

export interface WebhookRegistrySource {
  tokenConfigured(): boolean | Promise<boolean>;
  list(): RegisteredWebhook[];
}

/** What the service needs from `HookwatchCore` (which satisfies it). */
export interface ServiceCore {
  readonly store: HookwatchStore;
  readonly receiver: { readonly localUrl: string; readonly webhookPath: string };
  /** Account tracking and alerts; when present they feed the Accounts and Alerts screens. */
  readonly alerts?: Parameters<typeof accountSourceFromAlerts>[0];
  /** Every request the receiver committed, with the delivery row and events as stored. */
  onCommitted(listener: CommittedListener): () => void;
}

/** The core's RegistrationOutcome, structurally (the service does not import the core). */
export type RegistrationOutcomeLike = { ok: true; url: string; report: TimelinesSyncReport } | { ok: false; url: string; error: string };

export interface ServiceOptions {
  core: ServiceCore;
  /** Default: from `core.alerts` when the core has it. */
  accounts?: AccountStatusSource;
  /** Default: from `core.alerts` when the core has it. */
  alerts?: AlertSource;
  /** Default: from `core.alerts` when the core has it. */
  notificationSettings?: NotificationSettingsSource;
  /** Default: none (the tunnel section says "not available"); see tunnelSourceFromSupervisor. */
  tunnel?: TunnelSource;
  /** Default: the webhooks registration last listed, from the store, with no token configured. */
  webhooks?: WebhookRegistrySource;
  /** The tunnel server and subdomain; absent when the host runs no tunnel. `set` throws on a bad value. */
  tunnelPreferences?: {
    get(): { host: string; subdomain: string | null };
    set(patch: { host?: string | null; subdomain?: string | null }): { host: string; subdomain: string | null };
    defaultHost: string;
  };
  /** Where the first-run screen's TimelinesAI token goes; without it the screen says how to set one. */
  tokenStore?: { storage: Exclude<TokenStorage, 'unavailable'>; save(token: string | null): Promise<ActionResult> };
  /** Registers at the current public URL now (the core's registerNow); the chosen types are remembered. */
  registrar?: {
    register(eventTypes: string[]): Promise<RegistrationOutcomeLike>;
    chosen(): string[] | undefined;
  };
  /** New events and deliveries are sent in batches at most this often (default 100 ms). */
  batchMs?: number;
  /**
   * Read the health window this long after start (default 2 s; null: on first use), so the Health screen
   * opens at once. Over a million deliveries the first read takes about a second, in day-sized steps.
   */
  warmHealthAfterMs?: number | null;
  now?: () => number;
  log?: (line: string) => void;
}

export type NotificationListener = (notification: HookwatchNotification) => void;

function optNullableText(v: unknown, name: string): string | null | undefined {
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string' || v.length > 300) throw new ApiInputError(`${name} must be text of at most 300 characters`);
  return v.trim();
}

function eventTypeChoices(chosen: string[] | undefined): EventTypeChoice[] {
  const set = new Set(chosen ?? DEFAULT_SYNC_EVENT_TYPES);
  return [
    ...ACCOUNT_EVENT_TYPES.map((type) => ({ type, group: 'account' as const, chosen: set.has(type) })),
    ...ASSIGNMENT_EVENT_TYPES.map((type) => ({ type, group: 'assignment' as const, chosen: set.has(type) })),
    ...MESSAGE_EVENT_TYPES.map((type) => ({ type, group: 'messages' as const, chosen: set.has(type) })),
  ];
}

const FEED_TEXT_MAX = 300;
const EXPORT_LIMIT = 100_000;
const DELIVERY_LOG_LIMIT = 1000;
/** A burst larger than this per batch is sent as several notifications, so no single message gets huge. */
const MAX_BATCH = 500;

const NOT_YET = {
  accounts: 'Account status arrives with the alerts feature: until then, the accounts seen in events are listed below.',
  alerts: 'Alerts arrive with the alerts feature (account outages, chat assignments, tunnel trouble).',
  tunnel: 'No tunnel in this run (`hookwatch serve --no-tunnel`): the receiver is reachable on this computer only.',
  webhooks: 'No provider webhooks listed yet: they appear once a TimelinesAI token is set (Setup) and a registration ran.',
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
  private closed = false;

  private readonly options: ServiceOptions;

  constructor(options: ServiceOptions) {
    const core = options.core;
    this.options = {
      ...options,
      accounts: options.accounts ?? (core.alerts ? accountSourceFromAlerts(core.alerts, options.now) : undefined),
      alerts: options.alerts ?? (core.alerts ? alertSourceFromAlerts(core.alerts, core.store) : undefined),
      notificationSettings: options.notificationSettings ?? (core.alerts ? notificationSettingsFromAlerts(core.alerts) : undefined),
      webhooks: options.webhooks ?? webhookSourceFromStore(core.store, async () => false),
    };
    options = this.options;
    this.store = options.core.store;
    this.now = options.now ?? Date.now;
    this.health = new DeliveryHealthCache(this.store);
    this.api = this.buildApi();
    this.unsubscribers.push(options.core.onCommitted((committed) => this.noteCommitted(committed)));
    if (options.accounts) this.unsubscribers.push(options.accounts.onChange((card) => this.publish({ kind: 'account', data: card })));
    if (options.alerts) this.unsubscribers.push(options.alerts.onAlert((alert) => this.publish({ kind: 'alert', data: alert })));
    if (options.tunnel) this.unsubscribers.push(options.tunnel.onChange((status) => this.publish({ kind: 'tunnel', data: status })));
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
    this.flushTimer = null;
    this.warmTimer = null;
    this.listeners.clear();
  }

  /** One commit of the receiver, as stored: its delivery for live health, its events for the feed. */
  private noteCommitted({ delivery, events }: CommittedDelivery): void {
    this.pendingDeliveries.push({
      id: delivery.id,
      receivedAt: delivery.receivedAt,
      status: delivery.status,
      provider: delivery.provider ?? delivery.forcedProvider,
      eventType: delivery.eventType,
    });
    for (const e of events) {
      if (e.duplicate) this.pendingRedelivered.push({ id: e.id, deliveryCount: e.deliveryCount, lastDeliveredAt: e.lastDeliveredAt });
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
        return page(store, store.listEvents(q), q.limit!);
      },
      searchEvents: async (text, query) => {
        const search = str(text, 'search text', 500);
        const terms = search ? (ftsQuery(search)?.match(/"([^"]+)"/g)?.map((t) => t.slice(1, -1)) ?? []) : [];
        if (terms.length === 0) throw new ApiInputError('type at least one letter or digit to search for');
        const q = eventQuery(query);
        return { ...page(store, store.listEvents({ ...q, search }), q.limit!), terms } satisfies SearchPage;
      },
      getEvent: async (id) => detailOf(store, int(id, 'event id', 1)),
      getFilterOptions: async (): Promise<FilterOptions> => ({
        providers: ['timelines', 'whatsable', 'unknown'],
        groups: [...EVENT_GROUP_NAMES],
        accounts: accountsSeen(store).map(accountSeenOf),
        recentChats: recentChats(store),
      }),
      listAccounts: async (): Promise<AccountsBoard> => ({
        tracking: o.accounts ? { available: true, accounts: o.accounts.board() } : notAvailable(NOT_YET.accounts),
        seen: accountsSeen(store).map(accountSeenOf),
      }),
      getHealth: async (): Promise<HealthReport> => ({
        ...(await this.health.report(this.now())),
        tunnel: o.tunnel ? { available: true, status: o.tunnel.status() } : notAvailable(NOT_YET.tunnel),
        webhooks: o.webhooks ? { available: true, webhooks: o.webhooks.list() } : notAvailable(NOT_YET.webhooks),
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
        return o.alerts ? { available: true, alerts: o.alerts.list(limit), snoozedUntil: o.alerts.snoozedUntil() } : notAvailable(NOT_YET.alerts);
      },
      acknowledgeAlert: async (id) => {
        const alertId = int(id, 'alert id', 1);
        return o.alerts ? o.alerts.acknowledge(alertId) : { ok: false, reason: NOT_YET.alerts };
      },
      snoozeAlerts: async (until) => {
        const u = until === null ? null : int(until, 'snooze end', 0);
        return o.alerts ? o.alerts.snooze(u) : { ok: false, reason: NOT_YET.alerts };
      },
      getSettings: async () => this.settings(),
      updateSettings: async (patch: SettingsPatch) => {
        const p = obj(patch, 'settings');
        for (const key of Object.keys(p)) {
          if (key !== 'retention' && key !== 'notifications' && key !== 'tunnel') throw new ApiInputError(`unknown setting ${JSON.stringify(key)} (settings: retention, notifications, tunnel)`);
        }
        if (p.notifications !== undefined) {
          if (!o.notificationSettings) throw new ApiInputError(NOT_YET.alerts);
          o.notificationSettings.update(notificationPatch(p.notifications));
        }
        if (p.tunnel !== undefined) {
          if (!o.tunnelPreferences) throw new ApiInputError(NOT_YET.tunnel);
          const t = obj(p.tunnel, 'tunnel');
          try {
            o.tunnelPreferences.set({ host: optNullableText(t.host, 'tunnel.host'), subdomain: optNullableText(t.subdomain, 'tunnel.subdomain') });
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
          eventTypeChoices: eventTypeChoices(o.registrar?.chosen()),
          hasEvents: hasEvents(store),
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
        if (token !== null && (typeof token !== 'string' || token.trim() === '' || token.length > 4096 || /\s/.test(token.trim()))) {
          throw new ApiInputError('the token is one word without spaces, as TimelinesAI shows it (Integrations > Public API)');
        }
        if (!o.tokenStore) return { ok: false, reason: 'this Hookwatch keeps no tokens: set HOOKWATCH_TIMELINES_TOKEN before `hookwatch serve`' };
        return o.tokenStore.save(token === null ? null : token.trim());
      },
      registerWebhooks: async (eventTypes): Promise<RegistrationView> => {
        if (!Array.isArray(eventTypes) || eventTypes.length === 0 || eventTypes.some((t) => typeof t !== 'string')) {
          throw new ApiInputError('choose at least one event type');
        }
        let types: string[];
        try {
          types = parseEventTypeList(eventTypes.join(','));
        } catch (err) {
          throw new ApiInputError((err as Error).message);
        }
        if (!o.registrar) return { ok: false, lines: [], registered: [], missing: types, problem: 'registration needs the tunnel: run `hookwatch serve --register`' };
        const outcome = await o.registrar.register(types);
        if (!outcome.ok) return { ok: false, lines: [], registered: [], missing: types, problem: outcome.error };
        return { ok: outcome.report.ok, lines: describeSyncReport(outcome.report), registered: outcome.report.registered, missing: outcome.report.missing, problem: outcome.report.limitMessage };
      },
      exportEvents: async (filter, format) => {
        const f = oneOf(format, 'format', ['csv', 'jsonl'] as const);
        const raw = obj(filter, 'filter');
        const search = optStr(raw.search, 'search', 500);
        const q = eventQuery({ ...raw, search: undefined });
        const events = store.listEvents({ ...q, search: search || undefined, beforeId: undefined, limit: EXPORT_LIMIT });
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

  private settings(): SettingsView {
    const n = this.options.notificationSettings;
    return {
      retention: readRetention(this.store),
      tunnel: this.options.tunnelPreferences
        ? { available: true, ...this.options.tunnelPreferences.get(), defaultHost: this.options.tunnelPreferences.defaultHost }
        : notAvailable(NOT_YET.tunnel),
      notifications: n ? { available: true, settings: n.get() } : notAvailable(NOT_YET.alerts),
      dataDir: dirname(this.store.file),
      comingLater: [
        { setting: 'Start at login', arrivesWith: 'the desktop app’s tray menu' },
      ],
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Input checks: every bad argument gets a message that says what was expected.

function obj(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ApiInputError(`${name} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string') throw new ApiInputError(`${name} must be text`);
  if (v.length > max) throw new ApiInputError(`${name} is longer than ${max} characters`);
  return v;
}

function optStr(v: unknown, name: string, max: number): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return str(v, name, max);
}

function int(v: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ApiInputError(`${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function optInt(v: unknown, name: string, min: number, max?: number): number | undefined {
  return v === undefined || v === null ? undefined : int(v, name, min, max);
}

function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ApiInputError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

const PROVIDERS: readonly ProviderName[] = ['timelines', 'whatsable', 'unknown'];

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Checks the shape of a notification-settings patch here; the alerts feature checks the meaning. */
function notificationPatch(v: unknown): Partial<NotificationSettings> {
  const p = obj(v, 'notifications');
  const out: Partial<NotificationSettings> = {};
  for (const key of Object.keys(p)) {
    switch (key) {
      case 'assignmentAlerts':
        out.assignmentAlerts = oneOf(p.assignmentAlerts, 'notifications.assignmentAlerts', ['all', 'mine', 'none'] as const);
        break;
      case 'myEmail':
        out.myEmail = p.myEmail === null || p.myEmail === '' ? null : str(p.myEmail, 'notifications.myEmail', 320).trim();
        break;
      case 'quietHours': {
        const q = obj(p.quietHours, 'notifications.quietHours');
        if (typeof q.enabled !== 'boolean') throw new ApiInputError('notifications.quietHours.enabled must be true or false');
        for (const k of ['start', 'end'] as const) {
          if (typeof q[k] !== 'string' || !CLOCK.test(q[k] as string)) throw new ApiInputError(`notifications.quietHours.${k} must be a time like 22:00`);
        }
        out.quietHours = { enabled: q.enabled, start: q.start as string, end: q.end as string };
        break;
      }
      case 'criticalBreaksQuietHours':
        if (typeof p.criticalBreaksQuietHours !== 'boolean') throw new ApiInputError('notifications.criticalBreaksQuietHours must be true or false');
        out.criticalBreaksQuietHours = p.criticalBreaksQuietHours;
        break;
      case 'mutedAccounts':
        if (!Array.isArray(p.mutedAccounts) || p.mutedAccounts.length > 1000) throw new ApiInputError('notifications.mutedAccounts must be a list of account keys');
        out.mutedAccounts = p.mutedAccounts.map((k, i) => str(k, `notifications.mutedAccounts[${i}]`, 200));
        break;
      case 'flapWindowMinutes':
        out.flapWindowMinutes = int(p.flapWindowMinutes, 'notifications.flapWindowMinutes', 0, 1440);
        break;
      default:
        throw new ApiInputError(`unknown notification setting ${JSON.stringify(key)}`);
    }
  }
  return out;
}

function eventQuery(query: unknown): StoreEventFilter & { limit: number } {
  const q = obj(query, 'query') as EventQuery & Record<string, unknown>;
  const group = q.group === undefined || q.group === null ? undefined : oneOf(q.group, 'group', EVENT_GROUP_NAMES);
  const type = optStr(q.type, 'type', 100);
  return {
    provider: q.provider === undefined || q.provider === null ? undefined : oneOf(q.provider, 'provider', PROVIDERS),
    // The store takes a group name or an exact type in one field; `unknown` is both a group and a type.
    type: type ?? group,
    account: optStr(q.account, 'account', 200),
    chat: optStr(q.chat, 'chat', 200),
    beforeId: optInt(q.beforeId, 'beforeId', 1),
    limit: optInt(q.limit, 'limit', 1, 1000) ?? 200,
  };
}

// ---------------------------------------------------------------------------------------------
// Shapes that cross the contract

function groupOf(type: string): EventSummary['group'] {
  if (type === 'unknown') return 'unknown';
  return eventGroup(type);
}

function cut(text: string | null, max: number): string | null {
  if (text === null || text.length <= max) return text;
  return text.slice(0, max - 1) + '…';
}

type SummarySource = Omit<EventSummary, 'group' | 'note'> & { details: Record<string, unknown> };

function summaryOf(e: SummarySource): EventSummary {
  return {
    id: e.id,
    receivedAt: e.receivedAt,
    occurredAt: e.occurredAt,
    provider: e.provider,
    type: e.type,
    group: groupOf(e.type),
    accountPhone: e.accountPhone,
    accountId: e.accountId,
    accountName: e.accountName,
    chatId: e.chatId,
    chatName: e.chatName,
    chatPhone: e.chatPhone,
    direction: e.direction,
    text: cut(e.text, FEED_TEXT_MAX),
    note: e.text ? null : cut(eventNote(e.details), 200),
    deliveryCount: e.deliveryCount,
  };
}

function field(v: unknown, key: string): string | null {
  if (v === null || typeof v !== 'object') return null;
  const x = (v as Record<string, unknown>)[key];
  return typeof x === 'string' && x !== '' ? x : null;
}

/** One line that says what an event without text was about, from its normalized details. */
export function eventNote(details: Record<string, unknown>): string | null {
  const parts: string[] = [];
  const who = (v: unknown) => field(v, 'name') ?? field(v, 'email');
  const status = typeof details.status === 'string' ? details.status : null;
  if (status) parts.push(`status: ${status}`);
  if (typeof details.state === 'string') parts.push(`state: ${details.state}`);
  const responsible = who(details.responsible);
  if (responsible) parts.push(`assigned to ${responsible}`);
  const previous = who(details.previousResponsible);
  if (previous) parts.push(`previously ${previous}`);
  const call = details.call;
  if (call && typeof call === 'object') {
    const c = call as { status?: unknown; durationSeconds?: unknown; isVideo?: unknown };
    parts.push(
      [c.isVideo === true ? 'video call' : 'call', typeof c.status === 'string' ? c.status : null, typeof c.durationSeconds === 'number' ? `${c.durationSeconds} s` : null]
        .filter(Boolean)
        .join(' '),
    );
  }
  const reaction = details.reaction;
  if (reaction && typeof reaction === 'object') parts.push([field(reaction, 'action'), field(reaction, 'emoji'), field(reaction, 'reactor') ? `by ${field(reaction, 'reactor')}` : null].filter(Boolean).join(' '));
  const template = details.template;
  if (template && typeof template === 'object') parts.push(`template ${field(template, 'name') ?? ''} ${field(template, 'status') ?? ''}`.trim());
  const failure = field(details.failure, 'title');
  if (failure) parts.push(`failed: ${failure}`);
  if (Array.isArray(details.labels) && details.labels.length) parts.push(`labels: ${details.labels.join(', ')}`);
  return parts.length ? parts.join(' · ') : null;
}

function page(store: HookwatchStore, events: StoredEvent[], limit: number): EventPage {
  return {
    events: events.map(summaryOf),
    nextBeforeId: events.length === limit ? events[events.length - 1]!.id : null,
    newestStoredId: store.maxEventId() || null,
  };
}

function detailOf(store: HookwatchStore, id: number): EventDetail | null {
  const d = store.getEvent(id);
  if (!d) return null;
  const body = d.request.body;
  return {
    event: {
      ...summaryOf(d),
      text: d.text,
      originalType: d.originalType,
      shape: d.shape,
      messageUid: d.messageUid,
      lastDeliveredAt: d.lastDeliveredAt,
      deliveryId: d.deliveryId,
      details: d.details as { [key: string]: JsonValue },
    },
    request: {
      method: d.request.method,
      path: d.request.path,
      forcedProvider: d.request.forcedProvider,
      contentType: d.request.headers['content-type'] ?? null,
      headers: d.request.headers,
      bodyText: body ? body.toString('utf8') : null,
      bodyTruncated: d.request.bodyTruncated,
    },
    related: d.related,
  };
}

function accountSeenOf(r: AccountSeenRow): AccountSeen {
  return {
    key: r.phone ?? r.accountId ?? '',
    phone: r.phone,
    accountId: r.accountId,
    name: r.name,
    provider: PROVIDERS.includes(r.provider as ProviderName) ? (r.provider as ProviderName) : 'unknown',
    lastEventAt: r.lastEventAt,
    lastEventType: r.lastEventType,
  };
}

function deliveryLogEntryOf(d: StoredDelivery): DeliveryLogEntry {
  return {
    id: d.id,
    receivedAt: d.receivedAt,
    method: d.method,
    path: d.path,
    status: d.status,
    reason: d.reason,
    latencyMs: Math.round(d.latencyMs * 100) / 100,
    size: d.size,
    provider: d.provider,
    eventType: d.eventType,
    eventCount: d.eventCount,
    duplicate: d.duplicate,
  };
}

export function deliveryLogLine(d: DeliveryLogEntry): string {
  return [
    new Date(d.receivedAt).toISOString(),
    `${d.method} ${d.path}`,
    String(d.status),
    `${d.latencyMs} ms`,
    `${d.size} B`,
    d.provider ? `${d.provider} ${d.eventType ?? ''}`.trim() : '-',
    d.duplicate ? 'duplicate' : '',
    d.reason ?? '',
  ]
    .filter((x) => x !== '')
    .join('\t')
    // One line per request, whatever a path or reason carries.
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]+/g, ' ');
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}


