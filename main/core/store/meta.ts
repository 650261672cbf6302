// The meta table as a typed key map: every setting Hookwatch keeps in it, with its value type and codec.
import type { Db } from './db.js';
import { isPlainObject } from './hydrate.js';

/** A value as it goes into the `meta.value` column, and back out (null: absent, or not readable as this key's type). */
interface Codec<T> {
  parse(text: string): T | null;
  serialize(value: T): string;
}

const text: Codec<string> = { parse: (t) => t, serialize: (v) => v };

/** A whole number of at least 0 written as decimal text (what `Number(text)` reads back). */
const count: Codec<number> = {
  parse: (t) => {
    const v = Number(t);
    return Number.isInteger(v) && v >= 0 ? v : null;
  },
  serialize: (v) => String(v),
};

/** JSON, checked by `check` on the way out; a value that is not valid JSON or fails the check reads as absent. */
function json<T>(check: (v: unknown) => v is T): Codec<T> {
  return {
    parse: (t) => {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch {
        return null;
      }
      return check(v) ? v : null;
    },
    serialize: (v) => JSON.stringify(v),
  };
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
/** Any JSON document: its shape belongs to the module that writes it (alert rules, alert settings). */
const isAnyJson = (_v: unknown): _v is unknown => true;

/** The tunnel server and subdomain chosen in Settings, kept for the next start. */
export interface TunnelPreferencesRecord {
  host?: string | null;
  subdomain?: string | null;
  /** The last public URL that passed its probe: a change after a restart is announced (tunnel/preferences.ts). */
  lastPublicUrl?: string | null;
}
const isTunnelPreferences = (v: unknown): v is TunnelPreferencesRecord =>
  isPlainObject(v) &&
  (v.host === undefined || v.host === null || typeof v.host === 'string') &&
  (v.subdomain === undefined || v.subdomain === null || typeof v.subdomain === 'string') &&
  (v.lastPublicUrl === undefined || v.lastPublicUrl === null || typeof v.lastPublicUrl === 'string');

/** Every meta key and the type of its value. */
export interface MetaValues {
  webhookSecret: string;
  formerWebhookSecrets: string[];
  ftsIndexedUpto: number;
  retentionEventDays: number;
  retentionDeliveryLogDays: number;
  tunnelSettings: TunnelPreferencesRecord;
  registerEventTypes: string[];
  alertsLastEventId: number;
  alertRuleState: unknown;
  alertSettings: unknown;
  catchupCheckpoints: Record<string, unknown>;
  dashboardToken: string;
  dashboardPort: number;
  catchupLimits: { daysBack?: number; maxChats?: number };
  hubSettings: Record<string, unknown>;
  hubRuntime: Record<string, unknown>;
}
export type MetaKey = keyof MetaValues;
export type MetaValue<K extends MetaKey> = MetaValues[K];

/**
 * Every meta key: its name in the table (unchanged since it was first written, so existing databases keep
 * their settings) and its codec. Adding a setting means adding a line here; callers cannot use a key that
 * is not listed, nor store a value of another type under it.
 */
const META: { readonly [K in MetaKey]: { readonly key: string; readonly codec: Codec<MetaValues[K]> } } = {
  /** The install's webhook secret (256 random bits, base64url). */
  webhookSecret: { key: 'webhook_secret', codec: text },
  /** A few former secrets, newest first: registration must recognise webhooks still pointing at an old URL as ours. */
  formerWebhookSecrets: { key: 'webhook_secrets_previous', codec: json(isStringArray) },
  /** Every event id up to this one is in the full-text index (migration 4; read by its triggers too). */
  ftsIndexedUpto: { key: 'fts_indexed_upto', codec: count },
  /** Retention in days; 0 keeps forever. */
  retentionEventDays: { key: 'retention_event_days', codec: count },
  retentionDeliveryLogDays: { key: 'retention_delivery_log_days', codec: count },
  tunnelSettings: { key: 'tunnel_settings', codec: json(isTunnelPreferences) },
  /** The event types the person chose to register with TimelinesAI (the first-run screen). */
  registerEventTypes: { key: 'register_event_types', codec: json(isStringArray) },
  /** The last event id the alert service processed. */
  alertsLastEventId: { key: 'alerts_last_event_id', codec: json(isCount) },
  /** The alert rules' memory (its shape belongs to main/core/alerts/rules.ts). */
  alertRuleState: { key: 'alert_rule_state', codec: json(isAnyJson) },
  /** Notification settings (parseAlertSettings in main/core/alerts/settings.ts checks them). */
  alertSettings: { key: 'alert_settings', codec: json(isAnyJson) },
  /** Catch-up runs by gap key: an interrupted run resumes, a finished one is not repeated (main/core/catchup/engine.ts checks the shape). */
  catchupCheckpoints: { key: 'catchup_checkpoints', codec: json(isPlainObject) },
  /** The dashboard's access token, kept so bookmarks and open tabs survive restarts (`hookwatch dashboard --rotate-token`). */
  dashboardToken: { key: 'dashboard_token', codec: text },
  /** The dashboard port chosen with `hookwatch dashboard --port N` (else 8790). */
  dashboardPort: { key: 'dashboard_port', codec: count },
  /** Catch-up's bounds chosen with `hookwatch serve --catchup-days N --catchup-chats N` (main/core/catchup/service.ts clamps them). */
  catchupLimits: { key: 'catchup_limits', codec: json(isPlainObject) },
  /** Settings → Team hub: publish to a hub, follow one, or neither (main/core/hub/settings.ts checks the shape). */
  hubSettings: { key: 'hub_settings', codec: json(isPlainObject) },
  /** What the running hub or follower last reported, for `hookwatch status` in another process (main/core/hub/runtime.ts). */
  hubRuntime: { key: 'hub_runtime', codec: json(isPlainObject) },
};

export class MetaTable {
  constructor(private readonly db: Db) {}

  /** The value, or null when it was never set (or cannot be read as its type: the caller's default applies). */
  get<K extends MetaKey>(key: K): MetaValue<K> | null {
    const spec = META[key];
    const value: unknown = this.db.cached('SELECT value FROM meta WHERE key = ?').pluck().get(spec.key);
    return typeof value === 'string' ? spec.codec.parse(value) : null;
  }

  set<K extends MetaKey>(key: K, value: MetaValue<K>): void {
    const spec = META[key];
    this.db
      .cached('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(spec.key, spec.codec.serialize(value));
  }
}
