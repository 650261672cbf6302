// The one contract between Hookwatch's core and any user interface: what a UI can ask, and what it is told.
/**
 * `HookwatchApi` is what a UI can ask; `HookwatchNotifications` is what it is told. The core implements
 * the API once (main/core/api/service.ts); the transports forward it generically by method name (the HTTP
 * dashboard server, the Electron preload), and the renderer gets a typed proxy. No method has a
 * hand-written route or channel.
 *
 * Everything that crosses the contract is plain, serializable data (JSON: no classes, no Dates, no
 * Buffers, no undefined-vs-missing distinctions that matter). Times are epoch milliseconds (UTC).
 * This folder imports neither Node nor Electron nor the core, so the renderer and the preload can import it.
 */
import type { OverallStatus } from './status.js';
import type { Direction, EventGroupName, ProviderId } from './events.js';

export type { OverallStatus, StatusLevel, StatusPart } from './status.js';
export type { Direction, EventGroupName, ProviderId } from './events.js';
export { EVENT_GROUP_NAMES, PROVIDER_IDS } from './events.js';

/** Something this Hookwatch runs without (no tunnel, no alerts); the UI shows `reason` as its empty state. */
export interface NotAvailable {
  available: false;
  reason: string;
}
export type Availability<T> = ({ available: true } & T) | NotAvailable;

// ---------------------------------------------------------------------------------------------
// Events

/** Which events to list; the rules are one pure function (main/contract/filter.ts) the store and the page share. */
export interface EventFilter {
  provider?: ProviderId;
  group?: EventGroupName;
  /** An exact event type (stale aliases accepted) or a group name; wins over `group`. */
  type?: string;
  /** A phone number in any common spelling, or an account id (WhatsApp JID, WhatsAble user id). */
  account?: string;
  chat?: string;
  /** Received at or after this instant (epoch ms). */
  from?: number;
  /** Received before this instant (epoch ms). */
  to?: number;
}

export interface EventQuery extends EventFilter {
  /** Cursor: only events with an id below this (the feed is newest first). */
  beforeId?: number;
  /** Page size, 1..1000 (default 200). */
  limit?: number;
}

/** One feed row. Small on purpose: the feed holds thousands of these. */
export interface EventSummary {
  id: number;
  receivedAt: number;
  occurredAt: number | null;
  provider: ProviderId;
  type: string;
  group: EventGroupName | 'other';
  accountPhone: string | null;
  accountId: string | null;
  accountName: string | null;
  chatId: string | null;
  chatName: string | null;
  chatPhone: string | null;
  direction: Direction | null;
  /** The message text, cut to 300 characters (the detail has all of it). Untrusted: show as text. */
  text: string | null;
  /** A short line for events without text: "assigned to Alex Agent", "status: disconnected", … Untrusted. */
  note: string | null;
  deliveryCount: number;
  /** Read back from the TimelinesAI API by catch-up after a gap in receiving, not delivered by a webhook. */
  recovered: boolean;
}

export interface EventPage {
  events: EventSummary[];
  /** Pass as `beforeId` for the next (older) page; null when there is none. */
  nextBeforeId: number | null;
  /** The newest stored event id when the page was read, whatever the filter (to compare with `stream`). */
  newestStoredId: number | null;
  /**
   * How many stored events match the filter, counted up to a cap (`capped`: at least that many). Only on
   * a first page (no `beforeId`); later pages leave it out.
   */
  total?: { count: number; capped: boolean };
}

