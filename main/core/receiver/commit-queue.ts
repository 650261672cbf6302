// Group commit: requests arriving together share one SQLite transaction; fsyncs run off the event loop.
import { StoreError } from '../store/errors.js';
import type { HookwatchStore } from '../store/store.js';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit. Every request must be durable before we answer 2xx, so every commit needs an fsync.
 * Requests whose bodies complete in the same event-loop turn are written in one transaction, and the
 * fsync runs off the event loop (CommitQueue.sync), covering every group committed while it waited. The fast path uses no savepoints (they cost about as much as the
 * insert itself); if any job throws, the whole batch is rolled back and each job is replayed in its
 * own transaction, so one bad job fails alone and the others still commit.
 */
export type JobOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `works` as one transaction; if any throws (or the commit fails), rolls back and runs each in its
 * own transaction, so each job's outcome is its own. Shared by the in-process queue and the writer thread.
 */
export function commitBatch<T>(
  store: HookwatchStore,
  works: ReadonlyArray<() => T>,
  options: { deferSync?: boolean } = {},
): JobOutcome<T>[] {
  // deferSync: the commits do not fsync; the caller makes them durable with store.syncWal() before it
  // tells anyone they are stored (CommitQueue).
  const commit = options.deferSync ? <R>(fn: () => R) => store.transactionWithoutSync(fn) : <R>(fn: () => R) => store.transaction(fn);
  try {
    const values = commit(() => works.map((w) => w()));
    return values.map((value) => ({ ok: true, value }));
  } catch (error) {
    // The database is locked (another process held the write lock past busy_timeout): every job alone
    // would wait the same timeout again, freezing the receiver for minutes. Fail them all now (503: the
    // providers retry).
    if (/^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code ?? ''))) return works.map(() => ({ ok: false, error }));
    return works.map((w) => {
      try {
        return { ok: true, value: commit(w) };
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

/** A group committed without its fsync, waiting for the sync that makes it durable. */
interface Committed {
  jobs: Job[];
  outcomes: JobOutcome<unknown>[];
}

export class CommitQueue {
  private pending: Job[] = [];
  /** A committed group's fsync is running (see commit). */
  private syncing = false;
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
    if (!this.scheduled && this.pending.length === 0 && !this.syncing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    // While a sync runs, the group keeps growing; it is committed once that sync ends (synced).
    if (this.syncing) return;
    if (this.pending.length > this.seen && this.waited < MAX_EXTRA_TURNS) {
      this.seen = this.pending.length;
      this.waited++;
      setImmediate(this.onTurn);
      return;
    }
    this.commit();
  }

  /**
   * Commits the waiting group without an fsync, then syncs it on libuv's thread pool (Db.syncWal); its jobs
   * are settled when that sync ends, so nobody hears "stored" before it is durable. Meanwhile this thread
   * goes on reading, parsing and normalizing the next requests, which form the next group: one commit and
   * one sync per disk round trip, as large as the traffic makes it, and the thread never blocks on the disk.
   * (Committing every turn and syncing behind would make smaller groups: every commit rewrites the same
   * last pages of each table and index into the log, so that costs more CPU per request, not less.)
   */
  private commit(): void {
    this.seen = 0;
    this.waited = 0;
    const jobs = this.pending;
    this.pending = [];
    this.scheduled = false;
    if (jobs.length > 0) {
      const deferSync = this.store.canDeferSync;
      const group = {
        jobs,
        outcomes: commitBatch(
          this.store,
          jobs.map((j) => j.work),
          { deferSync },
        ),
      };
      let synced: Promise<void> | null;
      try {
        synced = deferSync && group.outcomes.some((o) => o.ok) ? this.store.syncWal() : null;
      } catch (err) {
        synced = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      if (synced === null) settle(group, null);
      else {
        this.syncing = true;
        synced.then(
          () => this.synced(group, null),
          (err: unknown) => this.synced(group, err),
        );
      }
    }
    this.settleIdle();
  }

  private synced(group: Committed, error: unknown): void {
    this.syncing = false;
    settle(group, error);
    // What arrived during the sync is committed on a later turn, after the same gathering as any group.
    if (this.pending.length > 0) setImmediate(this.onTurn);
    else this.settleIdle();
  }

  private settleIdle(): void {
    if (this.scheduled || this.pending.length > 0 || this.syncing) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Answers every job of a group. A failed sync fails the jobs that had committed: their rows are in the
 * database but not known to be on the disk, so the sender hears an error and retries (the retry is then
 * counted as a redelivery of the stored row), rather than a 2xx that a power cut could undo.
 */
function settle({ jobs, outcomes }: Committed, syncError: unknown): void {
  const failure =
    syncError === null
      ? null
      : new StoreError(
          `the disk did not confirm the write (${syncError instanceof Error ? syncError.message : String(syncError)}); ` +
            'the sender will retry: check the disk holding the data folder',
          { cause: syncError },
        );
  outcomes.forEach((o, i) => {
    const job = jobs[i]!;
    if (!o.ok) job.reject(o.error);
    else if (failure) job.reject(failure);
    else job.resolve(o.value);
  });
}
