import type { HookwatchStore } from '../store/store.js';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit. Every request must be durable before we answer 2xx, and with `synchronous=FULL`
 * each commit is an fsync. Requests whose bodies complete in the same event-loop turn are written
 * in one transaction (one fsync); each job runs in its own savepoint, so one bad job fails alone.
 */
export class CommitQueue {
  private pending: Job[] = [];
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly store: HookwatchStore) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
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
    const jobs = this.pending;
    this.pending = [];
    this.scheduled = false;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.store.transaction(() => {
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: this.store.transaction(job.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed (disk full, database gone): nothing of this batch is durable.
      for (const job of jobs) job.reject(error);
      this.settleIdle();
      return;
    }
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.scheduled || this.pending.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
