// `hookwatch serve`'s dashboard: the API service over a running core, and the browser dashboard in front of it.
import { randomBytes } from 'node:crypto';
import type { HookwatchStore } from '../store/store.js';
import { createHookwatchService, type WirableCore } from '../api/create.js';
import type { TokenStore, TunnelSupervisorLike } from '../api/ports.js';
import type { HookwatchService, ServiceOptions } from '../api/service.js';
import { startDashboardServer, type DashboardServer } from './server.js';

/** The dashboard's fixed default port, so its address (and bookmarks of it) survive restarts. */
export const DEFAULT_DASHBOARD_PORT = 8790;

/** The dashboard token kept in the store, made on first use. */
export function dashboardToken(store: HookwatchStore, rotate = false): string {
  const kept = store.meta.get('dashboardToken');
  if (kept && !rotate) return kept;
  const token = randomBytes(32).toString('base64url');
  store.meta.set('dashboardToken', token);
  return token;
}

/** The dashboard port: the flag, else $HOOKWATCH_DASHBOARD_PORT, else the setting, else 8790. */
export function dashboardPortOf(
  flag: number | undefined,
  env: NodeJS.ProcessEnv,
  store: HookwatchStore,
): { port: number; explicit: boolean } {
  if (flag !== undefined) return { port: flag, explicit: true };
  const fromEnv = env.HOOKWATCH_DASHBOARD_PORT;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^\d+$/.test(fromEnv) || Number(fromEnv) > 65535)
      throw new Error(`HOOKWATCH_DASHBOARD_PORT must be a port from 0 to 65535, got '${fromEnv}'`);
    return { port: Number(fromEnv), explicit: false };
  }
  return { port: store.meta.get('dashboardPort') ?? DEFAULT_DASHBOARD_PORT, explicit: false };
}

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
    /** When `port` is taken, say so (log) and take a free port instead of failing. */
    fallbackToFreePort?: boolean;
    /** The access token (kept in the store's meta: see dashboardToken()); absent: one per run. */
    token?: string;
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
    const start = (port: number) =>
      startDashboardServer({
        api: service.api,
        notifications: service,
        port,
        ...(options.token ? { token: options.token } : {}),
        rendererDir: options.rendererDir,
        log: options.log,
      });
    try {
      server = await start(options.port ?? 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.fallbackToFreePort || !options.port) throw err;
      server = await start(0);
      options.log?.(
        `dashboard port ${options.port} is taken (another program, or another hookwatch); using ${server.port} for this run: bookmarks of port ${options.port} will not reach it`,
      );
    }
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
