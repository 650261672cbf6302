// The ports of the API service: the small interfaces it reads, which the adapters (sources.ts) and hosts fill.
import type { CommittedListener } from '../core.js';
import type { TimelinesSyncReport } from '../providers/timelines/sync.js';
import type { HookwatchStore } from '../store/store.js';
import type {
  AccountCard,
  ActionResult,
  AlertView,
  NotificationSettings,
  RegisteredWebhook,
  TokenStorage,
  TunnelStatus,
} from '../../contract/api.js';

/**
 * They live apart from both the service (which consumes them) and the adapters (which implement them),
 * so neither imports the other. A host without a part (no alerts, no tunnel) leaves its port out, and the
 * matching answers say that it is not available here.
 */

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

/** What the dashboard needs of the tunnel supervisor (main/core/tunnel), by shape. */
export interface TunnelSupervisorLike {
  readonly current: { state: TunnelStatus['state']; url: string | null; at: number };
  onStateChange(listener: (change: { state: TunnelStatus['state']; url: string | null; at: number }) => void): () => void;
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

/** The tunnel server and subdomain of a host that runs a tunnel. `set` throws TunnelSettingsError on a bad value. */
export interface TunnelPreferencesSource {
  get(): { host: string; subdomain: string | null };
  set(patch: { host?: string | null; subdomain?: string | null }): { host: string; subdomain: string | null };
  defaultHost: string;
}

/** Where the first-run screen's TimelinesAI token goes. */
export interface TokenStore {
  storage: Exclude<TokenStorage, 'unavailable'>;
  save(token: string | null): Promise<ActionResult>;
}

/** The core's RegistrationOutcome, structurally (the service does not import the core's classes). */
export type RegistrationOutcomeLike = { ok: true; url: string; report: TimelinesSyncReport } | { ok: false; url: string; error: string };

/** Registers at the current public URL now (the core's registerNow); the chosen types are remembered. */
export interface Registrar {
  register(eventTypes: string[]): Promise<RegistrationOutcomeLike>;
  chosen(): string[] | undefined;
}

/** What the service needs from `HookwatchCore` (which satisfies it). */
export interface ServiceCore {
  readonly store: HookwatchStore;
  readonly receiver: { readonly localUrl: string; readonly webhookPath: string };
  /** Every request the receiver committed, with the delivery row and its events as stored. */
  onCommitted(listener: CommittedListener): () => void;
}
