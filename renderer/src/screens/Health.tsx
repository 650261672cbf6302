// Webhook health: deliveries per provider and type, the tunnel, registered webhooks, the delivery log.
import { Fragment, useEffect, useRef, useState } from 'react';
import type { DeliveryDetailView, DeliveryLogEntry, HealthReport, HealthRow } from '../contract.js';
import { EmptyState, ErrorNote, ProviderBadge, Sparkline, withCode } from '../components/common.js';
import { TestEventButton } from '../components/TestEventButton.js';
import { HealthCatchup } from './HealthCatchup.js';
import { downloadExport } from '../lib/download.js';
import { count, ms, percent, prettyBody, statusText, visibleControls } from '../lib/format.js';
import { absoluteTime, duration, relativeTime } from '../lib/time.js';
import { useAsync, useClient, useNotification, useNow, useThrottled } from '../hooks.js';

const LOG_PAGE = 25;

function Row({ row, now, heading }: { row: HealthRow; now: number; heading?: boolean }) {
  const label = row.eventType ?? (heading ? 'all event types' : 'no event (rejected or not a webhook)');
  const rejected = row.rejected10d > 0;
  return (
    <tr
      className={heading ? 'health-summary' : undefined}
      data-testid="health-row"
      data-provider={row.provider}
      data-type={heading ? '*' : (row.eventType ?? '')}
    >
      <th scope="row">
        {heading ? <ProviderBadge provider={row.provider} /> : null} {label}
      </th>
      <td>
        <Sparkline values={row.hourly24h} label={`${row.provider} ${label} deliveries per hour`} />
      </td>
      <td className="num">{count(row.deliveries10d)}</td>
      <td className={`num${rejected ? ' bad' : ''}`} data-testid="rejected">
        {percent(row.rejectedShare)}
        {rejected ? <span className="muted"> ({count(row.rejected10d)})</span> : null}
      </td>
      <td>
        {row.last ? (
          <>
            <time title={absoluteTime(row.last.at)}>{relativeTime(row.last.at, now)}</time>{' '}
            <span className={row.last.status >= 200 && row.last.status < 300 ? 'ok' : 'bad'}>{statusText(row.last.status)}</span>
            {row.last.reason ? <span className="muted reason"> {row.last.reason}</span> : null}
          </>
        ) : (
          '–'
        )}
      </td>
      <td className="num">
        {ms(row.latency.p50Ms)} / {ms(row.latency.p95Ms)}
      </td>
    </tr>
  );
}

function Tunnel({ health, now }: { health: HealthReport; now: number }) {
  if (!health.tunnel.available) {
    return (
      <EmptyState title="Tunnel: not available">
        <p data-testid="tunnel-not-available">{withCode(health.tunnel.reason)}</p>
      </EmptyState>
    );
  }
  const t = health.tunnel.status;
  return (
    <dl className="fields">
      <dt>State</dt>
      <dd className={`tunnel-${t.state}`} data-testid="tunnel-state">
        {t.state === 'off' ? 'off (turned off)' : t.state}
      </dd>
      <dt>URL</dt>
      <dd className="mono">{t.url ?? '–'}</dd>
      <dt>Since</dt>
      <dd>
        {relativeTime(t.since, now)} ({duration(now - t.since)})
      </dd>
      <dt>Up in the last 24 h</dt>
      <dd>{percent(t.uptime24h)}</dd>
      <dt>Last probe</dt>
      <dd>
        {t.lastProbe
          ? `${relativeTime(t.lastProbe.at, now)}: ${t.lastProbe.ok ? `passed in ${ms(t.lastProbe.ms)}` : `failed (${t.lastProbe.error ?? 'no answer'})`}`
          : '–'}
      </dd>
    </dl>
  );
}

const ok = (status: number) => status >= 200 && status < 300;

