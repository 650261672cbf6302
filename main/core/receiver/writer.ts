// Where deliveries are written: inline on the main thread, or on a worker thread with its own connection.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NormalizedEvent } from '../events.js';
import type { CommittedDelivery, DeliveryRecord, Durability, HookwatchStore } from '../store/store.js';
import { WalCheckpointer } from '../store/checkpointer.js';
import { CommitQueue } from './commit-queue.js';

/**
 * Where the receiver's writes go. Each promise resolves only once the write is committed (durable);
 * the receiver answers 2xx after that and not before.
 */
export interface DeliveryWriter {
  /** Resolves with what the store committed (see HookwatchStore.ingest). */
  ingest(delivery: DeliveryRecord, events: NormalizedEvent[]): Promise<CommittedDelivery>;
  /** A delivery-log row for a request that produced no event (`events` is empty). */
  log(delivery: DeliveryRecord): Promise<CommittedDelivery>;
  /** Resolves once everything handed over so far is written (or failed). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** One delivery to write; a request that produced no event has `events: []`. */
export interface WriteJob {
  delivery: DeliveryRecord;
  events: NormalizedEvent[];
}

export function runWriteJob(store: HookwatchStore, job: WriteJob): CommittedDelivery {
  return store.ingest(job.delivery, job.events);
}

export interface InlineWriterOptions {
  /** WAL checkpoints on their own thread instead of inside this thread's commits (see WalCheckpointer). */
  checkpointThread?: boolean;
  log?: (line: string) => void;
}

/** Writes on the calling thread, with group commit (the default; see HOOKWATCH_WRITER in core.ts). */
export class InlineWriter implements DeliveryWriter {
  private readonly queue: CommitQueue;
  private readonly checkpointer: WalCheckpointer | null;
  constructor(
    private readonly store: HookwatchStore,
    options: InlineWriterOptions = {},
  ) {
    this.queue = new CommitQueue(store);
    this.checkpointer = options.checkpointThread ? WalCheckpointer.start(store, { log: options.log }) : null;
  }
  ingest(delivery: DeliveryRecord, events: NormalizedEvent[]): Promise<CommittedDelivery> {
    return this.queue.run(() => this.store.ingest(delivery, events));
  }
  log(delivery: DeliveryRecord): Promise<CommittedDelivery> {
    return this.queue.run(() => this.store.ingest(delivery, []));
  }
  drain(): Promise<void> {
    return this.queue.drain();
  }
  async close(): Promise<void> {
    await this.queue.drain();
    await this.checkpointer?.stop();
  }
}

interface Waiter {
  resolve: (value: CommittedDelivery) => void;
  reject: (err: unknown) => void;
}

export type WorkerReply =
  | { id: number; results: Array<{ ok: true; value: CommittedDelivery } | { ok: false; message: string; code?: string }> }
  | { id: number; fatal: string };

/** The compiled worker script next to this module, or (running from TypeScript sources in tests) in dist/. */
export function writerWorkerScript(): URL | null {
  // A variable, not a literal: Vite/vitest rewrite `new URL('<literal>', import.meta.url)` as an asset
  // URL (in jsdom tests against http://localhost), which is not a file.
  const name = './writer-worker.js';
  const sibling = new URL(name, import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const compiled = new URL('../../../dist/main/core/receiver/writer-worker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : null;
}

/**
 * Writes on a worker thread with its own SQLite connection. Parsing HTTP and normalizing stay on the
 * main thread, inserting and fsyncing move to the other core: on a two-core machine that is the
 * difference between the receiver's throughput being the sum of both costs or the larger of them, and
 * a slow disk never stalls the event loop (the dashboard and the API keep answering). Jobs handed over
 * in one event-loop turn travel as one message and commit as one transaction (group commit).
 *
 * If the thread dies, the writes in flight fail (the receiver answers 503, so the provider retries)
 * and the next write starts a new thread.
 */
export class WorkerWriter implements DeliveryWriter {
  private worker: Worker | null = null;
  private pending: Array<{ job: WriteJob; waiter: Waiter }> = [];
  private scheduled = false;
  private nextId = 1;
  private readonly inFlight = new Map<number, Waiter[]>();
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly durability: Durability,
    private readonly script: URL,
    private readonly log_: (line: string) => void = () => {},
  ) {}

  ingest(delivery: DeliveryRecord, events: NormalizedEvent[]): Promise<CommittedDelivery> {
    return this.enqueue({ delivery, events });
  }

  log(delivery: DeliveryRecord): Promise<CommittedDelivery> {
    return this.enqueue({ delivery, events: [] });
  }

  private enqueue(job: WriteJob): Promise<CommittedDelivery> {
    if (this.closed) return Promise.reject(new Error('the writer is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ job, waiter: { resolve, reject } });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: { file: this.file, durability: this.durability } });
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    const fail = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const err = new Error(`the database writer stopped: ${why}`);
      if (!this.closed) this.log_(`${err.message}; writes in flight were answered 503 and a new writer starts with the next request`);
      for (const waiters of this.inFlight.values()) for (const w of waiters) w.reject(err);
      this.inFlight.clear();
      this.settleIdle();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private send(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.settleIdle();
    const id = this.nextId++;
    this.inFlight.set(
      id,
      batch.map((b) => b.waiter),
    );
    try {
      this.ensureWorker().postMessage({ id, jobs: batch.map((b) => b.job) });
    } catch (err) {
      this.inFlight.delete(id);
      for (const b of batch) b.waiter.reject(err);
      this.settleIdle();
    }
  }

  private onReply(reply: WorkerReply): void {
    const waiters = this.inFlight.get(reply.id);
    if (!waiters) return;
    this.inFlight.delete(reply.id);
    if ('fatal' in reply) {
      for (const w of waiters) w.reject(new Error(reply.fatal));
    } else {
      reply.results.forEach((r, i) => {
        const w = waiters[i]!;
        if (r.ok) w.resolve(r.value);
        else w.reject(Object.assign(new Error(r.message), r.code ? { code: r.code } : {}));
      });
    }
    this.settleIdle();
  }

  drain(): Promise<void> {
    if (!this.scheduled && this.pending.length === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settleIdle(): void {
    if (this.scheduled || this.pending.length > 0 || this.inFlight.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ close: true });
      await exited;
    }
  }
}
