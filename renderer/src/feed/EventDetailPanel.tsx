// The event detail: normalized fields, raw body, headers, related events, copy as curl.
import type { ReactNode } from 'react';
import type { EventDetailView, JsonValue } from '../contract.js';
import { CopyButton, EmptyState, ErrorNote, ProviderBadge } from '../components/common.js';
import { replayCurl } from '../lib/curl.js';
import { findAggregationHtml, prettyBody, visibleControls } from '../lib/format.js';
import { eventSentence } from '../lib/sentence.js';
import { absoluteTime, duration, relativeTime, shortTime, TIME } from '../lib/time.js';
import { useAsync, useClient, useNow } from '../hooks.js';

interface Props {
  eventId: number;
  /** The local webhook URL (with the secret), for copy-as-curl. */
  webhookUrl: string | null;
  onClose: () => void;
  onSelect: (id: number) => void;
  onFilter: (patch: { account?: string; chat?: string }) => void;
}

/**
 * One event: its normalized fields, the raw request (pretty JSON body, headers), how often it was
 * delivered, and a curl command that replays it into the receiver. Everything from the payload is
 * shown as text; the v1 `aggregation` HTML too.
 */
export function EventDetailPanel({ eventId, webhookUrl, onClose, onSelect, onFilter }: Props) {
  const client = useClient();
  const now = useNow();
  const detail = useAsync(() => client.api.getEvent(eventId), [client, eventId]);
  const d = detail.data?.event.id === eventId ? detail.data : undefined;

  return (
    <section
      className="detail"
      aria-labelledby="detail-heading"
      data-testid="event-detail"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header className="detail-header">
        <h2 id="detail-heading" dir="auto">
          {d ? eventSentence(d.event) : `Event ${eventId}`}
        </h2>
        <button type="button" className="button button-quiet" onClick={onClose} aria-label="Close the event (Escape)">
          ✕
        </button>
      </header>
      {detail.error ? <ErrorNote message={detail.error} /> : null}
      {detail.data === null ? <EmptyState title="This event is gone">It was deleted by retention, or never existed.</EmptyState> : null}
      {!d && detail.loading ? <p className="muted">Loading…</p> : null}
      {d ? <DetailBody d={d} now={now} webhookUrl={webhookUrl} onSelect={onSelect} onFilter={onFilter} /> : null}
    </section>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** "previousResponsible" → "Previous responsible": a label a person reads. */
export function humanLabel(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A detail value in words: instants as local dates, people by name, lists joined; JSON only as a last resort. */
export function humanValue(key: string, v: JsonValue): string {
  if (v === null) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  // Epoch milliseconds (2001..2286) under a key that names a time.
  if (typeof v === 'number' && /(at|time|timestamp|date)$/i.test(key) && v > 1e12 && v < 1e13) return absoluteTime(v);
  if (typeof v === 'string' || typeof v === 'number') return visibleControls(String(v));
  if (Array.isArray(v)) return v.map((x) => humanValue(key, x)).join(', ');
  const named = v.name ?? v.fullName ?? v.email ?? v.title;
  if (typeof named === 'string') return visibleControls(named);
  return Object.entries(v)
    .filter(([, x]) => x !== null)
    .map(([k, x]) => `${humanLabel(k).toLowerCase()}: ${humanValue(k, x)}`)
    .join(' · ');
}

function DetailBody({
  d,
  now,
  webhookUrl,
  onSelect,
  onFilter,
}: {
  d: EventDetailView;
  now: number;
  webhookUrl: string | null;
  onSelect: (id: number) => void;
  onFilter: Props['onFilter'];
}) {
  const e = d.event;
  const body = prettyBody(d.request.bodyText);
  const aggregations = body.json ? findAggregationHtml(body.value) : [];
  const curl = webhookUrl ? replayCurl(webhookUrl, d.request) : null;
  const accountKey = e.accountPhone ?? e.accountId;
  return (
    <div className="detail-body">
      <dl className="fields">
        <Field label="Provider">
          <ProviderBadge provider={e.provider} /> <span className="muted">{e.shape}</span>
        </Field>
        <Field label="Type">
          {e.type}
          {e.originalType ? <span className="muted"> (sent as {e.originalType})</span> : null}
        </Field>
        <Field label="Happened">
          <time dateTime={new Date(e.occurredAt ?? e.receivedAt).toISOString()}>{absoluteTime(e.occurredAt ?? e.receivedAt)}</time>{' '}
          <span className="muted">({relativeTime(e.occurredAt ?? e.receivedAt, now)})</span>
        </Field>
        {e.occurredAt !== null && Math.abs(e.occurredAt - e.receivedAt) >= 1000 ? (
          <Field label="Received">
            {absoluteTime(e.receivedAt)}{' '}
            <span className="muted">
              ({duration(Math.abs(e.receivedAt - e.occurredAt))} {e.receivedAt >= e.occurredAt ? 'later' : 'earlier'})
            </span>
          </Field>
        ) : null}
        {e.recovered ? (
          <Field label="Source">
            <span data-testid="recovered-note">Recovered by catch-up from the TimelinesAI API</span>{' '}
            <span className="muted">
              (missed while Hookwatch was not receiving
              {recoveredGap(e.details) ? `, ${recoveredGap(e.details)}` : ''}; the raw body below is the API’s message)
            </span>
          </Field>
        ) : null}
        <Field label="Deliveries">
          <span data-testid="delivery-count">{e.deliveryCount}</span>
          {e.deliveryCount > 1 ? (
            <span className="muted"> (last {relativeTime(e.lastDeliveredAt, now)}; the provider sent it again)</span>
          ) : null}
        </Field>
        {accountKey ? (
          <Field label="Account">
            {e.accountName ? (
              <>
                <bdi dir="auto">{visibleControls(e.accountName)}</bdi>
                {' · '}
              </>
            ) : null}
            <bdi dir="ltr">{e.accountPhone ?? e.accountId}</bdi>{' '}
            <button type="button" className="link-button" onClick={() => onFilter({ account: accountKey })}>
              only this account
            </button>
          </Field>
        ) : null}
        {e.chatId || e.chatName ? (
          <Field label="Chat">
            {e.chatName ? (
              <>
                <bdi dir="auto">{visibleControls(e.chatName)}</bdi>
                {' · '}
              </>
            ) : null}
            <bdi dir="ltr">{e.chatPhone ?? ''}</bdi> {e.chatId ? <span className="muted">#{e.chatId}</span> : null}{' '}
            {e.chatId ? (
              <button type="button" className="link-button" onClick={() => onFilter({ chat: e.chatId! })}>
                only this chat
              </button>
            ) : null}
          </Field>
        ) : null}
        {e.direction ? <Field label="Direction">{e.direction}</Field> : null}
        {e.messageUid ? <Field label="Message uid">{e.messageUid}</Field> : null}
        {/* `recovered` is said in words under Source. */}
        {Object.entries(e.details)
          .filter(([k]) => !(e.recovered && k === 'recovered'))
          .map(([k, v]) => (
            <Field key={k} label={humanLabel(k)}>
              <span dir="auto">{humanValue(k, v)}</span>
            </Field>
          ))}
      </dl>
      {e.text ? (
        <>
          <h3>Text</h3>
          <p className="message-text" data-testid="message-text" dir="auto">
            {visibleControls(e.text)}
          </p>
        </>
      ) : null}
      {d.related.length > 0 ? (
        <>
          <h3>Same message, other events</h3>
          <ul className="related">
            {d.related.map((r) => (
              <li key={r.id}>
                <button type="button" className="link-button" onClick={() => onSelect(r.id)}>
                  {r.type} #{r.id}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <details className="raw" open>
        <summary>
          <h3>Raw body {body.json ? '(JSON, indented)' : ''}</h3>
        </summary>
        <CopyButton text={body.text} label={body.json ? 'Copy JSON' : 'Copy body'} />
        {d.request.bodyTruncated ? <p className="muted">Only the first part of this body was kept.</p> : null}
        <pre className="code" data-testid="raw-body" tabIndex={0} aria-label="Raw request body">
          {body.text || '(empty)'}
        </pre>
      </details>
      {aggregations.map((html, i) => (
        <div key={i}>
          <h3>Aggregation (HTML from the provider, shown as text)</h3>
          <pre className="code">{html}</pre>
        </div>
      ))}
      <h3>Request</h3>
      <p className="mono">
        {d.request.method} {d.request.path}
      </p>
      <table className="headers">
        <caption className="visually-hidden">Request headers</caption>
        <tbody>
          {Object.entries(d.request.headers).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Replay</h3>
      {curl ? (
        <>
          <p className="muted">Sends the same body to your receiver again; it counts as one more delivery of this event.</p>
          <CopyButton text={curl} label="Copy as curl" />
          <details>
            <summary>Show the command (it contains your webhook secret)</summary>
            <pre className="code" data-testid="curl">
              {curl}
            </pre>
          </details>
        </>
      ) : (
        <p className="muted">{webhookUrl ? 'The stored body is incomplete, so it cannot be replayed.' : 'Loading the webhook URL…'}</p>
      )}
    </div>
  );
}

/** The gap a recovered event was missed in, from `details.recovered` ("Nov 30, 11:27 – 19:27"); null when unreadable. */
function recoveredGap(details: EventDetailView['event']['details']): string | null {
  const r = details.recovered;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return null;
  const { gapStart, gapEnd } = r as { gapStart?: unknown; gapEnd?: unknown };
  if (typeof gapStart !== 'number' || typeof gapEnd !== 'number') return null;
  // The start with its date (a reference a day off makes shortTime show it), the end's date only when it differs.
  return `${shortTime(gapStart, gapStart + TIME.DAY)} – ${shortTime(gapEnd, gapStart)}`;
}
