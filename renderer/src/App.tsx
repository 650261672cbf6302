import { useCallback, useEffect, useRef, useState } from 'react';
import type { SetupInfo } from './contract.js';
import { LiveFeed } from './feed/LiveFeed.js';
import type { FeedFilter } from './lib/filter.js';
import { formatHash, parseHash, type Route, type Screen } from './lib/route.js';
import { notifyAlert } from './notifications.js';
import { Accounts } from './screens/Accounts.js';
import { Alerts } from './screens/Alerts.js';
import { FirstRun } from './screens/FirstRun.js';
import { Health } from './screens/Health.js';
import { Settings } from './screens/Settings.js';
import { StatusStrip } from './components/StatusStrip.js';
import type { ConnectionState } from './transport/client.js';
import { useAsync, useClient, useNotification } from './hooks.js';

const SCREENS: Array<{ screen: Screen; label: string }> = [
  { screen: 'feed', label: 'Live feed' },
  { screen: 'accounts', label: 'Accounts' },
  { screen: 'health', label: 'Webhook health' },
  { screen: 'alerts', label: 'Alerts' },
  { screen: 'settings', label: 'Settings' },
  { screen: 'setup', label: 'Setup' },
];

function ConnectionBadge({ state }: { state: ConnectionState }) {
  const text = { connecting: 'connecting…', open: 'live', reconnecting: 'reconnecting…', refused: 'refused' }[state];
  // This is the page's own link to Hookwatch, not the state of what it watches (the status strip says that): kept quiet.
  return (
    <span
      className={`connection connection-${state}`}
      role="status"
      data-testid="connection"
      title="This page's connection to Hookwatch (updates arrive while live)"
    >
      <span className="visually-hidden">Page updates: </span>
      {text}
    </span>
  );
}

export function App() {
  const client = useClient();
  const explicitRoute = useRef(parseHash(window.location.hash));
  const [route, setRoute] = useState<Route>(explicitRoute.current ?? { screen: 'feed', eventId: null });
  const [filter, setFilter] = useState<FeedFilter>({});
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const setup = useAsync<SetupInfo>(() => client.api.getSetup(), [client]);

  const go = useCallback((r: Route, replace = false) => {
    setRoute(r);
    const hash = formatHash(r);
    if (window.location.hash === hash) return;
    // Moving through events with the keyboard must not fill the history with one entry per event.
    if (replace) window.history.replaceState(null, '', hash);
    else window.history.pushState(null, '', hash);
  }, []);

  useEffect(() => {
    const onPop = () => setRoute(parseHash(window.location.hash) ?? { screen: 'feed', eventId: null });
    window.addEventListener('popstate', onPop);
    window.addEventListener('hashchange', onPop);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('hashchange', onPop);
    };
  }, []);

  useEffect(() => client.onConnection(setConnection), [client]);

  // First run: nothing stored and no token, and the user did not ask for a screen: show the setup.
  useEffect(() => {
    const s = setup.data;
    if (s && !explicitRoute.current && !s.hasEvents && !s.tokenConfigured) go({ screen: 'setup', eventId: null }, true);
  }, [setup.data, go]);

  useEffect(() => {
    const label = SCREENS.find((s) => s.screen === route.screen)?.label ?? 'Hookwatch';
    document.title = `${label} · Hookwatch`;
  }, [route.screen]);

  useNotification('alert', (alert) => {
    if (client.transport !== 'browser') return;
    notifyAlert(alert, (a) => go(a.eventId !== null ? { screen: 'feed', eventId: a.eventId } : { screen: 'alerts', eventId: null }));
  });

  // The desktop shell's request to show a screen (its notification was clicked).
  useNotification('navigate', (r) => go({ screen: r.screen, eventId: r.screen === 'feed' ? (r.eventId ?? null) : null }));

  const onFilterChange = useCallback((f: FeedFilter) => setFilter(f), []);
  const onSelect = useCallback((id: number | null) => go({ screen: 'feed', eventId: id }, true), [go]);

  return (
    <div className="app">
      <header className="app-header">
        <button
          type="button"
          className="skip-link"
          onClick={() => {
            document.getElementById('main')?.focus();
          }}
        >
          Skip to content
        </button>
        <span className="brand">Hookwatch</span>
        <nav aria-label="Screens">
          <ul>
            {SCREENS.map((s) => (
              <li key={s.screen}>
                <a
                  href={formatHash({ screen: s.screen, eventId: null })}
                  aria-current={route.screen === s.screen ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    go({ screen: s.screen, eventId: null });
                  }}
                  data-testid={`nav-${s.screen}`}
                >
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectionBadge state={connection} />
      </header>
      <StatusStrip onGo={(r) => go(r)} />
      {connection === 'refused' ? (
        <p className="banner banner-bad" role="alert">
          Hookwatch refused this page: it was restarted and made a new token. Open the URL it printed (dashboard: …) again.
        </p>
      ) : null}
      {connection === 'reconnecting' ? (
        <p className="banner" role="status">
          Lost the connection to Hookwatch; trying again. Is `hookwatch serve` still running?
        </p>
      ) : null}
      <main id="main" tabIndex={-1}>
        {route.screen === 'feed' ? (
          <LiveFeed
            filter={filter}
            onFilterChange={onFilterChange}
            selectedId={route.eventId}
            onSelect={onSelect}
            webhookUrl={setup.data?.webhookUrl ?? null}
            onOpenSetup={() => go({ screen: 'setup', eventId: null })}
          />
        ) : null}
        {route.screen === 'accounts' ? (
          <Accounts
            focusKey={route.account ?? null}
            onShowEvents={(account) => {
              setFilter({ account });
              go({ screen: 'feed', eventId: null });
            }}
          />
        ) : null}
        {route.screen === 'health' ? <Health /> : null}
        {route.screen === 'alerts' ? (
          <Alerts
            onOpenEvent={(id) => go({ screen: 'feed', eventId: id })}
            onOpenAccount={(account) => go({ screen: 'accounts', eventId: null, account })}
          />
        ) : null}
        {route.screen === 'settings' ? <Settings filter={filter} /> : null}
        {route.screen === 'setup' ? (
          <FirstRun
            setup={setup.data}
            error={setup.error}
            onOpenFeed={() => go({ screen: 'feed', eventId: null })}
            onChanged={setup.reload}
          />
        ) : null}
      </main>
    </div>
  );
}
