// Keeps the tunnel preferences (server, subdomain) and the last verified public URL in the store's meta table.
import { DEFAULT_TUNNEL_HOST, generateSubdomain, normalizeTunnelHost, resolveTunnelSettings, validateSubdomain } from './settings.js';
import type { TunnelSupervisor } from './supervisor.js';

/** The one meta key this file keeps; its value is the JSON of KeptTunnel. */

/** What preferences need of the store: its typed meta table (HookwatchStore.meta), the `tunnelSettings` key. */
export interface TunnelMeta {
  readonly meta: {
    get(key: 'tunnelSettings'): { host?: string | null; subdomain?: string | null; lastPublicUrl?: string | null } | null;
    set(key: 'tunnelSettings', value: { host: string | null; subdomain: string | null; lastPublicUrl: string | null }): void;
  };
}

/**
 * The value under the meta key `tunnelSettings`. Every field is optional: versions before the kept name stored only host and
 * subdomain, with a null subdomain meaning "a random name per tunnel" (now: pick one and keep it).
 */
export interface KeptTunnel {
  host?: string | null;
  /** The name asked for at every connect, reconnect and restart; picked at random when the tunnel first starts. */
  subdomain?: string | null;
  /** The public URL that last passed a probe, so the next run can tell whether its URL is a change. */
  lastPublicUrl?: string | null;
}

/** What the Settings screen shows and sets. */
export interface TunnelPreferenceValues {
  host: string;
  /** Null only before the tunnel first started (a name is picked then). */
  subdomain: string | null;
}

/** The saved preferences (a stored value that no longer passes the checks is ignored rather than fatal). */
export function savedTunnelPreferences(meta: TunnelMeta): TunnelPreferenceValues {
  const kept = readKept(meta);
  return { host: kept.host ?? DEFAULT_TUNNEL_HOST, subdomain: kept.subdomain ?? null };
}

/**
 * What a tunnel starts with: the saved preferences, a random name picked and kept on the first run (so the
 * public URL is the same after every restart), and the URL the previous run verified.
 */
export function startingTunnelPreferences(meta: TunnelMeta): { host: string; subdomain: string; lastPublicUrl: string | null } {
  const kept = readKept(meta);
  let subdomain = kept.subdomain ?? null;
  if (subdomain === null) {
    subdomain = generateSubdomain();
    writeKept(meta, { ...kept, subdomain });
  }
  return { host: kept.host ?? DEFAULT_TUNNEL_HOST, subdomain, lastPublicUrl: kept.lastPublicUrl ?? null };
}

/** The running tunnel's settings (they may come from the command line), else the saved ones. */
export function tunnelPreferencesOf(meta: TunnelMeta, tunnel: TunnelSupervisor | null): TunnelPreferenceValues {
  if (tunnel) {
    const inUse = tunnel.settingsInUse;
    return { host: inUse.host, subdomain: inUse.subdomain ?? tunnel.wantedName };
  }
  return savedTunnelPreferences(meta);
}

/**
 * Validates (TunnelSettingsError says what is wrong), keeps for the next start, and applies to the running
 * tunnel, which is replaced only if something changed. A null host means the public service again; a null or
 * empty subdomain a new random name, kept like the first one.
 */
export function updateTunnelPreferences(
  meta: TunnelMeta,
  tunnel: TunnelSupervisor | null,
  patch: { host?: string | null; subdomain?: string | null },
  localPort: number,
): TunnelPreferenceValues {
  const current = tunnelPreferencesOf(meta, tunnel);
  const next = resolveTunnelSettings({
    host: patch.host === undefined ? current.host : (patch.host ?? DEFAULT_TUNNEL_HOST),
    subdomain: patch.subdomain === undefined ? current.subdomain : patch.subdomain,
    localPort,
  });
  const subdomain = next.subdomain ?? (patch.subdomain !== undefined ? generateSubdomain() : null);
  writeKept(meta, { ...readKept(meta), host: next.host, subdomain });
  tunnel?.configure({ host: next.host, subdomain });
  return { host: next.host, subdomain };
}

/** Notes the URL that just passed its probe (see startingTunnelPreferences). */
export function rememberPublicUrl(meta: TunnelMeta, url: string): void {
  const kept = readKept(meta);
  if (kept.lastPublicUrl !== url) writeKept(meta, { ...kept, lastPublicUrl: url });
}

function readKept(meta: TunnelMeta): KeptTunnel {
  const r = meta.meta.get('tunnelSettings');
  if (r === null) return {};
  return {
    host: checked(r.host, normalizeTunnelHost),
    subdomain: checked(r.subdomain, validateSubdomain),
    lastPublicUrl: typeof r.lastPublicUrl === 'string' && /^https?:\/\//.test(r.lastPublicUrl) ? r.lastPublicUrl : null,
  };
}

function writeKept(meta: TunnelMeta, kept: KeptTunnel): void {
  meta.meta.set('tunnelSettings', {
    host: kept.host ?? null,
    subdomain: kept.subdomain ?? null,
    lastPublicUrl: kept.lastPublicUrl ?? null,
  });
}

function checked(value: unknown, check: (s: string) => string): string | null {
  if (typeof value !== 'string') return null;
  try {
    return check(value);
  } catch {
    return null;
  }
}
