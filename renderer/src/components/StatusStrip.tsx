// The strip under the header on every screen: is everything being watched working, and if not, where to look.
import { useEffect, useState } from 'react';
import type { OverallStatus } from '../contract.js';
import { formatHash, type Route } from '../lib/route.js';
import { stripOf, type StripPart } from '../lib/status.js';
import { duration, shortTime } from '../lib/time.js';
import { useAsync, useClient, useNotification, useNow } from '../hooks.js';

const ICON = { ok: '✓', warning: '!', bad: '✕', unknown: '?' } as const;

/** Where a part's link goes: its screen, and on Accounts the number's own card. */
function routeOf(p: StripPart): Route {
  return { screen: p.screen, eventId: null, ...(p.account ? { account: p.account } : {}) };
}

/**
 * The one overall status (the core's getStatus, kept current by its `status` notification), the same the
 * tray and `hookwatch status` show. The page's own connection to Hookwatch is not part of it: the header
 * shows that apart.
 */
export function StatusStrip({ onGo }: { onGo: (route: Route) => void }) {
  const client = useClient();
  const now = useNow(30_000);
  const loaded = useAsync<OverallStatus>(() => client.api.getStatus(), [client]);
  const [live, setLive] = useState<OverallStatus | null>(null);
  useNotification('status', setLive);
  // A (re)connection may have missed changes: ask again, and let the answer win over an older push.
  useNotification('stream', () => loaded.reload());
  useEffect(() => setLive(null), [loaded.data]);
  const status = live ?? loaded.data ?? null;
  const strip = stripOf(status, (at) => `${shortTime(at, now)} (${duration(now - at)})`);
  if (strip.parts.length === 0) return null;
  return (
    <section
      className={`status-strip status-${strip.tone}`}
      aria-label="Overall status"
      data-testid="status-strip"
      data-level={status?.level}
    >
      <ul>
        {strip.parts.map((p) => (
          <li key={p.key} className={`status-part status-${p.tone}`} data-testid={`status-${p.key}`}>
            <a
              href={formatHash(routeOf(p))}
              onClick={(e) => {
                e.preventDefault();
                onGo(routeOf(p));
              }}
            >
              <span className="status-icon" aria-hidden="true">
                {ICON[p.tone]}
              </span>{' '}
              <span dir="auto">{p.text}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
