// Setup: paste a token, pick the events, register; or copy the URL and follow the steps.
import { useId, useState, type FormEvent } from 'react';
import type { RegistrationView, SetupInfo } from '../contract.js';
import { CopyButton, EmptyState, ErrorNote, withCode } from '../components/common.js';
import { TestEventButton } from '../components/TestEventButton.js';
import { useClient, useNotification } from '../hooks.js';
import { relativeTime } from '../lib/time.js';

const GROUP_LABEL = { account: 'WhatsApp account status', assignment: 'Chat assignment', messages: 'Every message' } as const;

/**
 * Paste a TimelinesAI token, pick the event types, register: Hookwatch then keeps one webhook per type
 * pointed at its public URL. Results are shown as text lines (they name no secret: the URL shows {secret}).
 */
export function ConnectTimelines({ setup, onChanged, as = 'step' }: { setup: SetupInfo; onChanged: () => void; as?: 'step' | 'section' }) {
  const client = useClient();
  const [token, setToken] = useState('');
  const [chosen, setChosen] = useState(() => new Set(setup.eventTypeChoices.filter((c) => c.chosen).map((c) => c.type)));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [tokenNote, setTokenNote] = useState<string | null>(null);
  const [result, setResult] = useState<RegistrationView | null>(null);
  const whyNotId = useId();

  if (setup.tokenStorage === 'unavailable') return null;

  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    setTokenNote(null);
    setResult(null);
    try {
      if (token.trim() !== '') {
        const saved = await client.api.setTimelinesToken(token.trim());
        if (!saved.ok) {
          setMessage(saved.reason);
          return;
        }
        setToken('');
        onChanged();
        // The token was kept and checked at once: say whether it works before registering with it.
        if (saved.problem) {
          setMessage(`Token saved, but it does not work: ${saved.problem}`);
          return;
        }
        if (saved.accounts !== undefined) setTokenNote(`Token works: TimelinesAI shows ${saved.accounts} WhatsApp account(s).`);
      }
      setResult(await client.api.registerWebhooks([...chosen]));
    } catch (err) {
      setMessage((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // A disabled button says why, in words a screen reader reads with it.
  const whyNot = busy
    ? 'Registering…'
    : !setup.tokenConfigured && token.trim() === ''
      ? 'Paste a TimelinesAI API token first.'
      : chosen.size === 0
        ? 'Choose at least one event type.'
        : null;
  const Wrapper = as === 'step' ? 'li' : 'section';
  return (
    <Wrapper className="panel" aria-labelledby="connect-heading">
      <h2 id="connect-heading">{as === 'step' ? 'Connect TimelinesAI (optional)' : 'TimelinesAI'}</h2>
      <form onSubmit={run} className="connect-form">
        <label className="field">
          <span>TimelinesAI API token {setup.tokenConfigured ? '(one is set; paste another to replace it)' : ''}</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            className="mono"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder={setup.tokenConfigured ? 'token set' : 'from TimelinesAI → Integrations → Public API'}
            data-testid="token-input"
          />
        </label>
        <p className="muted">
          {setup.tokenStorage === 'encrypted'
            ? 'Kept encrypted by your system keychain, never shown again, never logged.'
            : 'Kept in memory for this run of hookwatch serve only (set HOOKWATCH_TIMELINES_TOKEN to keep it); never logged.'}
        </p>
        <fieldset className="event-choices">
          <legend>Events to register (one webhook each; a workspace allows 10)</legend>
          {setup.eventTypeChoices.map((c) => (
            <label key={c.type} className="checkbox">
              <input
                type="checkbox"
                checked={chosen.has(c.type)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(c.type);
                  else next.delete(c.type);
                  setChosen(next);
                }}
              />
              <span className="mono">{c.type}</span> <span className="muted">{GROUP_LABEL[c.group]}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button button-primary" disabled={whyNot !== null} aria-describedby={whyNot ? whyNotId : undefined}>
          {busy ? 'Registering…' : 'Register'}
        </button>
        {whyNot && !busy ? (
          <span id={whyNotId} className="muted why-not" data-testid="register-why-not">
            {whyNot}
          </span>
        ) : null}
      </form>
      {tokenNote ? (
        <p className="muted" data-testid="token-check">
          {tokenNote}
        </p>
      ) : null}
      {message ? <ErrorNote message={message} /> : null}
      {result ? (
        <div role="status" data-testid="registration-result" className={result.ok ? 'ok' : undefined}>
          <p>
            {result.ok
              ? `Done: ${result.registered.length} event types registered.`
              : (result.problem ?? `Not registered: ${result.missing.join(', ')}`)}
          </p>
          {result.lines.length ? <pre className="mono registration-lines">{result.lines.join('\n')}</pre> : null}
        </div>
      ) : null}
    </Wrapper>
  );
}

/** The part of a provider's URL all providers share (up to a `/`), so what differs (`/whatsable`) can stand out. */
function urlBase(urls: string[], url: string): string {
  if (urls.length < 2) return url;
  let common = url;
  for (const u of urls) {
    let i = 0;
    while (i < common.length && i < u.length && common[i] === u[i]) i++;
    common = common.slice(0, i);
  }
  // Whole segments only: highlight `/whatsable`, not half a word.
  if (common === url || url.charAt(common.length) === '/') return common;
  return common.slice(0, Math.max(0, common.lastIndexOf('/')));
}

/**
 * First run without a provider token: the webhook URL with a copy button and, per provider, where to
 * paste it. It notices the first event arriving.
 */
export function FirstRun({
  setup,
  error,
  onOpenFeed,
  onChanged,
}: {
  setup: SetupInfo | undefined;
  error: string | null;
  onOpenFeed: () => void;
  onChanged?: () => void;
}) {
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
              <textarea
                className="mono url wrap"
                readOnly
                rows={2}
                value={setup.publicUrl ?? setup.webhookUrl}
                aria-label="Your webhook URL"
                onFocus={(e) => e.target.select()}
                data-testid="webhook-url"
              />
              <CopyButton text={setup.publicUrl ?? setup.webhookUrl} label="Copy" className="button button-primary" />
            </div>
            {setup.urlChangedAt !== null ? (
              <p className="warning-note" role="status" data-testid="url-changed">
                changed {relativeTime(setup.urlChangedAt, Date.now())}: paste the new URL into WhatsAble
              </p>
            ) : null}
            <p className="muted">{withCode(setup.publicUrlNote)}</p>
            <TestEventButton />
            <p className="muted">
              It contains a secret: whoever has it can send events to Hookwatch. <code>hookwatch secret --rotate</code> makes a new one.
            </p>
          </li>
          <ConnectTimelines setup={setup} onChanged={onChanged ?? (() => {})} />
          <li className="panel">
            <h2>Or add it at your provider by hand</h2>
            {setup.tokenConfigured ? (
              <p>A TimelinesAI token is set: Hookwatch registers its webhooks itself.</p>
            ) : (
              <p className="muted">
                Without a TimelinesAI token, add the URL by hand. WhatsAble is always added by hand (its webhook settings belong to its
                dashboard).
              </p>
            )}
            <div className="provider-steps">
              {setup.providers.map((p) => (
                <div key={p.provider} className="provider-step">
                  <h3>{p.title}</h3>
                  <div className="url-row">
                    <code
                      className="url-text wrap"
                      role="textbox"
                      aria-readonly="true"
                      tabIndex={0}
                      aria-label={`Webhook URL for ${p.title}`}
                      data-testid={`provider-url-${p.provider}`}
                    >
                      {urlBase(
                        setup.providers.map((x) => x.url),
                        p.url,
                      )}
                      <mark className="url-suffix">
                        {p.url.slice(
                          urlBase(
                            setup.providers.map((x) => x.url),
                            p.url,
                          ).length,
                        )}
                      </mark>
                    </code>
                    <CopyButton text={p.url} label={`Copy ${p.title} URL`} />
                  </div>
                  <ol>
                    {p.steps.map((s) => (
                      <li key={s}>{withCode(s)}</li>
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
