// "Send a test event": posts a marked test event through the public URL (or locally) and lists each hop with its time.
import { useState } from 'react';
import type { TestEventReport } from '../contract.js';
import { useClient } from '../hooks.js';

export function TestEventButton() {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<TestEventReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await client.api.sendTestEvent());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="test-event" data-testid="test-event">
      {/* Disabled only while one is on its way, and its label then says so. */}
      <button type="button" className="button" disabled={busy} onClick={() => void send()}>
        {busy ? 'Sending…' : 'Send a test event'}
      </button>
      {report ? (
        <div role="status" className="test-event-report">
          <p className={!report.ok ? 'bad' : report.via === 'tunnel' ? 'ok' : 'warning-note'}>
            {report.ok
              ? report.via === 'tunnel'
                ? 'It went through the public URL and back.'
                : 'Stored, but sent straight to the local receiver: the tunnel is not up, so providers cannot reach Hookwatch yet.'
              : 'The test event did not make it.'}
          </p>
          <ol className="hops">
            {report.hops.map((h) => (
              <li key={h.hop}>
                <span className="ok" aria-hidden="true">
                  ✓
                </span>{' '}
                {h.hop}{' '}
                <span className="muted">
                  after {h.at - report.sentAt} ms ({h.detail})
                </span>
              </li>
            ))}
          </ol>
          {report.problem ? <p className="bad">{report.problem}</p> : null}
          {report.ok && report.eventId !== null ? (
            <p>
              <a href={`#/feed/${report.eventId}`}>Open the test event</a>{' '}
              <span className="muted">(type hookwatch:test; it raises no alert)</span>
            </p>
          ) : null}
        </div>
      ) : null}
      {error ? <p className="bad">{error}</p> : null}
    </div>
  );
}