/** One delivery opened from the log: its answer, headers and the body that was kept, shown as text. */
function DeliveryDetail({ id, onClose }: { id: number; onClose: () => void }) {
  const client = useClient();
  const detail = useAsync<DeliveryDetailView | null>(() => client.api.getDelivery(id), [client, id]);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), [id]);
  const d = detail.data;
  const body = d ? prettyBody(d.bodyText) : null;
  return (
    <section className="delivery-detail" aria-labelledby="delivery-detail-heading" data-testid="delivery-detail">
      <div className="section-head">
        <h3 id="delivery-detail-heading">Delivery #{id}</h3>
        <button ref={closeRef} type="button" className="button button-quiet" onClick={onClose}>
          Close
        </button>
      </div>
      {detail.error ? <ErrorNote message={detail.error} /> : null}
      {d === null ? <p className="muted">This delivery is no longer stored (the retention removed it).</p> : null}
      {d ? (
        <>
          <dl className="fields">
            <dt>Received</dt>
            <dd>{absoluteTime(d.entry.receivedAt)}</dd>
            <dt>Request</dt>
            <dd className="mono wrap">
              {d.entry.method} {d.entry.path}
            </dd>
            <dt>Answer</dt>
            <dd>
              <span className={ok(d.entry.status) ? 'ok' : 'bad'}>{statusText(d.entry.status)}</span>
              {d.entry.duplicate ? <span className="muted"> (a duplicate of an event already stored)</span> : null}
            </dd>
            {d.entry.reason ? (
              <>
                <dt>Reason</dt>
                <dd dir="auto">{visibleControls(d.entry.reason)}</dd>
              </>
            ) : null}
            <dt>Answered in</dt>
            <dd>{ms(d.entry.latencyMs)}</dd>
            <dt>Events</dt>
            <dd>{d.entry.eventCount ? `${d.entry.eventCount} (${d.entry.provider ?? '?'} ${d.entry.eventType ?? ''})` : 'none'}</dd>
          </dl>
          <details>
            <summary>Headers ({Object.keys(d.headers).length})</summary>
            <dl className="fields headers">
              {Object.entries(d.headers).map(([k, v]) => (
                <Fragment key={k}>
                  <dt className="mono">{k}</dt>
                  <dd className="mono wrap">{visibleControls(v)}</dd>
                </Fragment>
              ))}
            </dl>
          </details>
          <h4>Body{d.contentType ? <span className="muted"> ({d.contentType})</span> : null}</h4>
          {body && d.bodyText !== null ? (
            <pre className="body-text" data-testid="delivery-body" dir="auto">
              {visibleControls(body.text)}
            </pre>
          ) : (
            <p className="muted">No body was kept.</p>
          )}
          {d.bodyTruncated ? <p className="muted">Only the start of the body was kept.</p> : null}
        </>
      ) : null}
    </section>
  );
}

