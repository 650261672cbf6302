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
      <button type="button" className="button" disabled={busy} onClick={() => void send()}>
        {busy ? 'Sending…' : 'Send a test event'}
      </button>
      {report ? (
        <div role="status">
          <p className="muted">
            {report.via === 'tunnel' ? 'Sent through the public URL.' : 'The tunnel is not up: sent straight to the local receiver.'}
          </p>
          <ol>
            {report.hops.map((h) => (
              <li key={h.hop}>
                {h.hop} after {h.at - report.sentAt} ms ({h.detail})
              </li>
            ))}
          </ol>
          {report.problem ? <p className="error">{report.problem}</p> : null}
        </div>
      ) : null}
      {error ? <p className="error">{error}</p> : null}
    </div>
  );
}
