// Settings → Team hub: the saved choice (publish to a hub, follow one, or neither), its checks, and the runtime options it gives.
import type { TeamHubSettings, TeamHubView } from '../../contract/api.js';
import type { HookwatchStore } from '../store/store.js';
import { HubConfigError, parseHubUrl, readCredsFile } from './connection.js';
import { hubHealthOf, type HubFollowOptions, type HubPublishOptions, type HubRuntimeStatus } from './runtime.js';

/** A setting that cannot work; the message says what to change and never carries a credential. */
export class HubSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubSettingsError';
  }
}

export const DEFAULT_TEAM_HUB: TeamHubSettings = { mode: 'off', url: '', credsFile: null, name: '', workspace: 'default' };

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a choice before it is saved or applied, so a typo is reported at once (not by a retry loop).
 * Credentials belong in a file: a URL with a user, password or token in it is refused here, because
 * what Settings saves is shown again on the page and kept in the database (docs/hub.md, Security).
 */
export function checkTeamHubSettings(s: TeamHubSettings): TeamHubSettings {
  const out: TeamHubSettings = {
    mode: s.mode,
    url: s.url.trim(),
    credsFile: s.credsFile?.trim() || null,
    name: s.name.trim(),
    workspace: s.workspace.trim() || 'default',
  };
  if (out.mode === 'off') return out;
  if (out.url === '') throw new HubSettingsError('enter the hub URL (nats://HOST:4222, or tls://HOST:4222 for TLS)');
  try {
    const parsed = parseHubUrl(out.url);
    if (parsed.user !== undefined || parsed.token !== undefined)
      throw new HubSettingsError(
        'take the user name, password or token out of the hub URL and put them in a credentials file (one line user:password, an nkey seed or a .creds file)',
      );
    if (out.credsFile !== null) readCredsFile(out.credsFile);
  } catch (err) {
    if (err instanceof HubConfigError) throw new HubSettingsError(err.message.replace('pass --hub', 'enter'));
    throw err;
  }
  if (!NAME.test(out.workspace)) throw new HubSettingsError('the workspace name takes letters, digits, - and _ (at most 64)');
  if (out.mode === 'follow' && !NAME.test(out.name))
    throw new HubSettingsError("enter this install's name for the hub (letters, digits, - and _; one name per install, kept)");
  return out;
}

/** The saved choice; anything unreadable reads as off (the page shows it and it can be saved again). */
export function readTeamHubSettings(store: HookwatchStore): TeamHubSettings {
  const raw = store.meta.get('hubSettings');
  if (!raw) return { ...DEFAULT_TEAM_HUB };
  const text = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
  const mode = raw.mode === 'publish' || raw.mode === 'follow' ? raw.mode : 'off';
  return {
    mode,
    url: text(raw.url, ''),
    credsFile: typeof raw.credsFile === 'string' && raw.credsFile ? raw.credsFile : null,
    name: text(raw.name, ''),
    workspace: text(raw.workspace, 'default'),
  };
}

export function saveTeamHubSettings(store: HookwatchStore, s: TeamHubSettings): void {
  store.meta.set('hubSettings', { ...s });
}

/** What the core runs for a choice (the same options as `serve --hub` and `follow`). */
export function hubOptionsOf(s: TeamHubSettings): { hub?: HubPublishOptions; follow?: HubFollowOptions } {
  const creds = s.credsFile ? { credsFile: s.credsFile } : {};
  if (s.mode === 'publish') return { hub: { url: s.url, workspace: s.workspace, ...creds } };
  if (s.mode === 'follow') return { follow: { url: s.url, name: s.name, ...creds } };
  return {};
}

/** A forwarding destination's URL: http or https only (the CLI and Settings share this check). */
export function checkDestinationUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new HubSettingsError(`'${raw.slice(0, 200)}' is not a URL (https://host/path)`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new HubSettingsError('the destination must be an http:// or https:// URL');
  return u.toString();
}

/** Event types or groups (`whatsapp:account:*`) to forward; empty: all events. */
export function checkDestinationTypes(types: readonly string[]): string[] {
  const out = types.map((t) => t.trim()).filter(Boolean);
  for (const t of out) {
    if (!/^[a-z0-9_]+(:[a-z0-9_]+)*(:\*)?$/.test(t))
      throw new HubSettingsError(`'${t.slice(0, 80)}' is not an event type (message:received:new) or a group (whatsapp:account:*)`);
  }
  return out;
}

/** What the Team hub port needs of the core (HookwatchCore fits as is). */
export interface TeamHubCore {
  store: HookwatchStore;
  hub: { status(): HubRuntimeStatus } | null;
  hubFixed: boolean;
  setTeamHub(settings: TeamHubSettings): Promise<void>;
}

/** The service's Team hub port over a core: the saved choice, what runs, and the forwarding destinations. */
export function teamHubPort(core: TeamHubCore, now: () => number = Date.now) {
  const view = (): TeamHubView => ({
    settings: readTeamHubSettings(core.store),
    fixedByCommandLine: core.hubFixed,
    status: core.hub ? hubHealthOf(core.hub.status()) : null,
    destinations: core.store.hub.listDestinations().map((d) => ({ id: d.id, url: d.url, types: [...d.types], createdAt: d.createdAt })),
  });
  return {
    get: view,
    set: async (s: TeamHubSettings) => {
      await core.setTeamHub(s);
      return view();
    },
    // A running hub rereads its destinations every 2 s (runtime.ts), so these take effect without a restart.
    addDestination: (d: { url: string; types: string[] }) => {
      core.store.hub.addDestination({ url: checkDestinationUrl(d.url), types: checkDestinationTypes(d.types), createdAt: now() });
      return view();
    },
    removeDestination: (id: number) => {
      if (!core.store.hub.removeDestination(id)) throw new HubSettingsError(`no forwarding destination ${id}`);
      return view();
    },
  };
}