function DeliveryLog() {
  const client = useClient();
  const now = useNow(30_000);
  const [pageNo, setPageNo] = useState(0);
  const [failuresOnly, setFailuresOnly] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const log = useAsync<DeliveryLogEntry[]>(() => client.api.listDeliveries({ limit: 1000 }), [client]);
  const refresh = useThrottled(log.reload, 2000);
  useNotification('deliveries', refresh);
  const all = log.data ?? [];
  const rows = failuresOnly ? all.filter((d) => !ok(d.status)) : all;
  const pages = Math.max(1, Math.ceil(rows.length / LOG_PAGE));
  const current = Math.min(pageNo, pages - 1);
  const shown = rows.slice(current * LOG_PAGE, (current + 1) * LOG_PAGE);
  return (
    <section aria-labelledby="log-heading">
      <div className="section-head">
        <h2 id="log-heading">Delivery log</h2>
        <span className="muted">the last {count(all.length)} requests, newest first</span>
        <label className="check">
          <input
            type="checkbox"
            checked={failuresOnly}
            onChange={(e) => {
              setFailuresOnly(e.target.checked);
              setPageNo(0);
            }}
            data-testid="failures-only"
          />{' '}
          Failures only
        </label>
        <button type="button" className="button" onClick={() => void client.api.exportDeliveryLog('txt').then(downloadExport)}>
          Download .txt
        </button>
        <button type="button" className="button" onClick={() => void client.api.exportDeliveryLog('jsonl').then(downloadExport)}>
          Download .jsonl
        </button>
      </div>
      {log.error ? <ErrorNote message={log.error} /> : null}
      {all.length === 0 && !log.loading ? <p className="muted">No request has reached the receiver yet.</p> : null}
      {all.length > 0 && rows.length === 0 ? <p className="muted">No failed request among the last {count(all.length)}.</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="log" data-testid="delivery-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Request</th>
                <th scope="col">Answer</th>
                <th scope="col">Provider / type</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Time
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr
                  key={d.id}
                  className={`${ok(d.status) ? '' : 'row-bad'}${open === d.id ? ' selected' : ''}`.trim() || undefined}
                  onClick={() => setOpen(d.id)}
                >
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      aria-expanded={open === d.id}
                      aria-controls={open === d.id ? 'delivery-detail' : undefined}
                      title={absoluteTime(d.receivedAt)}
                    >
                      {relativeTime(d.receivedAt, now)}
                    </button>
                  </td>
                  <td className="mono wrap">
                    {d.method} {d.path}
                  </td>
                  <td>
                    <span className={ok(d.status) ? 'ok' : 'bad'}>{statusText(d.status)}</span>
                    {d.duplicate ? <span className="muted"> duplicate</span> : null}
                    {d.reason ? (
                      <div className="muted reason" dir="auto">
                        {visibleControls(d.reason, true)}
                      </div>
                    ) : null}
                  </td>
                  <td>{d.provider ? `${d.provider} ${d.eventType ?? ''}${d.eventCount > 1 ? ` (+${d.eventCount - 1})` : ''}` : '–'}</td>
                  <td className="num">{count(d.size)} B</td>
                  <td className="num">{ms(d.latencyMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 ? (
            <nav className="pager" aria-label="Delivery log pages">
              <button type="button" className="button button-quiet" disabled={current === 0} onClick={() => setPageNo(current - 1)}>
                Newer
              </button>
              <span>
                Page {current + 1} of {pages}
              </span>
              <button type="button" className="button button-quiet" disabled={current >= pages - 1} onClick={() => setPageNo(current + 1)}>
                Older
              </button>
            </nav>
          ) : null}
        </div>
      ) : null}
      {open !== null ? (
        <div id="delivery-detail">
          <DeliveryDetail id={open} onClose={() => setOpen(null)} />
        </div>
      ) : null}
    </section>
  );
}

/** The team hub in one line (docs/hub.md): a hub's publishing backlog, or a follower's "following <hub>, N behind". */
function HubLine({ hub, now }: { hub: NonNullable<HealthReport['hub']>; now: number }) {
  const behind = hub.backlog === null ? 'catching up' : `${count(hub.backlog)} behind`;
  const text =
    hub.role === 'follower'
      ? `following ${hub.hub}, ${behind} (${hub.state})`
      : `publishing to ${hub.hub}: ${hub.state}, ${hub.backlog === null ? '–' : count(hub.backlog)} waiting` +
        (hub.oldestWaitingAt !== null ? ` since ${relativeTime(hub.oldestWaitingAt, now)}` : '');
  const forwards = hub.forwarding.map((f) => `${f.url}: ${f.delivered} delivered, ${f.failed} failed, ${f.parked} parked`);
  return (
    <p className="hub-line" data-testid="hub-line">
      Team hub: {text}
      {hub.lastError ? ` — ${hub.lastError}` : ''}
      {forwards.length > 0 ? ` · forwarding: ${forwards.join('; ')}` : ''}
    </p>
  );
}