export interface SearchPage extends EventPage {
  /** The words searched for, each matched as a word prefix, all of them required (for highlighting). */
  terms: string[];
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One event as the detail pane shows it (the store's record with its request, reshaped for the UI). */
export interface EventDetailView {
  event: EventSummary & {
    /** The whole text, not cut. */
    text: string | null;
    originalType: string | null;
    shape: string;
    messageUid: string | null;
    lastDeliveredAt: number;
    deliveryId: number;
    details: { [key: string]: JsonValue };
  };
  /** The HTTP request that first brought the event, as received (credentials were never stored). */
  request: {
    method: string;
    /** With the secret replaced by `{secret}`. */
    path: string;
    /** The provider named in the URL (`/hooks/<secret>/<provider>`), if any; a replay uses the same path. */
    forcedProvider: string | null;
    contentType: string | null;
    headers: { [name: string]: string };
    /** The body as UTF-8 text (accepted bodies always are); null when there was none. Untrusted. */
    bodyText: string | null;
    bodyTruncated: boolean;
  };
  /** Other events that carry the same message (one message announced under two event types). */
  related: Array<{ id: number; type: string }>;
}

/** Choices for the feed's filters, read cheaply from indexes. */
export interface FilterOptions {
  providers: ProviderId[];
  groups: EventGroupName[];
  accounts: AccountSeen[];
  /** Chats of recent events, for suggestions; any chat id can still be typed. */
  recentChats: Array<{ chatId: string; chatName: string | null; lastEventAt: number }>;
}

// ---------------------------------------------------------------------------------------------
// Accounts

export type AccountState = 'connected' | 'disconnected' | 'suspended' | 'unknown';

/** A WhatsApp account as it appears in stored events (known without account tracking). */
export interface AccountSeen {
  /** What to pass as `EventFilter.account`: the phone when known, else the account id. */
  key: string;
  phone: string | null;
  accountId: string | null;
  name: string | null;
  provider: ProviderId;
  lastEventAt: number;
  lastEventType: string;
}

export interface AccountOutage {
  from: number;
  /** null while it lasts. */
  to: number | null;
  state: 'disconnected' | 'suspended';
}

export interface AccountCard {
  key: string;
  phone: string | null;
  accountId: string | null;
  name: string | null;
  state: AccountState;
  /** Since when it has been in `state`; null when unknown. */
  since: number | null;
  /** The latest account event (id null when the state came from the provider's API, not a stored event). */
  lastEvent: { id: number | null; type: string; at: number } | null;
  /** Outages overlapping the last 7 days, oldest first. */
  outages7d: AccountOutage[];
  /**
   * A number whose provider sends no status events (WhatsAble): its events are the only signal. `silentSince`
   * is set while a silence warning about it is open. Absent for numbers with a tracked state.
   */
  activity?: { provider: ProviderId; lastEventAt: number; silentSince: number | null };
}

export interface AccountsBoard {
  /** Per-account state, from account events and the provider's API (the alerts feature). */
  tracking: Availability<{ accounts: AccountCard[] }>;
  /** Accounts seen in stored events, whatever tracking says. */
  seen: AccountSeen[];
}

// ---------------------------------------------------------------------------------------------
// Webhook health

export interface LatencyFigures {
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface HealthRow {
  /** `unmatched`: requests to unknown paths or with a wrong secret; `all`: the total row. */
  provider: ProviderId | 'unmatched' | 'all';
  /** null: requests that produced no event (rejected, or not a webhook). */
  eventType: string | null;
  /** Deliveries per hour over the last 24 hours, oldest first (24 numbers; the last is the current hour). */
  hourly24h: number[];
  /** Deliveries over the last 10 days (accepted and rejected, like the provider's "activations"). */
  deliveries10d: number;
  rejected10d: number;
  /** rejected10d / deliveries10d, 0..1; null without deliveries. */
  rejectedShare: number | null;
  last: { id: number; at: number; status: number; reason: string | null; latencyMs: number } | null;
  /** Over the last 10 days, from a log-scale histogram (±10 %). */
  latency: LatencyFigures;
}

export interface TunnelStatus {
  state: 'connecting' | 'up' | 'degraded' | 'down' | 'reconnecting' | 'off';
  url: string | null;
  since: number;
  /** Share of the last 24 hours the tunnel was up, 0..1. */
  uptime24h: number | null;
  lastProbe: { at: number; ok: boolean; ms: number | null; error: string | null } | null;
}

export interface RegisteredWebhook {
  id: string;
  provider: ProviderId;
  eventType: string;
  /** False: it still points at an older URL of ours (a previous tunnel, a rotated secret). */
  pointsAtCurrentUrl: boolean;
  enabled: boolean;
  /** The provider's count of consecutive failed deliveries. */
  errorsCounter: number | null;
  /** When the provider was last asked. */
  checkedAt: number;
}

export interface HealthReport {
  generatedAt: number;
  windowDays: number;
  /** All deliveries together. */
  total: HealthRow;
  providers: Array<{ provider: Exclude<HealthRow['provider'], 'all'>; summary: HealthRow; types: HealthRow[] }>;
  tunnel: Availability<{ status: TunnelStatus }>;
  webhooks: Availability<{ webhooks: RegisteredWebhook[] }>;
  /** The team hub, when this install publishes to one (`serve --hub`) or follows one (`hookwatch follow`); docs/hub.md. */
  hub?: HubHealth;
  /** Catch-up after downtime: the run in progress and the latest gaps with their outcome; absent on a follower. */
  catchup?: CatchupHealth;
}

/** Catch-up as Webhook health shows it: messages missed while Hookwatch was not receiving, read back from TimelinesAI. */
export interface CatchupHealth {
  running: {
    gapStart: number;
    gapEnd: number;
    /** offline, stopped, asleep, tunnel, webhook-errors, manual. */
    reason: string;
    /** chats (listing), recheck, messages, done. */
    phase: string;
    chatsFound: number;
    chatsDone: number;
    recovered: number;
    requests: number;
    startedAt: number;
  } | null;
  /** Gaps waiting behind the running one. */
  queued: number;
  limits: { daysBack: number; maxChats: number };
  /** Newest first. */
  gaps: CatchupGapView[];
}

export interface CatchupGapView {
  key: string;
  start: number;
  end: number;
  reasons: string[];
  /** running, done, nothing-to-do, interrupted, failed, no-token. */
  status: string;
  recovered: number;
  /** Chats in which messages were recovered. */
  chats: number;
  requests: number;
  /** Why it stopped early or could not run, in words a person can act on. */
  error: string | null;
  /** The one-line summary `serve` printed ("catch-up: offline 23:10–07:45 UTC, 37 messages recovered from 5 chats"). */
  line: string | null;
  finishedAt: number | null;
}

/** The team hub as health shows it: one line, plus each forwarding destination and its delivery log counts. */
export interface HubHealth {
  role: 'hub' | 'follower';
  /** The hub's servers as shown to people (never credentials). */
  hub: string;
  /** hub: connecting, up, down, stopped; follower: connecting, following, down, stopped. */
  state: string;
  /** hub: messages stored but not yet published; follower: messages not yet applied (null until known). */
  backlog: number | null;
  /** hub: when the oldest unpublished message was stored. */
  oldestWaitingAt: number | null;
  lastError: string | null;
  forwarding: Array<{
    destinationId: number;
    url: string;
    state: string;
    behind: number | null;
    delivered: number;
    failed: number;
    parked: number;
    lastError: string | null;
  }>;
}

export interface DeliveryLogEntry {
  id: number;
  receivedAt: number;
  method: string;
  /** With the secret replaced. */
  path: string;
  status: number;
  reason: string | null;
  latencyMs: number;
  size: number;
  provider: string | null;
  eventType: string | null;
  eventCount: number;
  duplicate: boolean;
}

// ---------------------------------------------------------------------------------------------
// Alerts

export type AlertSeverity = 'critical' | 'warning' | 'info' | 'recovery';

export interface AlertView {
  id: number;
  at: number;
  severity: AlertSeverity;
  kind: string;
  title: string;
  text: string;
  accountPhone: string | null;
  chatId: string | null;
  /** The event that raised it, when there is one. */
  eventId: number | null;
  acknowledgedAt: number | null;
  /** Text the person is asked to paste somewhere (a changed webhook URL): shown with a Copy button, never logged. */
  copyText?: string;
}

export type AlertsView = Availability<{ alerts: AlertView[]; snoozedUntil: number | null }>;

export type ActionResult = { ok: true } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Settings, setup, export

export interface RetentionSettings {
  /** Events older than this are deleted; 0 keeps them forever. */
  eventDays: number;
  /** Delivery-log rows (not the raw requests of kept events) older than this are deleted; 0 keeps them. */
  deliveryLogDays: number;
}

/** When and how alerts notify (the alerts feature keeps them). */
export interface NotificationSettings {
  /** Chat assignment alerts: every one, only those assigned to `myEmail`, or none. */
  assignmentAlerts: 'all' | 'mine' | 'none';
  /** False until the user chose whose assignments to announce (Setup asks); until then all are announced. */
  assignmentsAnswered: boolean;
  myEmail: string | null;
  /** Local "HH:MM"; a start after the end crosses midnight. */
  quietHours: { enabled: boolean; start: string; end: string };
  criticalBreaksQuietHours: boolean;
  /** Account keys (phone, else account id) whose alerts are kept but never notify. */
  mutedAccounts: string[];
  /** An account changing state again within this many minutes is folded into one alert (0: off). */
  flapWindowMinutes: number;
  /** Warn when a number is silent far longer than usual for that hour of the week (after 7 days of history). */
  silenceAlerts: boolean;
  /** Never warn about a silence shorter than this (minutes, 15 to 10080). */
  silenceFloorMinutes: number;
}

export interface TunnelPreferences {
  /** The localtunnel server: the public service or one of your own. */
  host: string;
  /** A preferred name (stable URL across reconnects); null for a fresh random one per tunnel. */
  subdomain: string | null;
  defaultHost: string;
}

export interface SettingsView {
  retention: RetentionSettings;
  /** Not available where Hookwatch runs without a tunnel (`hookwatch serve --no-tunnel`). */
  tunnel: Availability<TunnelPreferences>;
  notifications: Availability<{ settings: NotificationSettings }>;
  dataDir: string;
}

export interface SettingsPatch {
  retention?: Partial<RetentionSettings>;
  /** A null host means the public service again; a null or empty subdomain a random name. */
  tunnel?: { host?: string | null; subdomain?: string | null };
  notifications?: Partial<NotificationSettings>;
}

export interface ProviderInstructions {
  provider: Exclude<ProviderId, 'unknown'>;
  title: string;
  /** The URL to give this provider (it contains the secret: the user's own, never logged). */
  url: string;
  steps: string[];
}

export type TokenStorage = 'encrypted' | 'this-run' | 'unavailable';

export interface EventTypeChoice {
  type: string;
  group: 'account' | 'assignment' | 'messages';
  /** In the current (or default) choice. */
  chosen: boolean;
}

/** What a registration did, in the lines `hookwatch register` prints (the secret shown as {secret}). */
export interface RegistrationView {
  ok: boolean;
  lines: string[];
  registered: string[];
  missing: string[];
  /** Why nothing was done (no token, no public URL yet, the API refused), in words to act on. */
  problem: string | null;
}

export interface SetupInfo {
  /** The local webhook URL, with the secret. */
  webhookUrl: string;
  /** The public URL once the tunnel is up; null until then. */
  publicUrl: string | null;
  publicUrlNote: string;
  /** Whether a provider token is configured (registration is automatic then). */
  tokenConfigured: boolean;
  hasEvents: boolean;
  providers: ProviderInstructions[];
  /** Where a pasted TimelinesAI token is kept: encrypted by the desktop app, in memory by `hookwatch serve`. */
  tokenStorage: TokenStorage;
  eventTypeChoices: EventTypeChoice[];
  /** When the public URL last changed, while that alert is not acknowledged: the WhatsAble URL must be pasted again. */
  urlChangedAt: number | null;
}

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportFile {
  filename: string;
  mimeType: string;
  content: string;
  rows: number;
  /** True when the export stopped at its row limit (`limit`). */
  truncated: boolean;
  limit: number;
}

// ---------------------------------------------------------------------------------------------
// The API

export interface HookwatchApi {
  /** The feed: newest first, filtered, one page per call. */
  listEvents(query: EventQuery): Promise<EventPage>;
  /** Full-text search (every word as a prefix) over text, chat and account names and phones. */
  searchEvents(text: string, query: EventQuery): Promise<SearchPage>;
  /** One event with its raw request; null when it does not exist (any more). */
  getEvent(id: number): Promise<EventDetailView | null>;
  getFilterOptions(): Promise<FilterOptions>;
  listAccounts(): Promise<AccountsBoard>;
  getHealth(): Promise<HealthReport>;
  /** The delivery log, newest first (default and maximum 1000 per page). */
  listDeliveries(query: { beforeId?: number; limit?: number }): Promise<DeliveryLogEntry[]>;
  /** The last 1000 log entries as a file, one line each (`txt`, like the provider's log) or JSONL. */
  exportDeliveryLog(format: 'txt' | 'jsonl'): Promise<ExportFile>;
  listAlerts(query: { limit?: number }): Promise<AlertsView>;
  acknowledgeAlert(id: number): Promise<ActionResult>;
  /** Silence alerts until then (epoch ms); null ends a snooze. */
  snoozeAlerts(until: number | null): Promise<ActionResult>;
  getSettings(): Promise<SettingsView>;
  updateSettings(patch: SettingsPatch): Promise<SettingsView>;
  getSetup(): Promise<SetupInfo>;
  /** Keeps (or, with null, forgets) the TimelinesAI token where this host keeps tokens (see SetupInfo.tokenStorage). */
  setTimelinesToken(token: string | null): Promise<TokenSaveResult>;
  /** Points one TimelinesAI webhook per chosen event type at the current public URL, now; the choice is remembered. */
  registerWebhooks(eventTypes: string[]): Promise<RegistrationView>;
  /** The events of a filter (and search, if any) as a file, newest first, up to a row limit. */
  exportEvents(filter: EventFilter & { search?: string }, format: ExportFormat): Promise<ExportFile>;
  /** One delivery-log row with its headers and the body that was kept (a rejected body too); null when gone. */
  getDelivery(id: number): Promise<DeliveryDetailView | null>;

  // Issue 11: one status, incidents, the token owner's e-mail.
  /** The overall state (main/contract/status.ts): what the tray, the header and `hookwatch status` show. */
  getStatus(): Promise<OverallStatus>;
  /** Incidents newest first: `open` (not resolved), `resolved`, or `all`. */
  listIncidents(query: { state?: IncidentState; limit?: number }): Promise<IncidentsView>;
  /** Acknowledges the given incidents, or every unacknowledged one with null. */
  acknowledgeIncidents(ids: number[] | null): Promise<ActionResult>;
  /** Keeps one incident out of the way until then (null ends the snooze). */
  snoozeIncident(id: number, until: number | null): Promise<ActionResult>;
  /** The e-mail of the TimelinesAI token's teammate (GET /workspace/teammates/me), for Setup's "only mine". */
  getTeammateEmail(): Promise<Availability<{ email: string }>>;
  /** Sends a marked test event (type `hookwatch:test`) through the public URL, else locally, timing each hop. */
  sendTestEvent(): Promise<TestEventReport>;
  /** One number's uptime over the last 7 and 30 days and its incidents of the last 30 days (`key`: AccountCard.key). */
  getAccountHistory(key: string): Promise<AccountHistoryView>;

  // Issue 12: Settings → Team hub (docs/hub.md).
  /** The saved choice (publish to a hub, follow one, or neither), what runs now, and the forwarding destinations. */
  getTeamHub(): Promise<TeamHubView>;
  /** Saves the choice and applies it at once (stops the running publisher or follower, starts the new one). */
  setTeamHub(settings: TeamHubSettings): Promise<TeamHubView>;
  /** Adds a forwarding destination (an HTTP URL: n8n, Make, Zapier); empty `types`: all events. */
  addForwardDestination(input: { url: string; types: string[] }): Promise<TeamHubView>;
  removeForwardDestination(id: number): Promise<TeamHubView>;
}

/** Settings → Team hub. Credentials stay in a file this install reads: never in the URL, never shown. */
export interface TeamHubSettings {
  mode: 'off' | 'publish' | 'follow';
  /** nats://HOST:PORT or tls://HOST:PORT (several, comma separated, for a cluster). */
  url: string;
  /** A .creds file, an nkey seed file or a one-line user:password file; null: none. */
  credsFile: string | null;
  /** follow: this install's name at the hub (its durable consumer hookwatch-follow-<name>). */
  name: string;
  /** publish: the workspace token of the subjects (default `default`). */
  workspace: string;
  /** TLS (docs/hub.md, Security): a private CA's certificate to trust (PEM); null or absent: the system's CAs. */
  caFile?: string | null;
  /** Mutual TLS: this install's client certificate and its unencrypted key (PEM), both or neither. */
  certFile?: string | null;
  keyFile?: string | null;
}

export interface TeamHubView {
  settings: TeamHubSettings;
  /** This run's hub was set on the command line (`serve --hub`, `follow`): a saved change applies at the next start without it. */
  fixedByCommandLine: boolean;
  /** What runs now; null: neither publishing nor following. */
  status: HubHealth | null;
  /** Forwarding destinations (the hub forwards; a follower keeps none running). */
  destinations: Array<{ id: number; url: string; types: string[]; createdAt: number }>;
}

/**
 * Uptime is the share (0..1) of the window the number was not in an account incident, counted from when
 * Hookwatch first knew it (`watchedSince`) when that is later than the window's start; null when it knew
 * nothing of the number in that window.
 */
export interface AccountHistoryView {
  key: string;
  watchedSince: number | null;
  uptime7d: number | null;
  uptime30d: number | null;
  /** Down time inside each window (ms), for the sentence beside the percentage. */
  downMs7d: number;
  downMs30d: number;
  /** The number's incidents that overlap the last 30 days, oldest first. */
  incidents: IncidentView[];
}

/** One delivery as its detail panel shows it. */
export interface DeliveryDetailView {
  entry: DeliveryLogEntry;
  contentType: string | null;
  /** As received, credentials never stored. */
  headers: { [name: string]: string };
  /** The kept body as UTF-8 text (invalid bytes replaced); null when none was kept. Untrusted: show as text. */
  bodyText: string | null;
  /** The receiver keeps only the start of a large or rejected body. */
  bodyTruncated: boolean;
}

export type IncidentState = 'open' | 'resolved' | 'all';

/** One outage (an account, the tunnel, provider webhooks), however many alerts it raised. Texts are plain, never HTML. */
export interface IncidentView {
  id: number;
  kind: 'account' | 'tunnel' | 'webhook' | 'silence';
  /** The account key for account and silence incidents (link to the Accounts screen). */
  subject: string | null;
  severity: AlertSeverity;
  title: string;
  text: string;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  /** (resolvedAt or now) − openedAt. */
  durationMs: number;
  /** Recoveries followed by a new outage soon after, folded into this incident. */
  flaps: number;
  alerts: number;
  acknowledgedAt: number | null;
  snoozedUntil: number | null;
}

export type IncidentsView = Availability<{ incidents: IncidentView[] }>;

export type HookwatchMethod = keyof HookwatchApi;

/** What `sendTestEvent` did: each hop with its time, and the problem (with what to do) when one failed. */
export interface TestEventReport {
  ok: boolean;
  via: 'tunnel' | 'local';
  sentAt: number;
  hops: Array<{ hop: 'tunnel reached' | 'receiver answered' | 'stored'; at: number; detail: string }>;
  eventId: number | null;
  problem: string | null;
}

/**
 * What saving a TimelinesAI token did: `ok` says it was kept; the token is then checked at once with
 * TimelinesAI (GET /whatsapp_accounts): `accounts` is how many WhatsApp accounts it sees when it works,
 * `problem` what is wrong (bad token, no permission, unreachable) and what to do. Neither after forgetting.
 */
export type TokenSaveResult = ActionResult & { accounts?: number; problem?: string };

// A Record over the interface's keys: adding a method to HookwatchApi without listing it here fails to compile.
const METHOD_SET: Record<HookwatchMethod, true> = {
  listEvents: true,
  searchEvents: true,
  getEvent: true,
  getFilterOptions: true,
  listAccounts: true,
  getHealth: true,
  listDeliveries: true,
  exportDeliveryLog: true,
  listAlerts: true,
  acknowledgeAlert: true,
  snoozeAlerts: true,
  getSettings: true,
  updateSettings: true,
  getSetup: true,
  setTimelinesToken: true,
  registerWebhooks: true,
  exportEvents: true,
  getDelivery: true,
  getStatus: true,
  listIncidents: true,
  acknowledgeIncidents: true,
  snoozeIncident: true,
  getTeammateEmail: true,
  sendTestEvent: true,
  getAccountHistory: true,
  getTeamHub: true,
  setTeamHub: true,
  addForwardDestination: true,
  removeForwardDestination: true,
};

/** Every method name, for transports that must refuse anything else. */
export const HOOKWATCH_API_METHODS: readonly HookwatchMethod[] = Object.keys(METHOD_SET) as HookwatchMethod[];

export function isHookwatchMethod(name: unknown): name is HookwatchMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHOD_SET, name);
}

// ---------------------------------------------------------------------------------------------
// What the UI is told

export interface DeliverySummary {
  id: number;
  receivedAt: number;
  status: number;
  provider: string | null;
  eventType: string | null;
}

/** The dashboard's screens (routes `#/<screen>`, and `#/feed/<eventId>` for one event). */
export type ScreenName = 'feed' | 'accounts' | 'health' | 'alerts' | 'settings' | 'setup';

export interface HookwatchNotifications {
  /**
   * Sent first to every new subscriber (and so after every reconnection): the newest stored event id, so
   * a view can tell whether events arrived while it was loading or disconnected.
   */
  stream: { lastEventId: number | null };
  /** New events, batched (a burst arrives as a few notifications, not thousands); redeliveries apart. */
  events: { events: EventSummary[]; redelivered: Array<{ id: number; deliveryCount: number; lastDeliveredAt: number }> };
  /** Every request the receiver answered, accepted or not, batched. */
  deliveries: { deliveries: DeliverySummary[] };
  account: AccountCard;
  tunnel: TunnelStatus;
  alert: AlertView;
  /** The desktop shell asks the window to show a screen (a native notification was clicked). */
  navigate: { screen: ScreenName; eventId?: number | null };
  /** The overall state (the same as getStatus), sent whenever it changes. */
  status: OverallStatus;
}

export type HookwatchNotificationKind = keyof HookwatchNotifications;

export type HookwatchNotification = {
  [K in HookwatchNotificationKind]: { kind: K; data: HookwatchNotifications[K] };
}[HookwatchNotificationKind];

export const HOOKWATCH_NOTIFICATION_KINDS: readonly HookwatchNotificationKind[] = [
  'stream',
  'events',
  'deliveries',
  'account',
  'tunnel',
  'alert',
  'navigate',
  'status',
];

/**
 * What a transport gives the renderer: one generic call and one subscription. The Electron preload
 * exposes exactly this as `window.hookwatch` (over one IPC channel); the browser builds it over HTTP.
 */
export interface HookwatchBridge {
  invoke(method: HookwatchMethod, args: unknown[]): Promise<unknown>;
  subscribe(listener: (notification: HookwatchNotification) => void): () => void;
}

/**
 * How errors cross a transport: plain data, turned back into an Error by the renderer. `message` is the
 * reason alone, in words for the person (shown as it is); `method` names the API method for logs and
 * tools, and is absent only when the name was not a method.
 */
export interface ApiErrorPayload {
  error: { code: 'bad-input' | 'unknown-method' | 'internal'; message: string; method?: HookwatchMethod };
}
