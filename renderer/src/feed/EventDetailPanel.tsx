// The event detail: normalized fields, raw body, headers, related events, copy as curl.
import type { ReactNode } from 'react';
import type { EventDetailView, JsonValue } from '../contract.js';
import { CopyButton, EmptyState, ErrorNote, ProviderBadge } from '../components/common.js';
import { replayCurl } from '../lib/curl.js';
import { findAggregationHtml, prettyBody } from '../lib/format.js';
import { absoluteTime, relativeTime } from '../lib/time.js';
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
        <h2 id="detail-heading">{d ? d.event.type : `Event ${eventId}`}</h2>
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

function jsonText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
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
        <Field label="Received">
          <time dateTime={new Date(e.receivedAt).toISOString()}>{absoluteTime(e.receivedAt)}</time>{' '}
          <span className="muted">({relativeTime(e.receivedAt, now)})</span>
        </Field>
        {e.occurredAt !== null ? <Field label="Happened">{absoluteTime(e.occurredAt)}</Field> : null}
        <Field label="Deliveries">
          <span data-testid="delivery-count">{e.deliveryCount}</span>
          {e.deliveryCount > 1 ? (
            <span className="muted"> (last {relativeTime(e.lastDeliveredAt, now)}; the provider sent it again)</span>
          ) : null}
        </Field>
        {accountKey ? (
          <Field label="Account">
            {e.accountName ? `${e.accountName} · ` : ''}
            {e.accountPhone ?? e.accountId}{' '}
            <button type="button" className="link-button" onClick={() => onFilter({ account: accountKey })}>
              only this account
            </button>
          </Field>
        ) : null}
        {e.chatId || e.chatName ? (
          <Field label="Chat">
            {e.chatName ? `${e.chatName} · ` : ''}
            {e.chatPhone ?? ''} {e.chatId ? <span className="muted">#{e.chatId}</span> : null}{' '}
            {e.chatId ? (
              <button type="button" className="link-button" onClick={() => onFilter({ chat: e.chatId! })}>
                only this chat
              </button>
            ) : null}
          </Field>
        ) : null}
        {e.direction ? <Field label="Direction">{e.direction}</Field> : null}
        {e.messageUid ? <Field label="Message uid">{e.messageUid}</Field> : null}
        {Object.entries(e.details).map(([k, v]) => (
          <Field key={k} label={k}>
            {jsonText(v)}
          </Field>
        ))}
      </dl>
      {e.text ? (
        <>
          <h3>Text</h3>
          <p className="message-text" data-testid="message-text">
            {e.text}
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
      <h3>Raw body {body.json ? '(JSON, indented)' : ''}</h3>
      {d.request.bodyTruncated ? <p className="muted">Only the first part of this body was kept.</p> : null}
      <pre className="code" data-testid="raw-body" tabIndex={0} aria-label="Raw request body">
        {body.text || '(empty)'}
      </pre>
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