/** Webhook health as the receiving side sees it, per provider and event type; the tunnel; the delivery log. */
export function Health() {
  const client = useClient();
  const now = useNow(30_000);
  const health = useAsync<HealthReport>(() => client.api.getHealth(), [client]);
  const refresh = useThrottled(health.reload, 2000);
  useNotification('deliveries', refresh);
  useNotification('events', refresh);
  // The hourly bars move on even when nothing arrives.
  useEffect(() => {
    const t = setInterval(health.reload, 60_000);
    return () => clearInterval(t);
  }, [health.reload]);
  const h = health.data;

  return (
    <section className="screen" aria-labelledby="health-heading">
      <h1 id="health-heading">Webhook health</h1>
      {health.error ? <ErrorNote message={health.error} /> : null}
      {h ? (
        <>
          {h.hub ? <HubLine hub={h.hub} now={now} /> : null}
          <div className="stat-cards">
            <div className="stat">
              <span className="stat-value">{count(h.total.deliveries10d)}</span>
              <span className="stat-label">deliveries in {h.windowDays} days</span>
            </div>
            <div className={`stat${h.total.rejected10d > 0 ? ' stat-bad' : ''}`} data-testid="total-rejected">
              <span className="stat-value">{percent(h.total.rejectedShare)}</span>
              <span className="stat-label">rejected ({count(h.total.rejected10d)})</span>
            </div>
            <div className="stat">
              <span className="stat-value">
                {ms(h.total.latency.p50Ms)} / {ms(h.total.latency.p95Ms)}
              </span>
              <span className="stat-label">answer time p50 / p95</span>
            </div>
            <div className="stat">
              <span className="stat-value">{h.total.last ? relativeTime(h.total.last.at, now) : '–'}</span>
              <span className="stat-label">last delivery{h.total.last ? `: ${statusText(h.total.last.status)}` : ''}</span>
            </div>
          </div>
          <h2>Per provider and event type</h2>
          {h.providers.length === 0 ? (
            <EmptyState title="No delivery in the last 10 days">
              <p>Once a provider sends a webhook, its deliveries, rejections and answer times show here.</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="health" data-testid="health-table">
                <thead>
                  <tr>
                    <th scope="col">Event type</th>
                    <th scope="col">24 h</th>
                    <th scope="col" className="num">
                      10 days
                    </th>
                    <th scope="col" className="num">
                      Rejected
                    </th>
                    <th scope="col">Last delivery and our answer</th>
                    <th scope="col" className="num">
                      p50 / p95
                    </th>
                  </tr>
                </thead>
                {h.providers.map((p) => (
                  <tbody key={p.provider}>
                    <Row row={p.summary} now={now} heading />
                    {p.types.map((t) => (
                      <Row key={t.eventType ?? ''} row={t} now={now} />
                    ))}
                  </tbody>
                ))}
              </table>
            </div>
          )}
          {h.catchup ? <HealthCatchup catchup={h.catchup} now={now} reload={health.reload} /> : null}
          <h2>Tunnel</h2>
          <TestEventButton />
          <Tunnel health={h} now={now} />
          <h2>Registered webhooks</h2>
          {h.webhooks.available ? (
            h.webhooks.webhooks.length === 0 ? (
              <p className="muted">
                No webhook of ours is known at a provider yet. With a TimelinesAI token (HOOKWATCH_TIMELINES_TOKEN), `hookwatch register` or
                `hookwatch serve --register` creates them and their error counters show here.
              </p>
            ) : (
              <table className="health">
                <thead>
                  <tr>
                    <th scope="col">Provider</th>
                    <th scope="col">Event type</th>
                    <th scope="col">Points at</th>
                    <th scope="col">Enabled</th>
                    <th scope="col" className="num">
                      Errors (provider's count)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {h.webhooks.webhooks.map((w) => (
                    <tr key={w.id}>
                      <td>
                        <ProviderBadge provider={w.provider} />
                      </td>
                      <td>{w.eventType}</td>
                      <td className={w.pointsAtCurrentUrl ? undefined : 'bad'}>
                        {w.pointsAtCurrentUrl ? 'the current URL' : 'an old URL of ours'}
                      </td>
                      <td>{w.enabled ? 'yes' : 'no'}</td>
                      <td className={`num${(w.errorsCounter ?? 0) > 0 ? ' bad' : ''}`}>
                        {w.errorsCounter ?? '–'} <span className="muted">({relativeTime(w.checkedAt, now)})</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          ) : (
            <EmptyState title="Registered webhooks: not available">
              <p>{withCode(h.webhooks.reason)}</p>
            </EmptyState>
          )}
        </>
      ) : health.loading ? (
        <p className="muted">Loading…</p>
      ) : null}
      <DeliveryLog />
    </section>
  );
}
