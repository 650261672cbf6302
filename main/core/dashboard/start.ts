import type { HookwatchCore } from '../core.js';
import { HookwatchService } from '../api/service.js';
import { tunnelSourceFromSupervisor, webhookSourceFromStore, type TunnelSupervisorLike } from '../api/sources.js';
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
 * needs). Account tracking and alerts come from `core.alerts`; the tunnel and the registration's token
 * are optional because they are configured by the caller.
 *
 * Live delivery notifications need the receiver's `onDelivery`: when the core offers `onDelivery(listener)`
 * the service subscribes itself; otherwise start the core with `receiver: { onDelivery: (d) => running?.service.noteDelivery(d) }`.
 */
export async function startDashboard(
  core: HookwatchCore,
  options: {
    port?: number;
    tunnel?: TunnelSupervisorLike;
    tokenConfigured?: () => Promise<boolean>;
    rendererDir?: string;
    log?: (line: string) => void;
  } = {},
): Promise<RunningDashboard> {
  const service = new HookwatchService({
    core,
    tunnel: options.tunnel ? tunnelSourceFromSupervisor(options.tunnel, core.store, () => core.receiver.webhookPath) : undefined,
    webhooks: webhookSourceFromStore(core.store, options.tokenConfigured ?? (async () => false)),
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
