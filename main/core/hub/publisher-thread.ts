// Runs the hub publisher on its own thread, so the receiver's thread pays only for the outbox row of each event.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HookwatchStore } from '../store/store.js';
import type { HubConnectionConfig } from './connection.js';
import { DELETE_EVERY_MS, DELETE_EVERY_ROWS, HubPublisher, storeOutbox, type PublisherState, type PublisherStatus } from './publisher.js';
import type { HubLink } from './connection.js';
import type { StreamOptions } from './stream.js';

/** What the hub's runtime needs of a publisher, on this thread (HubPublisher) or its own (PublisherThread). */
export interface Publisher {
  start(): void;
  /** Rows were committed: publish them now rather than at the next poll. */
  notify(): void;
  status(): PublisherStatus;
  stop(): Promise<void>;
}

/**
 * Slots of the shared Int32Array, both set by the receiver's thread: the wake flag (after a commit), and
 * a count of the deletes that left the outbox empty (its rows are then numbered from 1 again).
 */
export const CONTROL = { wake: 0, emptied: 1 } as const;
/** Slots of the shared Float64Array the publisher's thread keeps current (read by status()). */
export const COUNTER = { published: 0, duplicates: 1, lastPublishedAt: 2, sentThrough: 3 } as const;

export interface PublisherWorkerData {
  file: string;
  link: HubConnectionConfig;
  workspace: string;
  stream?: StreamOptions;
  window?: number;
  publishTimeoutMs?: number;
  control: SharedArrayBuffer;
  counters: SharedArrayBuffer;
}

/**
 * The thread's state changes (counters travel through the shared array instead), and `idle`: it read
 * and found nothing after sending through `sentThrough`, so the receiver's thread deletes those rows now.
 */
export type PublisherWorkerMessage =
  { type: 'status'; state: PublisherState; lastError: string | null } | { type: 'idle'; sentThrough: number };

