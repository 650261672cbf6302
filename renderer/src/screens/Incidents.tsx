// The incidents list: one row per outage (an account, the tunnel, provider webhooks) with acknowledge and snooze.
import { useState, type FormEvent } from 'react';
import type { ActionResult, IncidentState, IncidentsView, IncidentView } from '../contract.js';
import { EmptyState, ErrorNote } from '../components/common.js';
import { absoluteTime, duration, relativeTime, TIME } from '../lib/time.js';
import { useAsync, useClient, useNotification, useNow, useThrottled } from '../hooks.js';

const FILTERS: Array<{ state: IncidentState; label: string }> = [
  { state: 'open', label: 'Open' },
  { state: 'resolved', label: 'Resolved' },
  { state: 'all', label: 'All' },
];

const KIND_LABEL: Record<IncidentView['kind'], string> = {
  account: 'Number',
  tunnel: 'Tunnel',
  webhook: 'Provider webhooks',
  silence: 'Silent number',
};

/** Tomorrow at 9:00 local time: the start of a working day, when someone will look. */
export function tomorrowAtNine(now: number): number {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.getTime();
}

/** A `datetime-local` value (local wall time, no zone) for an instant. */
function localInputValue(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Snooze choices for one incident: an hour, until tomorrow 9:00, or an end the user picks. */
function SnoozeControls({ incident, now, act }: { incident: IncidentView; now: number; act: (p: Promise<ActionResult>) => Promise<void> }) {
  const client = useClient();
  const [custom, setCustom] = useState(() => localInputValue(now + 2 * TIME.HOUR));
  const [problem, setProblem] = useState<string | null>(null);
  const snooze = (until: number | null) => act(client.api.snoozeIncident(incident.id, until));
  const inputId = `snooze-until-${incident.id}`;
  const onCustom = (e: FormEvent) => {
    e.preventDefault();
    const at = new Date(custom).getTime();
    if (!Number.isFinite(at) || at <= Date.now()) {
      setProblem('Pick a date and time in the future.');
      return;
    }
    setProblem(null);
    void snooze(at);
  };
  if (incident.snoozedUntil !== null && incident.snoozedUntil > now) {
    return (
      <span className="incident-snoozed">
        <span className="muted">snoozed until {absoluteTime(incident.snoozedUntil)}</span>{' '}
        <button type="button" className="button button-quiet" onClick={() => void snooze(null)}>
          End this snooze
        </button>
      </span>
    );
  }
  return (
    <details className="incident-snooze">
      <summary>Snooze…</summary>
      <div className="incident-snooze-body">
        <button type="button" className="button" onClick={() => void snooze(now + TIME.HOUR)}>
          For 1 hour
        </button>
        <button type="button" className="button" onClick={() => void snooze(tomorrowAtNine(now))}>
          Until tomorrow 9:00
        </button>
        <form onSubmit={onCustom} className="incident-snooze-custom">
          <label htmlFor={inputId}>Until</label>
          <input id={inputId} type="datetime-local" value={custom} onChange={(e) => setCustom(e.target.value)} required />
          <button type="submit" className="button">
            Snooze until then
          </button>
        </form>
        {problem ? (
          <p className="field-problem" role="alert">
            {problem}
          </p>
        ) : null}
      </div>
    </details>
  );
}

function IncidentItem({
  incident: i,
  now,
  act,
  onOpenAccount,
}: {
  incident: IncidentView;
  now: number;
  act: (p: Promise<ActionResult>) => Promise<void>;
  onOpenAccount?: (key: string) => void;
}) {
  const client = useClient();
  const open = i.resolvedAt === null;
  // An open incident's duration runs with the page's clock; a resolved one's is final.
  const lasted = open ? now - i.openedAt : i.durationMs;
  const snoozed = i.snoozedUntil !== null && i.snoozedUntil > now;
  const headingId = `incident-${i.id}-title`;
  return (
    <li
      className={`alert incident severity-${open ? i.severity : 'recovery'}${open ? ' incident-open' : ' incident-resolved'}${
        i.acknowledgedAt || snoozed ? ' acknowledged' : ''
      }`}
      data-incident-id={i.id}
      data-testid="incident"
      aria-labelledby={headingId}
    >
      <div className="alert-head">
        <span className={`badge severity-${open ? i.severity : 'recovery'}`}>{open ? 'open' : 'resolved'}</span>
        <span className="muted">{KIND_LABEL[i.kind]}</span>
        <strong id={headingId} dir="auto">
          {i.title}
        </strong>
      </div>
      <p dir="auto">{i.text}</p>
      <dl className="incident-facts">
        <div>
          <dt>Opened</dt>
          <dd>
            <time dateTime={new Date(i.openedAt).toISOString()} title={absoluteTime(i.openedAt)}>
              {relativeTime(i.openedAt, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>{open ? 'Ongoing for' : 'Lasted'}</dt>
          <dd data-testid="incident-duration">{duration(lasted)}</dd>
        </div>
        {!open ? (
          <div>
            <dt>Resolved</dt>
            <dd>
              <time title={absoluteTime(i.resolvedAt!)}>{relativeTime(i.resolvedAt!, now)}</time>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Flaps</dt>
          <dd data-testid="incident-flaps">{i.flaps}</dd>
        </div>
        <div>
          <dt>Alerts</dt>
          <dd data-testid="incident-alerts">{i.alerts}</dd>
        </div>
      </dl>
      <div className="alert-actions">
        {/* A resolved incident needs no one's attention: nothing to acknowledge (its recovery is not a new alarm). */}
        {i.acknowledgedAt ? (
          <span className="muted">acknowledged {relativeTime(i.acknowledgedAt, now)}</span>
        ) : !open ? null : (
          <button
            type="button"
            className="button"
            aria-describedby={headingId}
            data-testid="incident-acknowledge"
            onClick={() => void act(client.api.acknowledgeIncidents([i.id]))}
          >
            Acknowledge
          </button>
        )}
        {open ? <SnoozeControls incident={i} now={now} act={act} /> : null}
        {(i.kind === 'account' || i.kind === 'silence') && i.subject && onOpenAccount ? (
          <button type="button" className="link-button" onClick={() => onOpenAccount(i.subject!)}>
            Show the number
          </button>
        ) : null}
      </div>
    </li>
  );
}

/** The incidents, open first by default, with the open / resolved / all filter and "acknowledge all". */
export function IncidentsList({ onOpenAccount }: { onOpenAccount?: (key: string) => void }) {
  const client = useClient();
  const now = useNow(30_000);
  const [state, setState] = useState<IncidentState>('open');
  const view = useAsync<IncidentsView>(() => client.api.listIncidents({ state, limit: 500 }), [client, state]);
  const [actionError, setActionError] = useState<string | null>(null);
  const reload = useThrottled(view.reload, 1000);
  // Every alert may open, update or resolve an incident.
  useNotification('alert', reload);

  const act = async (p: Promise<ActionResult>) => {
    try {
      const r = await p;
      setActionError(r.ok ? null : r.reason);
    } catch (err) {
      setActionError((err as Error).message);
    }
    view.reload();
  };

  const v = view.data;
  const incidents = v?.available ? v.incidents : [];
  // Snoozed incidents step aside: after the ones that still want attention, in their own order.
  const sorted = [...incidents].sort((a, b) => {
    const sa = a.snoozedUntil !== null && a.snoozedUntil > now ? 1 : 0;
    const sb = b.snoozedUntil !== null && b.snoozedUntil > now ? 1 : 0;
    return sa - sb;
  });
  // Only open incidents wait for someone; "acknowledge all" still marks every listed one seen.
  const unacknowledged = incidents.filter((i) => i.acknowledgedAt === null && i.resolvedAt === null).length;

  return (
    <div className="incidents-view">
      <div className="toolbar incidents-toolbar">
        {/* Toggle buttons rather than radios: each is one Tab stop, pressed with Enter or Space, no arrow keys needed. */}
        <div className="segmented" role="group" aria-label="Which incidents">
          {FILTERS.map((f) => (
            <button
              key={f.state}
              type="button"
              className={state === f.state ? 'segment segment-on' : 'segment'}
              aria-pressed={state === f.state}
              onClick={() => setState(f.state)}
              data-testid={`incidents-${f.state}`}
            >
              {f.label}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="button"
          disabled={unacknowledged === 0}
          title={unacknowledged === 0 ? 'Nothing to acknowledge: no open incident waits for someone' : undefined}
          onClick={() => void act(client.api.acknowledgeIncidents(null))}
        >
          Acknowledge all{unacknowledged > 0 ? ` (${unacknowledged})` : ''}
        </button>
        {unacknowledged === 0 && incidents.length > 0 ? <span className="muted">no open incident waits for acknowledging</span> : null}
      </div>
      {view.error ? <ErrorNote message={view.error} /> : null}
      {actionError ? <ErrorNote message={actionError} /> : null}
      {v && !v.available ? (
        <EmptyState title="Incidents are not available">
          <p>{v.reason}</p>
        </EmptyState>
      ) : null}
      {v?.available && incidents.length === 0 ? (
        <EmptyState title={state === 'open' ? 'Nothing open' : state === 'resolved' ? 'No resolved incident yet' : 'No incident yet'}>
          <p>
            {state === 'open'
              ? 'Every number, the tunnel and the provider webhooks are fine as far as Hookwatch knows.'
              : 'Outages of a number, of the tunnel or of provider webhooks show here, one entry each however often they flap.'}
          </p>
        </EmptyState>
      ) : null}
      {sorted.length > 0 ? (
        <>
          <p className="muted" aria-live="polite">
            {plural(sorted.length, state === 'open' ? 'open incident' : state === 'resolved' ? 'resolved incident' : 'incident')}
          </p>
          <ul className="alerts incidents" data-testid="incidents">
            {sorted.map((i) => (
              <IncidentItem key={i.id} incident={i} now={now} act={act} onOpenAccount={onOpenAccount} />
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
