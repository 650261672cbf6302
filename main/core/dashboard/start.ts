// `hookwatch serve`'s dashboard: the API service over a running core, and the browser dashboard in front of it.
import { createHookwatchService, type WirableCore } from '../api/create.js';
import type { TokenStore, TunnelSupervisorLike } from '../api/ports.js';
import type { HookwatchService, ServiceOptions } from '../api/service.js';
import { startDashboardServer, type DashboardServer } from './server.js';

export interface RunningDashboard {
  /** Print this for the user (`dashboard: <url>`); it holds the per-run token, so never log it. */
  readonly url: string;
  readonly service: HookwatchService;
  readonly server: DashboardServer;
  close(): Promise<void>;
}

/**
 * The API service over a running core plus the browser dashboard, in one call (what `hookwatch serve`
 * needs). The service is wired by `createHookwatchService`, as in the desktop app.
 */
export async function startDashboard(
  core: WirableCore,
  options: {
    port?: number;
    tunnel?: TunnelSupervisorLike;
    tokenConfigured?: () => Promise<boolean>;
    /** Where the first-run screen's token goes (serve: this run's memory). */
    tokenStore?: TokenStore;
    rendererDir?: string;
    /** How often new events are sent to the page (default 100 ms). */
    batchMs?: number;
    /** The team hub's status, for a hub or a follower (health shows "following <hub>, N behind"). */
    hub?: ServiceOptions['hub'];
    log?: (line: string) => void;
  } = {},
): Promise<RunningDashboard> {
  const service = createHookwatchService(core, {
    tunnelSupervisor: options.tunnel,
    tokenConfigured: options.tokenConfigured,
    tokenStore: options.tokenStore,
    batchMs: options.batchMs,
    log: options.log,
    hub: options.hub,
  });
  let server: DashboardServer;
  try {
    server = await startDashboardServer({
      api: service.api,
      notifications: service,
      port: options.port ?? 0,
      rendererDir: options.rendererDir,
      log: options.log,
    });
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