/** The compiled worker script next to this module, or (running from TypeScript sources in tests) in dist/. */
export function publisherWorkerScript(): URL | null {
  // A variable, not a literal (see writerWorkerScript): Vite would rewrite a literal as an asset URL.
  const name = './publisher-worker.js';
  const sibling = new URL(name, import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const compiled = new URL('../../../dist/main/core/hub/publisher-worker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : null;
}

export interface PublisherThreadOptions {
  store: HookwatchStore;
  /** The hub's connection settings: the thread opens its own connection with them. */
  link: HubConnectionConfig;
  workspace: string;
  stream?: StreamOptions;
  window?: number;
  publishTimeoutMs?: number;
  onChange?: (status: PublisherStatus) => void;
  log?: (line: string) => void;
}

/** Longest pause before a publisher thread that died is started again. */
const MAX_RESTART_MS = 30_000;
/** How long stop() lets the thread finish its batch in flight before ending it. */
const STOP_GRACE_MS = 15_000;

/**
 * The publisher (HubPublisher, unchanged) on a worker thread with its own SQLite connection and its own
 * NATS connection. On the receiver's thread, publishing then costs what the outbox row costs inside the
 * receiver's transaction, an atomic exchange per commit (the wake flag) and, every DELETE_EVERY_ROWS
 * rows or DELETE_EVERY_MS, one small transaction deleting the rows sent; reading the outbox, encoding
 * each message, the JetStream publishes and their acks happen on the other thread (the other core of a
 * two-core machine). Measured with `npm run bench -- hub` (docs/benchmarks.md).
 *
 * Why the receiver's thread deletes: it writes all the time, so the thread's own delete transactions met
 * its write lock almost every time and SQLite's busy handler put the publishing thread to sleep (1, 2, 5…
 * up to 100 ms a try), 1.4 to 4.6 s in rounds of 3,000 events in `bench/hub.ts`, while the sent rows
 * piled up. The writer that holds the lock anyway deletes between its own transactions and never waits.
 *
 * The guarantees stay those of the outbox: the row commits with its event on the receiver's connection,
 * the thread reads committed rows in id order (WAL: a reader beside the writer), publishes them with
 * their message ids, and only what JetStream acknowledged (the thread's position, shared) is deleted. If
 * the thread dies, what it had in flight is published again by the next thread (started with backoff)
 * and JetStream drops the repeats.
 */
export class PublisherThread implements Publisher {
  private worker: Worker | null = null;
  private readonly control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private readonly counters = new Float64Array(new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT));
  private state: PublisherState = 'connecting';
  private lastError: string | null = null;
  private stopped = false;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelay = 1000;
  /** The rows up to this id are deleted (0 after a delete that emptied the outbox). */
  private deletedThrough = 0;
  private deletedAt = Date.now();

  private constructor(
    private readonly options: PublisherThreadOptions,
    private readonly script: URL,
  ) {
    this.counters[COUNTER.lastPublishedAt] = -1;
  }

  /**
   * The publisher thread when its script is built and the database is a file; otherwise the publisher
   * on this thread (`link` is then used for its connection), which keeps every guarantee and costs the
   * receiver's thread more.
   */
  static create(options: PublisherThreadOptions & { sharedLink: HubLink }): Publisher {
    const script = publisherWorkerScript();
    if (script && options.store.file !== ':memory:' && options.store.file !== '') return new PublisherThread(options, script);
    return new HubPublisher({
      link: options.sharedLink,
      outbox: storeOutbox(options.store, options.workspace),
      ...(options.stream ? { stream: options.stream } : {}),
      ...(options.window ? { window: options.window } : {}),
      ...(options.publishTimeoutMs ? { publishTimeoutMs: options.publishTimeoutMs } : {}),
      ...(options.onChange ? { onChange: options.onChange } : {}),
    });
  }

  start(): void {
    if (this.worker || this.stopped) return;
    const o = this.options;
    const data: PublisherWorkerData = {
      file: o.store.file,
      link: o.link,
      workspace: o.workspace,
      ...(o.stream ? { stream: o.stream } : {}),
      ...(o.window ? { window: o.window } : {}),
      ...(o.publishTimeoutMs ? { publishTimeoutMs: o.publishTimeoutMs } : {}),
      control: this.control.buffer as SharedArrayBuffer,
      counters: this.counters.buffer as SharedArrayBuffer,
    };
    // A new thread reads from the first row left: what the last one sent is deleted first, so that only
    // its unacknowledged tail is sent again.
    this.deleteSent(true);
    this.counters[COUNTER.sentThrough] = 0;
    const worker = new Worker(this.script, { workerData: data });
    this.worker = worker;
    // Whatever was committed before the thread started is read at its first turn anyway.
    Atomics.store(this.control, CONTROL.wake, 0);
    worker.on('message', (m: PublisherWorkerMessage) => {
      if (m.type === 'status') {
        this.restartDelay = m.state === 'up' ? 1000 : this.restartDelay;
        this.set(m.state, m.lastError);
      } else if (m.type === 'idle') {
        this.deleteSent(true);
      }
    });
    let failure: string | null = null;
    worker.on('error', (err) => (failure = err.message));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.worker = null;
        resolve();
        if (this.stopped) return;
        // Not asked to stop: report it and start a new thread; the outbox still holds everything unsent.
        const why = failure ?? `exit code ${code}`;
        this.options.log?.(`hub: the publishing thread stopped (${why}); starting it again`);
        this.set('down', `the publishing thread stopped (${why}); starting it again`);
        this.restartTimer = setTimeout(() => {
          this.restartTimer = null;
          this.start();
        }, this.restartDelay);
        this.restartTimer.unref();
        this.restartDelay = Math.min(this.restartDelay * 2, MAX_RESTART_MS);
      });
    });
  }

  notify(): void {
    // One atomic exchange per commit; a notify only when the thread has read since the last one.
    if (Atomics.exchange(this.control, CONTROL.wake, 1) === 0) Atomics.notify(this.control, CONTROL.wake);
    this.deleteSent(false);
  }

  /**
   * Deletes the rows the thread has sent (its shared position), between the receiver's transactions: at
   * once when `now` (the thread is idle, or stopped), else once DELETE_EVERY_ROWS have gathered or
   * DELETE_EVERY_MS have passed. Without an fsync: a delete lost to a power cut means a re-publish that
   * JetStream drops by message id. A delete that empties the outbox bumps CONTROL.emptied before the next
   * row (numbered 1 again) can commit on this thread, and the thread then reads from the start.
   * Never throws: the rows stay, and the next commit tries again.
   */
  private deleteSent(now: boolean): void {
    const through = this.counters[COUNTER.sentThrough]!;
    if (through <= this.deletedThrough) return;
    if (!now && through - this.deletedThrough < DELETE_EVERY_ROWS && Date.now() - this.deletedAt < DELETE_EVERY_MS) return;
    let emptied: boolean | null = null;
    try {
      emptied = this.options.store.hub.deleteSentThrough(through);
    } catch {
      /* a busy or failing disk, or the database closing: the rows wait for the next try */
    }
    this.deletedAt = Date.now();
    if (emptied === null) return;
    if (emptied) {
      this.deletedThrough = 0;
      this.counters[COUNTER.sentThrough] = 0;
      Atomics.add(this.control, CONTROL.emptied, 1);
    } else {
      this.deletedThrough = through;
    }
  }

  status(): PublisherStatus {
    let backlog = { count: -1, oldestAt: null as number | null };
    try {
      // Rows up to the thread's position are sent and only wait to be deleted (see storeOutbox).
      backlog = this.options.store.hub.backlog(this.counters[COUNTER.sentThrough]!);
    } catch {
      /* database closing: report -1 */
    }
    const last = this.counters[COUNTER.lastPublishedAt]!;
    return {
      state: this.state,
      backlog: backlog.count,
      oldestPendingAt: backlog.oldestAt,
      published: this.counters[COUNTER.published]!,
      duplicates: this.counters[COUNTER.duplicates]!,
      lastPublishedAt: last < 0 ? null : last,
      lastError: this.lastError,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker) {
      worker.postMessage({ type: 'stop' });
      const kill = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(kill);
      this.deleteSent(true);
    }
    this.set('stopped', this.lastError);
  }

  private set(state: PublisherState, lastError: string | null): void {
    if (state === this.state && lastError === this.lastError) return;
    this.state = state;
    this.lastError = lastError;
    this.options.onChange?.(this.status());
  }
}
