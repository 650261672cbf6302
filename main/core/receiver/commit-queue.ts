// Group commit: requests arriving together share one SQLite transaction and one fsync.
import type { HookwatchStore } from '../store/store.js';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit. Every request must be durable before we answer 2xx, and with `synchronous=FULL`
 * each commit is an fsync. Requests whose bodies complete in the same event-loop turn are written
 * in one transaction (one fsync). The fast path uses no savepoints (they cost about as much as the
 * insert itself); if any job throws, the whole batch is rolled back and each job is replayed in its
 * own transaction, so one bad job fails alone and the others still commit.
 */
export type JobOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `works` as one transaction; if any throws (or the commit fails), rolls back and runs each in its
 * own transaction, so each job's outcome is its own. Shared by the in-process queue and the writer thread.
 */
export function commitBatch<T>(store: HookwatchStore, works: ReadonlyArray<() => T>): JobOutcome<T>[] {
  try {
    const values = store.transaction(() => works.map((w) => w()));
    return values.map((value) => ({ ok: true, value }));
  } catch (error) {
    // The database is locked (another process held the write lock past busy_timeout): every job alone
    // would wait the same timeout again, freezing the receiver for minutes. Fail them all now (503: the
    // providers retry).
    if (/^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code ?? ''))) return works.map(() => ({ ok: false, error }));
    return works.map((w) => {
      try {
        return { ok: true, value: store.transaction(w) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }
}

/**
 * A group waits one more event-loop turn while requests are still arriving (the queue grew during the
 * last turn), at most this many turns: under load that gathers a few dozen requests per fsync instead of
 * the handful that complete in one turn; a lone request waits only one extra (idle, instant) turn.
 */
const MAX_EXTRA_TURNS = 4;

export class CommitQueue {
  private pending: Job[] = [];
  private scheduled = false;
  /** Queue length at the last look, and how many turns the current group has waited. */
  private seen = 0;
  private waited = 0;
  private readonly onTurn = () => this.flush();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly store: HookwatchStore) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.onTurn);
      }
    });
  }

  get size(): number {
    return this.pending.length;
  }

  /** Resolves once everything queued so far has been written (or failed). */
  drain(): Promise<void> {
    if (!this.scheduled && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    if (this.pending.length > this.seen && this.waited < MAX_EXTRA_TURNS) {
      this.seen = this.pending.length;
      this.waited++;
      setImmediate(this.onTurn);
      return;
    }
    this.seen = 0;
    this.waited = 0;
    const jobs = this.pending;
    this.pending = [];
    this.scheduled = false;
    commitBatch(
      this.store,
      jobs.map((j) => j.work),
    ).forEach((o, i) => (o.ok ? jobs[i]!.resolve(o.value) : jobs[i]!.reject(o.error)));
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.scheduled || this.pending.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
