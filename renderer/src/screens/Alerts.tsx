// The Alerts screen: incidents first (open, resolved, all), every alert transition on request, and the notification snooze.
import { useState } from 'react';
import type { AlertsView, AlertView } from '../contract.js';
import { CopyButton, EmptyState, ErrorNote } from '../components/common.js';
import { IncidentsList, tomorrowAtNine } from './Incidents.js';
import { absoluteTime, relativeTime, TIME } from '../lib/time.js';
import { askNotificationPermission, notificationPermission } from '../notifications.js';
import { useAsync, useClient, useNotification, useNow } from '../hooks.js';

export function NotificationPermission() {
  const [permission, setPermission] = useState(notificationPermission());
  if (permission === 'unsupported') return null;
  if (permission === 'granted') return <p className="muted">Browser notifications are on: alerts also pop up while this page is open.</p>;
  if (permission === 'denied')
    return (
      <p className="muted">
        Browser notifications are blocked for this page; allow them in the browser's site settings to see alerts pop up.
      </p>
    );
  return (
    <p>
      <button type="button" className="button" onClick={() => void askNotificationPermission().then(setPermission)}>
        Show alerts as browser notifications
      </button>
    </p>
  );
}

/**
 * Incidents by default: one entry per outage, however often it flapped. "Every transition" shows the alert
 * log underneath (each down, recovery and assignment), with its own acknowledge. The snooze at the top
 * silences notifications of every kind; an incident's own snooze only sets that incident aside.
 */
export function Alerts({ onOpenEvent, onOpenAccount }: { onOpenEvent: (eventId: number) => void; onOpenAccount?: (key: string) => void }) {
  const client = useClient();
  const [everyTransition, setEveryTransition] = useState(false);
  const now = useNow(30_000);
  const view = useAsync<AlertsView>(() => client.api.listAlerts({ limit: 500 }), [client]);
  const [fresh, setFresh] = useState<AlertView[]>([]);
  const [actionError, setActionError] = useState<string | null>(null);
  useNotification('alert', (a) => setFresh((list) => [a, ...list.filter((x) => x.id !== a.id)]));

  const act = async (p: Promise<{ ok: true } | { ok: false; reason: string }>) => {
    const r = await p;
    setActionError(r.ok ? null : r.reason);
    if (r.ok) view.reload();
  };

  const v = view.data;
  const alerts = v?.available ? [...fresh.filter((f) => !v.alerts.some((a) => a.id === f.id)), ...v.alerts] : [];

  return (
    <section className="screen" aria-labelledby="alerts-heading">
      <h1 id="alerts-heading">Alerts</h1>
      {view.error ? <ErrorNote message={view.error} /> : null}
      {actionError ? <ErrorNote message={actionError} /> : null}
      {v && !v.available ? (
        <EmptyState title="Alerts are not available">
          <p data-testid="alerts-not-available">{v.reason}</p>
        </EmptyState>
      ) : null}
      {v?.available ? (
        <div className="section-head">
          <span>
            {v.snoozedUntil !== null && v.snoozedUntil > now ? `Snoozed until ${absoluteTime(v.snoozedUntil)}` : 'Alerts are on.'}
          </span>
          {[1, 4, 8].map((h) => (
            <button key={h} type="button" className="button" onClick={() => void act(client.api.snoozeAlerts(now + h * TIME.HOUR))}>
              Snooze {h} h
            </button>
          ))}
          <button type="button" className="button" onClick={() => void act(client.api.snoozeAlerts(tomorrowAtNine(now)))}>
            Until tomorrow 9:00
          </button>
          {v.snoozedUntil !== null && v.snoozedUntil > now ? (
            <button type="button" className="button button-quiet" onClick={() => void act(client.api.snoozeAlerts(null))}>
              End snooze
            </button>
          ) : null}
        </div>
      ) : null}
      <NotificationPermission />
      {v?.available ? (
        <p className="incidents-switch">
          <label>
            <input
              type="checkbox"
              checked={everyTransition}
              onChange={(e) => setEveryTransition(e.target.checked)}
              data-testid="every-transition"
            />{' '}
            Every transition (the alert log: each outage, recovery and assignment)
          </label>
        </p>
      ) : null}
      {v?.available && !everyTransition ? <IncidentsList onOpenAccount={onOpenAccount} /> : null}
      {v?.available && everyTransition && alerts.length === 0 ? (
        <EmptyState title="No alert yet">
          <p>All quiet. Account outages, chat assignments and tunnel trouble will show here.</p>
        </EmptyState>
      ) : null}
      {everyTransition && alerts.length > 0 ? (
        <ul className="alerts" data-testid="alert-log">
          {alerts.map((a) => (
            <li key={a.id} className={`alert severity-${a.severity}${a.acknowledgedAt ? ' acknowledged' : ''}`} data-alert-id={a.id}>
              <div className="alert-head">
                <span className={`badge severity-${a.severity}`}>{a.severity}</span>
                <strong dir="auto">{a.title}</strong>
                <time className="muted" title={absoluteTime(a.at)}>
                  {relativeTime(a.at, now)}
                </time>
              </div>
              <p dir="auto">{a.text}</p>
              <div className="alert-actions">
                {a.copyText ? <CopyButton text={a.copyText} label="Copy the new URL" /> : null}
                {a.accountPhone ? <span className="mono">{a.accountPhone}</span> : null}
                {a.eventId !== null ? (
                  <button type="button" className="link-button" onClick={() => onOpenEvent(a.eventId!)}>
                    Open the event
                  </button>
                ) : null}
                {a.acknowledgedAt ? (
                  <span className="muted">acknowledged {relativeTime(a.acknowledgedAt, now)}</span>
                ) : (
                  <button type="button" className="button" onClick={() => void act(client.api.acknowledgeAlert(a.id))}>
                    Acknowledge
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
