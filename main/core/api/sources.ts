// Adapters from the parts of Hookwatch built beside the API (alerts, tunnel, registration) to the service's ports.
import type { AlertService } from '../alerts/service.js';
import { AlertSettingsError } from '../alerts/settings.js';
import type { HookwatchStore } from '../store/store.js';
import type { NotificationSettings, TunnelStatus } from '../../contract/api.js';
import { ApiInputError } from './errors.js';
import type {
  AccountStatusSource,
  AlertSource,
  NotificationSettingsSource,
  TunnelSource,
  TunnelSupervisorLike,
  WebhookRegistrySource,
} from './ports.js';
import { accountCardOf, alertViewOf, registeredWebhookOf } from './views.js';

/** Each adapter only reshapes (with the mappers of views.ts) and forwards; none keeps state of its own. */

const DAY = 24 * 60 * 60 * 1000;

type AlertServiceLike = Pick<AlertService, 'accounts' | 'onAccountsChanged' | 'onAlert' | 'settings' | 'updateSettings'>;

export function accountSourceFromAlerts(alerts: AlertServiceLike, now: () => number = Date.now): AccountStatusSource {
  return {
    board: () => alerts.accounts().map((a) => accountCardOf(a, now())),
    onChange: (listener) => alerts.onAccountsChanged((changed) => changed.forEach((a) => listener(accountCardOf(a, now())))),
  };
}

export function alertSourceFromAlerts(
  alerts: AlertServiceLike,
  store: Pick<HookwatchStore, 'listAlerts' | 'acknowledgeAlerts'>,
): AlertSource {
  return {
    list: (limit) => store.listAlerts({ limit }).map(alertViewOf),
    snoozedUntil: () => alerts.settings().snoozedUntil,
    acknowledge: (id) =>
      store.acknowledgeAlerts([id]) === 1 ? { ok: true } : { ok: false, reason: `alert ${id} does not exist or was already acknowledged` },
    snooze: (until) => {
      try {
        alerts.updateSettings({ snoozedUntil: until });
        return { ok: true };
      } catch (err) {
        if (err instanceof AlertSettingsError) return { ok: false, reason: err.problems.join('; ') };
        throw err;
      }
    },
    onAlert: (listener) => alerts.onAlert((a) => listener(alertViewOf(a))),
  };
}

export function notificationSettingsFromAlerts(alerts: AlertServiceLike): NotificationSettingsSource {
  const view = (): NotificationSettings => {
    const s = alerts.settings();
    return {
      assignmentAlerts: s.assignmentAlerts,
      assignmentsAnswered: s.assignmentsAnswered,
      myEmail: s.myEmail,
      quietHours: { ...s.quietHours },
      criticalBreaksQuietHours: s.criticalBreaksQuietHours,
      mutedAccounts: [...s.mutedAccounts],
      flapWindowMinutes: s.flapWindowMinutes,
      silenceAlerts: s.silenceAlerts,
      silenceFloorMinutes: s.silenceFloorMinutes,
    };
  };
  return {
    get: view,
    update: (patch) => {
      try {
        alerts.updateSettings(patch);
      } catch (err) {
        if (err instanceof AlertSettingsError) throw new ApiInputError(err.problems.join('; '));
        throw err;
      }
      return view();
    },
  };
}

/** The share of [now − 24 h, now] spent `up` (or `degraded`, which still delivers), from the tunnel log. */
export function uptimeShare(log: ReadonlyArray<{ at: number; state: string }>, now: number, windowMs = DAY): number | null {
  const from = now - windowMs;
  let up = 0;
  let covered = 0;
  for (let i = 0; i < log.length; i++) {
    const start = Math.max(from, log[i]!.at);
    const end = Math.min(now, log[i + 1]?.at ?? now);
    if (end <= start) continue;
    covered += end - start;
    if (log[i]!.state === 'up' || log[i]!.state === 'degraded') up += end - start;
  }
  return covered > 0 ? up / covered : null;
}

export function tunnelSourceFromSupervisor(
  supervisor: TunnelSupervisorLike,
  store: Pick<HookwatchStore, 'listTunnelStates'>,
  webhookPath: () => string,
  now: () => number = Date.now,
): TunnelSource {
  const status = (): TunnelStatus => {
    const c = supervisor.current;
    const t = now();
    return { state: c.state, url: c.url, since: c.at, uptime24h: uptimeShare(store.listTunnelStates(t - DAY), t), lastProbe: null };
  };
  return {
    status,
    publicWebhookUrl: () => {
      const c = supervisor.current;
      return c.url && (c.state === 'up' || c.state === 'degraded') ? `${c.url.replace(/\/+$/, '')}${webhookPath()}` : null;
    },
    onChange: (listener) => supervisor.onStateChange(() => listener(status())),
  };
}

/** Our webhooks as the providers last listed them (registration writes them), with their `errors_counter`. */
export function webhookSourceFromStore(
  store: Pick<HookwatchStore, 'listProviderWebhooks'>,
  tokenConfigured: () => Promise<boolean>,
): WebhookRegistrySource {
  return {
    tokenConfigured,
    list: () => store.listProviderWebhooks().map(registeredWebhookOf),
  };
}
