// The strip under the header on every screen: is everything being watched working, and if not, where to look.
import { useMemo } from 'react';
import type { AccountsBoard, HealthReport, ScreenName } from '../contract.js';
import { statusFromViews } from '../lib/status.js';
import { duration, shortTime } from '../lib/time.js';
import { useAsync, useClient, useNotification, useNow, useThrottled } from '../hooks.js';

const ICON = { ok: '✓', warning: '!', bad: '✕', unknown: '?' } as const;

export function StatusStrip({ onGo }: { onGo: (screen: ScreenName) => void }) {
  const client = useClient();
  const now = useNow(30_000);
  const board = useAsync<AccountsBoard>(() => client.api.listAccounts(), [client]);
  const health = useAsync<HealthReport>(() => client.api.getHealth(), [client]);
  const reloadBoard = useThrottled(board.reload, 2000);
  const reloadHealth = useThrottled(health.reload, 5000);
  useNotification('account', reloadBoard);
  useNotification('tunnel', reloadHealth);
  // A failing provider webhook shows in the health report only; refresh it as time passes.
  const minute = Math.floor(now / 60_000);
  const status = useMemo(
    () =>
      statusFromViews({
        board: board.data ?? null,
        health: health.data ?? null,
        since: (at) => `${shortTime(at)} (${duration(Date.now() - at)})`,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [board.data, health.data, minute],
  );
  if (status.parts.length === 0) return null;
  return (
    <section
      className={`status-strip status-${status.level}`}
      aria-label="Overall status"
      data-testid="status-strip"
      data-level={status.level}
    >
      <ul>
        {status.parts.map((p) => (
          <li key={p.key} className={`status-part status-${p.level}`} data-testid={`status-${p.key}`}>
            <a
              href={`#/${p.screen}`}
              onClick={(e) => {
                e.preventDefault();
                onGo(p.screen);
              }}
            >
              <span className="status-icon" aria-hidden="true">
                {ICON[p.level]}
              </span>{' '}
              {p.text}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
