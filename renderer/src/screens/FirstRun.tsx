// Setup: paste a token, pick the events, register; or copy the URL and follow the steps; whose assignments to announce; the first delivery.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { DeliverySummary, EventSummary, NotificationSettings, RegistrationView, SetupInfo } from '../contract.js';
import { CopyButton, EmptyState, ErrorNote, withCode } from '../components/common.js';
import { SaveButton, SaveStatus, useSave } from '../components/Save.js';
import { TestEventButton } from '../components/TestEventButton.js';
import { useClient, useNotification } from '../hooks.js';
import { statusText } from '../lib/format.js';
import { relativeTime, shortTime } from '../lib/time.js';

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
  const whyNot =
    !setup.tokenConfigured && token.trim() === ''
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
        <SaveButton busy={busy} busyLabel="Registering…" whyNot={whyNot} whyNotTestId="register-why-not">
          Register
        </SaveButton>
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

/** The test event's type (main/core/test-event.ts): it proves the path, it is not a provider's delivery. */
const TEST_EVENT_TYPE = 'hookwatch:test';
const PROVIDER_NAME: Record<string, string> = { timelines: 'TimelinesAI', whatsable: 'WhatsAble' };

/** Why the receiver refused a request, and what to do, in the words of the README's answers. */
const REFUSED_HINT: Record<number, string> = {
  400: 'the body was not a JSON object',
  404: 'the path or its secret is wrong: copy the URL above again',
  405: 'it was not a POST',
  413: 'the body was too large',
  503: 'storing it failed; the provider will send it again',
};

/**
 * The first real delivery as it arrives (test events aside), with a link to it; before that, a request the
 * receiver refused (a wrong URL is the usual first mistake). With events already stored, the latest one.
 */
function FirstDelivery({ hasEvents }: { hasEvents: boolean }) {
  const client = useClient();
  const [first, setFirst] = useState<{ event: EventSummary; live: boolean } | null>(null);
  const [arrived, setArrived] = useState(0);
  const [refused, setRefused] = useState<DeliverySummary | null>(null);

  useEffect(() => {
    if (!hasEvents) return;
    let live = true;
    client.api.listEvents({ limit: 20 }).then(
      (page) => {
        const latest = page.events.find((e) => e.type !== TEST_EVENT_TYPE);
        if (live && latest) setFirst((f) => f ?? { event: latest, live: false });
      },
      () => {
        /* the feed shows the error; here the panel just stays as it is */
      },
    );
    return () => {
      live = false;
    };
  }, [client, hasEvents]);

  // The newest event stored when this panel subscribed (the stream's first word): a batch that announces
  // an older event is the tail of what was stored before the panel opened, not a first delivery.
  const storedBefore = useRef<number | null | undefined>(undefined);
  useNotification('stream', (s) => {
    if (storedBefore.current === undefined) storedBefore.current = s.lastEventId;
  });
  useNotification('events', (b) => {
    const before = storedBefore.current ?? null;
    const real = b.events.filter((e) => e.type !== TEST_EVENT_TYPE && (before === null || e.id > before));
    if (real.length === 0) return;
    setArrived((n) => n + real.length);
    const oldest = real.reduce((a, e) => (e.id < a.id ? e : a));
    setFirst((f) => (f?.live ? f : { event: oldest, live: true }));
  });
  useNotification('deliveries', (b) => {
    const bad = b.deliveries.find((d) => d.status >= 400);
    if (bad) setRefused((r) => r ?? bad);
  });

  if (first) {
    const e = first.event;
    return (
      <div role="status" data-testid="first-delivery">
        <p className="ok">
          {first.live ? 'First delivery' : 'Latest delivery'}:{' '}
          <time dateTime={new Date(e.receivedAt).toISOString()}>{shortTime(e.receivedAt)}</time> from{' '}
          {PROVIDER_NAME[e.provider] ?? 'an unknown sender'}, <span className="mono">{e.type}</span>. <a href={`#/feed/${e.id}`}>Open it</a>
        </p>
        {arrived > 0 ? <p>{`${arrived} event${arrived > 1 ? 's' : ''} just arrived.`}</p> : null}
      </div>
    );
  }
  if (refused) {
    return (
      <p className="warning-note" role="status" data-testid="first-delivery">
        A request arrived at {shortTime(refused.receivedAt)} but was refused ({statusText(refused.status)}):{' '}
        {REFUSED_HINT[refused.status] ?? 'Webhook health shows why'}. <a href="#/health">Webhook health</a>
      </p>
    );
  }
  return null;
}

