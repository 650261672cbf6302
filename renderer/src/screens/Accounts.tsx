// The Accounts screen: a card per WhatsApp account with its state and 7-day outage strip.
import { useEffect, useRef, useState } from 'react';
import type { AccountCard, AccountSeen, AccountsBoard } from '../contract.js';
import { accountHeading, accountTitle } from '../contract.js';
import { EmptyState, ErrorNote, ProviderBadge } from '../components/common.js';
import { AccountHistory } from './AccountHistory.js';
import { absoluteTime, duration, relativeTime, TIME } from '../lib/time.js';
import { useAsync, useClient, useNotification, useNow, useThrottled } from '../hooks.js';

const STATE_LABEL: Record<AccountCard['state'], string> = {
  connected: 'Connected',
  disconnected: 'Disconnected',
  suspended: 'Suspended',
  unknown: 'State unknown',
};

/** A 7-day strip: red and amber where the account was out, with the outages spelled out for screen readers. */
export function OutageTimeline({ outages, now }: { outages: AccountCard['outages7d']; now: number }) {
  const from = now - 7 * TIME.DAY;
  const span = now - from;
  const described =
    outages.length === 0
      ? 'No outage in the last 7 days'
      : `${outages.length} outage${outages.length > 1 ? 's' : ''} in the last 7 days: ` +
        outages
          .map((o) => `${o.state} ${absoluteTime(o.from)}${o.to === null ? ', still ongoing' : ` for ${duration(o.to - o.from)}`}`)
          .join('; ');
  return (
    <div className="timeline" role="img" aria-label={described} title={described}>
      {outages.map((o, i) => {
        const start = Math.max(from, o.from);
        const end = o.to ?? now;
        // At least a few pixels wide, and kept inside the strip: an outage that began a minute ago must show.
        const width = Math.max(2, ((end - start) / span) * 100);
        const left = Math.min(((start - from) / span) * 100, 100 - width);
        return <span key={i} className={`timeline-outage outage-${o.state}`} style={{ left: `${left}%`, width: `${width}%` }} />;
      })}
      {[1, 2, 3, 4, 5, 6].map((d) => (
        <span key={d} className="timeline-tick" style={{ left: `${(d / 7) * 100}%` }} />
      ))}
    </div>
  );
}

/** A card names itself with the provider of its activity (a WhatsAble account known only by its id says so). */
function cardNaming(card: AccountCard) {
  return { ...card, provider: card.activity?.provider ?? null };
}

/** The card a link asked for ("Show the number", the status strip): marked, and focusable so it can be focused. */
function targetProps(key: string, focusKey: string | null) {
  return key === focusKey ? { tabIndex: -1, 'data-target': 'true' } : {};
}

function Card({
  card,
  now,
  onShowEvents,
  focusKey,
}: {
  card: AccountCard;
  now: number;
  onShowEvents: (key: string) => void;
  focusKey: string | null;
}) {
  return (
    <article
      {...targetProps(card.key, focusKey)}
      data-key={card.key}
      className={`account-card state-${card.state}${card.key === focusKey ? ' is-target' : ''}`}
      aria-label={`${accountTitle(cardNaming(card))}: ${card.activity ? (card.activity.silentSince !== null ? 'silent' : 'no status events') : STATE_LABEL[card.state]}`}
      data-testid="account-card"
      data-state={card.state}
    >
      <header>
        <h3>{accountHeading(cardNaming(card)).title}</h3>
        <span className={`state-label state-${card.state}`}>
          {card.activity ? (card.activity.silentSince !== null ? 'Silent' : 'No status events') : STATE_LABEL[card.state]}
        </span>
      </header>
      {accountHeading(cardNaming(card)).sub ? <p className="mono">{accountHeading(cardNaming(card)).sub}</p> : null}
      <p>
        {card.activity ? (
          // No status events (WhatsAble): the only signal is its activity, and a silence warning when it stops.
          card.activity.silentSince !== null ? (
            <strong className="badge-warn" data-testid="account-silent">
              silent for {duration(now - card.activity.silentSince)}
            </strong>
          ) : (
            <span>no status events: its activity is the only signal</span>
          )
        ) : card.since !== null ? (
          <>
            since <time title={absoluteTime(card.since)}>{relativeTime(card.since, now)}</time>
          </>
        ) : (
          <span className="muted">since: not known</span>
        )}
      </p>
      <p className="muted">
        {card.lastEvent ? (
          <>
            last event {card.lastEvent.type}, <time title={absoluteTime(card.lastEvent.at)}>{relativeTime(card.lastEvent.at, now)}</time>
          </>
        ) : (
          'no event yet'
        )}
      </p>
      <OutageTimeline outages={card.outages7d} now={now} />
      <AccountHistory accountKey={card.key} />
      <button type="button" className="link-button" onClick={() => onShowEvents(card.key)}>
        Show its events
      </button>
    </article>
  );
}

