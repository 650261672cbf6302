// One number's uptime over 7 and 30 days and its incident timeline, opened from its card on the Accounts screen.
import { useState } from 'react';
import type { AccountHistoryView, IncidentView } from '../contract.js';
import { ErrorNote } from '../components/common.js';
import { absoluteTime, duration, relativeTime, shortTime, TIME } from '../lib/time.js';
import { useAsync, useClient, useNotification, useNow, useThrottled } from '../hooks.js';

/** "100 %", "99.93 %", "87.5 %": two decimals at most, and never 100 % while any down time was counted. */
export function uptimeText(share: number | null, downMs: number): string {
  if (share === null) return 'not watched yet';
  const pct = share * 100;
  if (downMs === 0) return '100 %';
  const fixed = Math.min(pct, 99.99)
    .toFixed(2)
    .replace(/\.?0+$/, '');
  return `${fixed} %`;
}

function UptimeLine({ label, share, downMs }: { label: string; share: number | null; downMs: number }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        <strong>{uptimeText(share, downMs)}</strong>
        {share !== null ? <span className="muted">{downMs > 0 ? ` down ${duration(downMs)}` : ' no outage'}</span> : null}
      </dd>
    </div>
  );
}

function TimelineItem({ incident: i, now }: { incident: IncidentView; now: number }) {
  const open = i.resolvedAt === null;
  return (
    <li className={`history-item ${open ? 'history-open' : 'history-resolved'}`} data-testid="history-incident">
      <time title={absoluteTime(i.openedAt)}>{shortTime(i.openedAt, now)}</time> <span dir="auto">{i.title}</span>
      <span className="muted">
        {' · '}
        {open ? `ongoing for ${duration(now - i.openedAt)}` : `lasted ${duration(i.durationMs)}`}
        {i.flaps > 0 ? ` · ${i.flaps} flap${i.flaps === 1 ? '' : 's'}` : ''}
      </span>
    </li>
  );
}

function HistoryBody({ accountKey }: { accountKey: string }) {
  const client = useClient();
  const now = useNow(60_000);
  const history = useAsync<AccountHistoryView>(() => client.api.getAccountHistory(accountKey), [client, accountKey]);
  const reload = useThrottled(history.reload, 3000);
  useNotification('alert', reload);
  const h = history.data;
  if (history.error) return <ErrorNote message={history.error} />;
  if (!h) return <p className="muted">Loading…</p>;
  const partial = h.watchedSince !== null && h.watchedSince > now - 30 * TIME.DAY;
  return (
    <div className="history-body" data-testid="account-history-body">
      <dl className="uptime">
        <UptimeLine label="Uptime, 7 days" share={h.uptime7d} downMs={h.downMs7d} />
        <UptimeLine label="Uptime, 30 days" share={h.uptime30d} downMs={h.downMs30d} />
      </dl>
      {partial ? (
        <p className="muted">
          Counted from {absoluteTime(h.watchedSince!)} ({relativeTime(h.watchedSince!, now)}), when Hookwatch first saw this number.
        </p>
      ) : null}
      {h.incidents.length === 0 ? (
        <p className="muted">No incident in the last 30 days.</p>
      ) : (
        <>
          <h4 className="history-heading">Incidents, last 30 days</h4>
          <ol className="history-list">
            {[...h.incidents].reverse().map((i) => (
              <TimelineItem key={i.id} incident={i} now={now} />
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

/** Closed by default; the history is read when it is opened (a board of many numbers stays one call). */
export function AccountHistory({ accountKey }: { accountKey: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="account-history" data-testid="account-history" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Uptime and incidents</summary>
      {open ? <HistoryBody accountKey={accountKey} /> : null}
    </details>
  );
}
