import { useState } from 'react';
import type { SetupInfo } from '../contract.js';
import { CopyButton, EmptyState, ErrorNote } from '../components/common.js';
import { useNotification } from '../hooks.js';

/**
 * First run without a provider token: the webhook URL with a copy button and, per provider, where to
 * paste it. It notices the first event arriving.
 */
export function FirstRun({ setup, error, onOpenFeed }: { setup: SetupInfo | undefined; error: string | null; onOpenFeed: () => void }) {
  const [arrived, setArrived] = useState(0);
  useNotification('events', (b) => setArrived((n) => n + b.events.length));

  return (
    <section className="screen" aria-labelledby="setup-heading">
      <h1 id="setup-heading">Set up Hookwatch</h1>
      {error ? <ErrorNote message={error} /> : null}
      {!setup ? <p className="muted">Loading…</p> : null}
      {setup ? (
        <ol className="steps">
          <li className="panel">
            <h2>Copy your webhook URL</h2>
            <div className="url-row">
              <input className="mono url" readOnly value={setup.publicUrl ?? setup.webhookUrl} aria-label="Your webhook URL" onFocus={(e) => e.target.select()} data-testid="webhook-url" />
              <CopyButton text={setup.publicUrl ?? setup.webhookUrl} label="Copy" className="button button-primary" />
            </div>
            <p className="muted">{setup.publicUrlNote}</p>
            <p className="muted">It contains a secret: whoever has it can send events to Hookwatch. `hookwatch secret --rotate` makes a new one.</p>
          </li>
          <li className="panel">
            <h2>Add it at your provider</h2>
            {setup.tokenConfigured ? (
              <p>A TimelinesAI token is set: Hookwatch registers its webhooks itself.</p>
            ) : (
              <p className="muted">Without a provider token, add the URL by hand (automatic registration with a TimelinesAI token comes with the tunnel feature).</p>
            )}
            <div className="provider-steps">
              {setup.providers.map((p) => (
                <div key={p.provider} className="provider-step">
                  <h3>{p.title}</h3>
                  <div className="url-row">
                    <input className="mono url" readOnly value={p.url} aria-label={`Webhook URL for ${p.title}`} onFocus={(e) => e.target.select()} />
                    <CopyButton text={p.url} label={`Copy ${p.title} URL`} />
                  </div>
                  <ol>
                    {p.steps.map((s) => (
                      <li key={s}>{s}</li>
                    ))}
                  </ol>
                </div>
              ))}
            </div>
          </li>
          <li className="panel">
            <h2>Done</h2>
            {setup.hasEvents || arrived > 0 ? (
              <p className="ok" role="status">
                {arrived > 0 ? `${arrived} event${arrived > 1 ? 's' : ''} just arrived.` : 'Events are arriving.'}{' '}
                <button type="button" className="button button-primary" onClick={onOpenFeed}>
                  Open the live feed
                </button>
              </p>
            ) : (
              <EmptyState title="Waiting for the first event…" tone="waiting">
                <p role="status">This page notices it the moment it arrives.</p>
              </EmptyState>
            )}
          </li>
        </ol>
      ) : null}
    </section>
  );
}