function SeenCard({
  a,
  now,
  onShowEvents,
  focusKey,
}: {
  a: AccountSeen;
  now: number;
  onShowEvents: (key: string) => void;
  focusKey: string | null;
}) {
  return (
    <article
      {...targetProps(a.key, focusKey)}
      data-key={a.key}
      className={`account-card state-unknown${a.key === focusKey ? ' is-target' : ''}`}
      data-testid="account-seen"
    >
      <header>
        <h3>{accountHeading(a).title}</h3>
        <ProviderBadge provider={a.provider} />
      </header>
      {accountHeading(a).sub ? <p className="mono">{accountHeading(a).sub}</p> : null}
      <p className="muted">
        last event {a.lastEventType}, <time title={absoluteTime(a.lastEventAt)}>{relativeTime(a.lastEventAt, now)}</time>
      </p>
      <button type="button" className="link-button" onClick={() => onShowEvents(a.key)}>
        Show its events
      </button>
    </article>
  );
}

/**
 * One card per WhatsApp account, coloured by its state, with a 7-day outage strip. With `focusKey` (a link
 * from an incident or the status strip), that number's card is brought into view and focused once, when it
 * first appears; live updates after that leave the page where the user put it.
 */
export function Accounts({ onShowEvents, focusKey = null }: { onShowEvents: (accountKey: string) => void; focusKey?: string | null }) {
  const client = useClient();
  const section = useRef<HTMLElement>(null);
  const shown = useRef<string | null>(null);
  const now = useNow(30_000);
  const board = useAsync<AccountsBoard>(() => client.api.listAccounts(), [client]);
  const [live, setLive] = useState<Map<string, AccountCard>>(new Map());
  const refresh = useThrottled(board.reload, 3000);
  useNotification('account', (card) => setLive((m) => new Map(m).set(card.key, card)));
  useNotification('events', (batch) => {
    if (batch.events.some((e) => e.group === 'account' || e.accountPhone || e.accountId)) refresh();
  });

  const data = board.data;
  const cards = data?.tracking.available ? data.tracking.accounts.map((c) => live.get(c.key) ?? c) : [];
  for (const c of live.values()) if (!cards.some((x) => x.key === c.key)) cards.push(c);
  const order: Record<AccountCard['state'], number> = { disconnected: 0, suspended: 1, unknown: 2, connected: 3 };
  cards.sort((a, b) => order[a.state] - order[b.state] || (a.name ?? a.key).localeCompare(b.name ?? b.key));
  const missing = focusKey !== null && !!data && !cards.some((c) => c.key === focusKey) && !data.seen.some((a) => a.key === focusKey);

  useEffect(() => {
    if (focusKey === null || shown.current === focusKey || !section.current) return;
    const target = [...section.current.querySelectorAll<HTMLElement>('[data-target]')].find((el) => el.dataset['key'] === focusKey);
    if (!target) return;
    shown.current = focusKey;
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  });

  return (
    <section className="screen" aria-labelledby="accounts-heading" ref={section}>
      <h1 id="accounts-heading">Accounts</h1>
      {board.error ? <ErrorNote message={board.error} /> : null}
      {missing ? (
        <p className="muted" role="status" data-testid="account-missing">
          The number asked for (<span dir="auto">{focusKey}</span>) has no card here any more.
        </p>
      ) : null}
      {data && !data.tracking.available ? (
        <EmptyState title="Account status is not available">
          <p data-testid="accounts-not-available">{data.tracking.reason}</p>
        </EmptyState>
      ) : null}
      {data?.tracking.available && cards.length === 0 ? (
        <EmptyState title="No WhatsApp account yet">
          <p>Accounts appear once their first account event arrives, or once a TimelinesAI token is set.</p>
        </EmptyState>
      ) : null}
      {cards.length > 0 ? (
        <div className="cards" data-testid="account-cards">
          {cards.map((c) => (
            <Card key={c.key} card={c} now={now} onShowEvents={onShowEvents} focusKey={focusKey} />
          ))}
        </div>
      ) : null}
      {data && !data.tracking.available ? (
        <>
          <h2>Accounts seen in events</h2>
          {data.seen.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <div className="cards">
              {data.seen.map((a) => (
                <SeenCard key={a.key} a={a} now={now} onShowEvents={onShowEvents} focusKey={focusKey} />
              ))}
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
