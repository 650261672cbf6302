import type { HookwatchCore } from '../core.js';
import { HookwatchService, type ServiceOptions } from '../api/service.js';
import { tunnelSourceFromSupervisor, webhookSourceFromStore, type TunnelSupervisorLike } from '../api/sources.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import { DEFAULT_TUNNEL_HOST } from '../tunnel/index.js';

export interface RunningDashboard {
  /** Print this for the user (`dashboard: <url>`); it holds the per-run token, so never log it. */
  readonly url: string;
  readonly service: HookwatchService;
  readonly server: DashboardServer;
  close(): Promise<void>;
}

/**
 * The API service over a running core plus the browser dashboard, in one call (what `hookwatch serve`
 * needs). Account tracking and alerts come from `core.alerts`, live events and deliveries from `core.onCommitted`,
 * the tunnel from `core.tunnel` (when the core runs one), and "a token is configured" from the core's
 * TimelinesAI client, unless given otherwise.
 */
export async function startDashboard(
  core: HookwatchCore,
  options: {
    port?: number;
    tunnel?: TunnelSupervisorLike;
    tokenConfigured?: () => Promise<boolean>;
    /** Where the first-run screen's token goes (serve: this run's memory). */
    tokenStore?: ServiceOptions['tokenStore'];
    rendererDir?: string;
    /** How often new events are sent to the page (default 100 ms). */
    batchMs?: number;
    log?: (line: string) => void;
  } = {},
): Promise<RunningDashboard> {
  const tunnel = options.tunnel ?? core.tunnel ?? undefined;
  const service = new HookwatchService({
    core,
    tunnel: tunnel ? tunnelSourceFromSupervisor(tunnel, core.store, () => core.receiver.webhookPath) : undefined,
    webhooks: webhookSourceFromStore(core.store, options.tokenConfigured ?? (() => core.timelinesTokenConfigured())),
    ...(options.tokenStore ? { tokenStore: options.tokenStore } : {}),
    registrar: { register: (types) => core.registerNow(types), chosen: () => core.registerEventTypes() },
    ...(core.tunnel
      ? { tunnelPreferences: { get: () => core.tunnelPreferences(), set: (p) => core.setTunnelPreferences(p), defaultHost: DEFAULT_TUNNEL_HOST } }
      : {}),
    batchMs: options.batchMs,
    log: options.log,
  });
  let server: DashboardServer;
  try {
    server = await startDashboardServer({ api: service.api, notifications: service, port: options.port ?? 0, rendererDir: options.rendererDir, log: options.log });
  } catch (err) {
    service.close();
    throw err;
  }
  return {
    url: server.url,
    service,
    server,
    async close() {
      await server.close();
      service.close();
    },
  };
}