/**
 * Setup's question: whose chat assignments to announce. Until it is answered every assignment is announced;
 * "only mine" is pre-filled with the TimelinesAI token's own e-mail when a token is set.
 */
function AssignmentsStep({ tokenConfigured }: { tokenConfigured: boolean }) {
  const client = useClient();
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [choice, setChoice] = useState<NotificationSettings['assignmentAlerts']>('all');
  const [email, setEmail] = useState('');
  const [emailNote, setEmailNote] = useState<string | null>(null);
  const { busy, note, setNote, submit } = useSave();

  useEffect(() => {
    let live = true;
    void (async () => {
      const s = await client.api.getSettings().catch(() => null);
      if (!live || !s?.notifications.available) return;
      const n = s.notifications.settings;
      setSettings(n);
      setChoice(n.assignmentAlerts);
      setEmail(n.myEmail ?? '');
      if (!tokenConfigured) return;
      const me = await client.api.getTeammateEmail().catch(() => null);
      if (!live || !me) return;
      if (me.available) {
        // The e-mail the person typed wins; an empty field is filled from TimelinesAI.
        setEmail((current) => current || me.email);
        setEmailNote(`Your TimelinesAI e-mail (the token’s teammate): ${me.email}`);
      } else setEmailNote(me.reason);
    })();
    return () => {
      live = false;
    };
  }, [client, tokenConfigured]);

  if (!settings) return null;

  const save = submit(async () => {
    // The line of the last save goes while this one runs: it may say something else.
    setNote(null);
    const next = await client.api.updateSettings({
      notifications: { assignmentAlerts: choice, ...(choice === 'mine' ? { myEmail: email.trim() } : {}) },
    });
    if (next.notifications.available) setSettings(next.notifications.settings);
    return choice === 'all'
      ? 'Saved: every chat assignment is announced.'
      : choice === 'mine'
        ? `Saved: only chats assigned to ${email.trim()} are announced.`
        : 'Saved: chat assignments are kept in the feed, never announced.';
  });

  const whyNot = choice === 'mine' && !/^[^\s@]+@[^\s@]+$/.test(email.trim()) ? 'Enter your e-mail first (as in TimelinesAI).' : null;
  return (
    <li className="panel" aria-labelledby="assignments-heading">
      <h2 id="assignments-heading">Chat assignment alerts</h2>
      <form onSubmit={save}>
        <fieldset className="plain">
          <legend>Whose chat assignments should Hookwatch announce?</legend>
          <label className="choice">
            <input type="radio" name="setup-assignments" checked={choice === 'all'} onChange={() => setChoice('all')} /> Every assignment
          </label>
          <label className="choice">
            <input type="radio" name="setup-assignments" checked={choice === 'mine'} onChange={() => setChoice('mine')} /> Only chats
            assigned to me
          </label>
          {choice === 'mine' ? (
            <label className="field assignments-email">
              <span className="field-label">My e-mail</span>
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="setup-my-email" />
            </label>
          ) : null}
          <label className="choice">
            <input type="radio" name="setup-assignments" checked={choice === 'none'} onChange={() => setChoice('none')} /> None (they stay
            in the feed)
          </label>
        </fieldset>
        {emailNote ? (
          <p className="muted" data-testid="teammate-email-note">
            {emailNote}
          </p>
        ) : null}
        <p className="muted">
          {settings.assignmentsAnswered ? 'You can change this later in Settings.' : 'Until you choose, every assignment is announced.'}
        </p>
        <SaveButton busy={busy} busyLabel="Saving…" whyNot={whyNot} whyNotTestId="assignments-why-not" primary={false}>
          Save
        </SaveButton>
      </form>
      <SaveStatus note={note} testId="assignments-saved" />
    </li>
  );
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
  // Real events (not test events) that arrived while this screen is open.
  const [arrived, setArrived] = useState(0);
  useNotification('events', (b) => setArrived((n) => n + b.events.filter((e) => e.type !== TEST_EVENT_TYPE).length));

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
          <AssignmentsStep tokenConfigured={setup.tokenConfigured} />
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
            <FirstDelivery hasEvents={setup.hasEvents} />
            {setup.hasEvents || arrived > 0 ? (
              <p>
                <button type="button" className="button button-primary" onClick={onOpenFeed}>
                  Open the live feed
                </button>
              </p>
            ) : (
              <EmptyState title="Waiting for the first event…" tone="waiting">
                <p role="status">This page notices it the moment it arrives. A test event (above) does not count: it is yours.</p>
              </EmptyState>
            )}
          </li>
        </ol>
      ) : null}
    </section>
  );
}
