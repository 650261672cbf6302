// The one wiring of the API service over a running core: the desktop shell and `hookwatch serve` both call it.
import type { HookwatchCore } from '../core.js';
import type { TimelinesApiClient } from '../providers/timelines/api.js';
import { hubHealthOf } from '../hub/runtime.js';
import { teamHubPort } from '../hub/settings.js';
import { DEFAULT_TUNNEL_HOST } from '../tunnel/index.js';
import type { TunnelSupervisorLike } from './ports.js';
import { HookwatchService, type ServiceOptions } from './service.js';
import {
  accountSourceFromAlerts,
  alertSourceFromAlerts,
  notificationSettingsFromAlerts,
  tunnelSourceFromSupervisor,
  webhookSourceFromStore,
} from './sources.js';

/** What the core can give the service, by shape (`HookwatchCore` satisfies it). */
export type WirableCore = Pick<
  HookwatchCore,
  | 'store'
  | 'receiver'
  | 'alerts'
  | 'tunnel'
  | 'onCommitted'
  | 'registerNow'
  | 'registerEventTypes'
  | 'tunnelPreferences'
  | 'setTunnelPreferences'
  | 'timelinesTokenConfigured'
  | 'checkTimelinesToken'
  | 'sendTestEvent'
  | 'timelinesClient'
  | 'hub'
  | 'hubFixed'
  | 'setTeamHub'
> &
  Partial<Pick<HookwatchCore, 'catchup'>>;

/**
 * What differs between hosts. The desktop shell keeps a pasted token encrypted (`tokenStore`); `serve`
 * keeps it for the run. Anything else given here replaces the default port (tests give their own).
 */
export interface ServiceHost extends Partial<Omit<ServiceOptions, 'core'>> {
  /** A tunnel other than the core's own (tests drive a stand-in supervisor). */
  tunnelSupervisor?: TunnelSupervisorLike;
  /** Whether a TimelinesAI token is set; default: the core's token source. */
  tokenConfigured?: () => Promise<boolean>;
}

/**
 * The service with every port the core offers: accounts, alerts and notification settings from the
 * alerts feature, the tunnel and its preferences when the core runs one, provider webhooks as last
 * registered, and registration at the current public URL.
 */
export function createHookwatchService(core: WirableCore, host: ServiceHost = {}): HookwatchService {
  const { tunnelSupervisor, tokenConfigured, ...given } = host;
  const supervisor = tunnelSupervisor ?? core.tunnel ?? undefined;
  const now = given.now ?? Date.now;
  const defaults: Omit<ServiceOptions, 'core'> = {
    accounts: accountSourceFromAlerts(core.alerts, now),
    alerts: alertSourceFromAlerts(core.alerts, core.store),
    notificationSettings: notificationSettingsFromAlerts(core.alerts),
    tunnel: supervisor ? tunnelSourceFromSupervisor(supervisor, core.store, () => core.receiver.webhookPath, now) : undefined,
    webhooks: webhookSourceFromStore(core.store, tokenConfigured ?? (() => core.timelinesTokenConfigured())),
    checkToken: () => core.checkTimelinesToken(),
    testEvent: () => core.sendTestEvent(),
    catchup: core.catchup ?? undefined,
    // Setup pre-fills "only mine" with the token's own teammate (GET /workspace/teammates/me); null: no token yet.
    teammateEmail: core.timelinesClient
      ? teammateEmailOf(core.timelinesClient, tokenConfigured ?? (() => core.timelinesTokenConfigured()))
      : undefined,
    // The team hub as it runs now (Settings → Team hub may start or stop it), and its settings.
    hub: { status: () => (core.hub ? hubHealthOf(core.hub.status()) : null) },
    teamHub: teamHubPort(core, now),
    registrar: { register: (types) => core.registerNow(types), chosen: () => core.registerEventTypes() },
    // Only a core that runs a tunnel has one to configure.
    tunnelPreferences: core.tunnel
      ? { get: () => core.tunnelPreferences(), set: (p) => core.setTunnelPreferences(p), defaultHost: DEFAULT_TUNNEL_HOST }
      : undefined,
  };
  // A port given as undefined keeps the default; only a given value replaces it.
  const overrides = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<ServiceOptions>;
  return new HookwatchService({ core, ...defaults, ...overrides });
}

/** The token's own e-mail, asked of TimelinesAI each time (the token may have changed); null while no token is set. */
function teammateEmailOf(client: Pick<TimelinesApiClient, 'getMyTeammate'>, tokenConfigured: () => Promise<boolean>) {
  return async (): Promise<string | null> => ((await tokenConfigured()) ? (await client.getMyTeammate()).email : null);
}
