import type { AccountObservation, AccountStatus } from '../alerts/account-status.js';
import type { AlertService } from '../alerts/service.js';
import { AlertSettingsError } from '../alerts/settings.js';
import type { HookwatchStore, StoredAlert } from '../store/store.js';
import type { AccountCard, AccountOutage, AlertView, NotificationSettings, ProviderName, RegisteredWebhook, TunnelStatus } from './contract.js';
import { ApiInputError } from './errors.js';
import type { AccountStatusSource, AlertSource, NotificationSettingsSource, TunnelSource, WebhookRegistrySource } from './service.js';

/**
 * Adapters from the parts of Hookwatch built beside the dashboard (alerts, tunnel, registration) to the
 * small source interfaces the API service reads. Each one only reshapes data into the contract.
 */

const DAY = 24 * 60 * 60 * 1000;

function isDown(state: string): state is 'disconnected' | 'suspended' {
  return state === 'disconnected' || state === 'suspended';
}

/**
 * An account's outages from its observations (sorted by event time): a run of down observations is one
 * outage per state (a disconnection turning into a suspension shows as two coloured spans), ended by the
 * next `connected`. Only outages that overlap [now − days, now] are returned; an open one has `to: null`.
 */
export function outagesFromHistory(history: readonly Pick<AccountObservation, 'at' | 'state'>[], now: number, days = 7): AccountOutage[] {
  const out: AccountOutage[] = [];
  let open: { from: number; state: 'disconnected' | 'suspended' } | null = null;
  for (const o of history) {
    if (isDown(o.state)) {
      if (open && open.state !== o.state) {
        out.push({ from: open.from, to: o.at, state: open.state });
        open = null;
      }
      open ??= { from: o.at, state: o.state };
    } else if (o.state === 'connected' && open) {
      out.push({ from: open.from, to: o.at, state: open.state });
      open = null;
    }
  }
  if (open) out.push({ from: open.from, to: null, state: open.state });
  const windowStart = now - days * DAY;
  return out.filter((o) => (o.to ?? now) >= windowStart);
}

export function accountCardOf(a: AccountStatus, now: number): AccountCard {
  return {
    key: a.key,
    phone: a.phone,
    accountId: a.accountId,
    name: a.name,
    state: a.state,
    since: a.since,
    lastEvent: a.lastEvent ? { id: a.lastEvent.id, type: a.lastEvent.type, at: a.lastEvent.at } : null,
    outages7d: outagesFromHistory(a.history, now),
  };
}

export function alertViewOf(a: StoredAlert): AlertView {
  return {
    id: a.id,
    at: a.at,
    severity: a.severity,
    kind: a.kind,
    title: a.title,
    text: a.text,
    accountPhone: a.accountPhone ?? null,
    chatId: a.chatId ?? null,
    eventId: a.eventId ?? null,
    acknowledgedAt: a.acknowledgedAt,
  };
}

type AlertServiceLike = Pick<AlertService, 'accounts' | 'onAccountsChanged' | 'onAlert' | 'settings' | 'updateSettings'>;

export function accountSourceFromAlerts(alerts: AlertServiceLike, now: () => number = Date.now): AccountStatusSource {
  return {
    board: () => alerts.accounts().map((a) => accountCardOf(a, now())),
    onChange: (listener) => alerts.onAccountsChanged((changed) => changed.forEach((a) => listener(accountCardOf(a, now())))),
  };
}

export function alertSourceFromAlerts(alerts: AlertServiceLike, store: Pick<HookwatchStore, 'listAlerts' | 'acknowledgeAlerts'>): AlertSource {
  return {
    list: (limit) => store.listAlerts({ limit }).map(alertViewOf),
    snoozedUntil: () => alerts.settings().snoozedUntil,
    acknowledge: (id) => (store.acknowledgeAlerts([id]) === 1 ? { ok: true } : { ok: false, reason: `alert ${id} does not exist or was already acknowledged` }),
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
      myEmail: s.myEmail,
      quietHours: { ...s.quietHours },
      criticalBreaksQuietHours: s.criticalBreaksQuietHours,
      mutedAccounts: [...s.mutedAccounts],
      flapWindowMinutes: s.flapWindowMinutes,
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

/** What the dashboard needs of the tunnel supervisor (main/core/tunnel), by shape. */
export interface TunnelSupervisorLike {
  readonly current: { state: TunnelStatus['state']; url: string | null; at: number };
  onStateChange(listener: (change: { state: TunnelStatus['state']; url: string | null; at: number }) => void): () => void;
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
export function webhookSourceFromStore(store: Pick<HookwatchStore, 'listProviderWebhooks'>, tokenConfigured: () => Promise<boolean>): WebhookRegistrySource {
  return {
    tokenConfigured,
    list: () =>
      store.listProviderWebhooks().map(
        (w): RegisteredWebhook => ({
          id: w.webhookId,
          provider: (['timelines', 'whatsable'].includes(w.provider) ? w.provider : 'unknown') as ProviderName,
          eventType: w.eventType ?? '',
          pointsAtCurrentUrl: w.pointsAtCurrentUrl,
          enabled: w.enabled,
          errorsCounter: w.errorsCounter,
          checkedAt: w.checkedAt,
        }),
      ),
  };
}
