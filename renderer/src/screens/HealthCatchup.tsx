// Webhook health's catch-up section: the run in progress and each gap in receiving with what was recovered, or why not.
import { useEffect } from 'react';
import type { CatchupGapView, CatchupHealth } from '../contract.js';
import { withCode } from '../components/common.js';
import { count } from '../lib/format.js';
import { duration, relativeTime, shortTime, TIME } from '../lib/time.js';

const REASONS: Readonly<Record<string, string>> = {
  offline: 'Hookwatch was off',
  stopped: 'Hookwatch was quit',
  asleep: 'the computer was asleep',
  tunnel: 'the tunnel was down',
  'webhook-errors': 'TimelinesAI reported failed deliveries',
  manual: 'asked for by hand',
};

const STATUS: Readonly<Record<string, { text: string; tone: 'ok' | 'warn' | 'bad' | 'muted' }>> = {
  done: { text: 'caught up', tone: 'ok' },
  running: { text: 'running', tone: 'muted' },
  'nothing-to-do': { text: 'older than the catch-up limit', tone: 'warn' },
  interrupted: { text: 'interrupted: resumes at the next start', tone: 'warn' },
  failed: { text: 'could not finish', tone: 'bad' },
  'no-token': { text: 'not recovered: no TimelinesAI token', tone: 'bad' },
};

function span(start: number, end: number): string {
  // The start with its date (a reference a day off makes shortTime show it), the end's date only when it differs:
  // "30 Nov, 11:27 – 19:27 (8 h 0 min)".
  return `${shortTime(start, start + TIME.DAY)} – ${shortTime(end, start)} (${duration(end - start)})`;
}

function GapRow({ g, now }: { g: CatchupGapView; now: number }) {
  const s = STATUS[g.status] ?? { text: g.status, tone: 'muted' as const };
  const found =
    g.status === 'done' || g.status === 'interrupted' || g.status === 'failed' || g.status === 'running'
      ? g.recovered > 0
        ? `${count(g.recovered)} message${g.recovered === 1 ? '' : 's'} recovered from ${count(g.chats)} chat${g.chats === 1 ? '' : 's'}`
        : 'nothing missed'
      : null;
  return (
    <tr data-testid="catchup-gap" data-status={g.status}>
      <td>
        {span(g.start, g.end)}
        {g.finishedAt ? <div className="muted">checked {relativeTime(g.finishedAt, now)}</div> : null}
      </td>
      <td>{g.reasons.map((r) => REASONS[r] ?? r).join('; ')}</td>
      <td>
        <span className={s.tone === 'warn' ? 'badge-warn' : s.tone}>{s.text}</span>
        {found ? <div>{found}</div> : null}
        {/* The error is the core's own wording (what to do); shown as text, never as HTML. */}
        {g.error && g.status !== 'done' ? <div className="muted reason">{withCode(g.error)}</div> : null}
      </td>
    </tr>
  );
}

/** Mounted by Health; reloads the report every 2 s while a run is in progress, so its progress moves. */
export function HealthCatchup({ catchup, now, reload }: { catchup: CatchupHealth; now: number; reload: () => void }) {
  const r = catchup.running;
  const running = r !== null;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reload, 2000);
    return () => clearInterval(t);
  }, [running, reload]);
  return (
    <section aria-labelledby="catchup-heading" data-testid="catchup-section">
      <h2 id="catchup-heading">Catch-up after downtime</h2>
      <p className="muted">
        When Hookwatch was not receiving, it reads the messages of that time back from the TimelinesAI API and adds the missing ones to the
        feed, marked “recovered”. It looks at most {catchup.limits.daysBack} days back and at the {count(catchup.limits.maxChats)} most
        recently active chats (<code>hookwatch serve --catchup-days N --catchup-chats N</code>).
      </p>
      {r ? (
        <div className="catchup-running" role="status" data-testid="catchup-running">
          <p>
            Catching up {span(r.gapStart, r.gapEnd)}:{' '}
            {r.phase === 'chats' || r.phase === 'recheck'
              ? `finding the chats active since then (${count(r.chatsFound)} so far)`
              : `${count(r.chatsDone)} of ${count(r.chatsFound)} chats read`}
            , {count(r.recovered)} messages recovered
            {catchup.queued > 0 ? `; ${catchup.queued} more gap${catchup.queued === 1 ? '' : 's'} waiting` : ''}.
          </p>
          <progress
            max={Math.max(1, r.chatsFound)}
            value={r.phase === 'messages' || r.phase === 'done' ? r.chatsDone : 0}
            aria-label="chats read"
          />
        </div>
      ) : null}
      {catchup.gaps.length === 0 ? (
        <p className="muted" data-testid="catchup-none">
          No gap in receiving yet: Hookwatch has been receiving whenever it was running.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="health" data-testid="catchup-gaps">
            <thead>
              <tr>
                <th scope="col">Not receiving</th>
                <th scope="col">Why</th>
                <th scope="col">Catch-up</th>
              </tr>
            </thead>
            <tbody>
              {catchup.gaps.map((g) => (
                <GapRow key={g.key} g={g} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
