// Drains the outbox to the HOOKWATCH stream in order, with message ids, backing off while NATS is away; never throws into the receiver.
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { HookwatchStore } from '../store/store.js';
import type { HubLink } from './connection.js';
import { safeErrorText } from './connection.js';
import { encodeOutboxRow, type OutboxMessage } from './encoding.js';
import { ensureStream, type StreamOptions } from './stream.js';

/** What the publisher needs from the store (main/core/store/outbox.ts implements it over SQLite). */
export interface Outbox {
  /** The oldest messages not yet sent, in order; rows with nothing left to send are skipped by the outbox itself. */
  pending(limit: number, maxPayload: number): OutboxMessage[];
  /** Every message up to and including `lastId` is in the stream (they are sent in id order). */
  markSentThrough(lastId: number): void;
  /** Forgets at once what markSentThrough left for later (the publisher calls it when it stops). */
  flush(): void;
  backlog(): { count: number; oldestAt: number | null };
  /** The last row id sent (or skipped): rows up to it wait only to be deleted. */
  readonly sentThrough: number;
  /**
   * Rows the last pending() read, counting those it skipped (absent: the messages it returned). Fewer
   * than asked means the outbox had no more: the publisher then waits for new commits before reading again.
   */
  readonly lastReadRows?: number;
}

/** Sent rows are deleted once this many have gathered… */
export const DELETE_EVERY_ROWS = 1024;
/** …or this long after the last delete (checked at each read, or at each commit when deletes are elsewhere). */
export const DELETE_EVERY_MS = 250;

/**
 * When the sent rows are deleted by another connection, the one that writes the outbox (the receiver's
 * thread, see publisher-thread.ts): this side then only reads, and never takes SQLite's write lock.
 */
export interface DeletesElsewhere {
  /**
   * Changes each time that side's delete left the outbox empty: new rows are then numbered from 1
   * again, so reading starts over. It changes before any such row is committed (same thread).
   */
  emptied(): number;
  /** The publisher read and found nothing new after sending through `sentThrough`: delete now. */
  onIdle(sentThrough: number): void;
}

export interface StoreOutboxOptions {
  /** Told each new position (the publisher thread shares it, so the backlog read elsewhere leaves out sent rows). */
  onPosition?: (sentThrough: number) => void;
  /** Absent: this outbox deletes its sent rows itself, in its own transactions. */
  deletesElsewhere?: DeletesElsewhere;
}

/**
 * The Outbox over the store's hub tables (the receiver writes the rows in its own transaction).
 * Sent rows are not deleted after every batch but every DELETE_EVERY_ROWS rows or DELETE_EVERY_MS:
 * each delete is a write transaction. On the publisher's own thread (publisher-thread.ts) the deletes
 * are the receiver's thread's (`deletesElsewhere`). The publisher reads after its own position
 * (`sentThrough`) meanwhile, so nothing is sent twice in one run; after a crash or a restart the
 * undeleted tail is sent again and JetStream drops it by message id.
 */
export function storeOutbox(store: HookwatchStore, workspace: string, options: StoreOutboxOptions = {}): Outbox & { dropped: number } {
  const onPosition = options.onPosition ?? (() => {});
  const elsewhere = options.deletesElsewhere;
  let sentThrough = 0;
  let deletedThrough = 0;
  let deletedAt = Date.now();
  let droppedThrough = 0;
  let emptied = elsewhere?.emptied() ?? 0;
  let lastReadRows = 0;
  /** The position last reported idle (once per position: an idle publisher reads every second). */
  let idleAt = 0;
  /** Where the other side's delete emptied the outbox: read from the first row again. */
  const startOver = () => {
    emptied = elsewhere!.emptied();
    sentThrough = 0;
    droppedThrough = 0;
    idleAt = 0;
    onPosition(0);
  };
  const flush = () => {
    if (elsewhere || sentThrough <= deletedThrough) return;
    // 0 first: a backlog read during the delete counts the sent rows too (a moment too many, never too few).
    onPosition(0);
    // Emptied: new rows are numbered from 1 again, so reading must start over.
    if (store.hub.deleteThrough(sentThrough)) sentThrough = 0;
    deletedThrough = sentThrough;
    deletedAt = Date.now();
    onPosition(sentThrough);
  };
  /** The next rows after sentThrough, in the numbering the outbox has now. */
  const read = (limit: number) => {
    if (!elsewhere) return store.hub.pending(limit, sentThrough);
    // The other side empties the outbox and only then commits rows numbered from 1: when the count is
    // the same after the read as before it, the read saw no such row, and after sentThrough is right.
    // A change between the two means starting over; it needs a send and a delete in between, so this
    // loop turns twice at most in practice (bounded anyway: an empty answer is read again at the next turn).
    for (let turn = 0; turn < 3; turn++) {
      if (elsewhere.emptied() !== emptied) startOver();
      const rows = store.hub.pending(limit, sentThrough);
      if (elsewhere.emptied() === emptied) return rows;
    }
    return [];
  };
  const outbox = {
    dropped: 0,
    get sentThrough() {
      return sentThrough;
    },
    get lastReadRows() {
      return lastReadRows;
    },
    pending(limit: number, maxPayload: number): OutboxMessage[] {
      if (
        !elsewhere &&
        sentThrough > deletedThrough &&
        (sentThrough - deletedThrough >= DELETE_EVERY_ROWS || Date.now() - deletedAt >= DELETE_EVERY_MS)
      ) {
        try {
          flush();
        } catch {
          // Not deleted this time (a busy or failing disk): reading goes on after sentThrough, the next read tries again.
          onPosition(sentThrough);
        }
      }
      const rows = read(limit);
      lastReadRows = rows.length;
      // Caught up: the other side deletes what was sent now rather than at its next commit (there may be none for a while).
      if (rows.length === 0 && elsewhere && sentThrough !== idleAt) {
        idleAt = sentThrough;
        elsewhere.onIdle(sentThrough);
      }
      const out: OutboxMessage[] = [];
      for (const row of rows) {
        const m = encodeOutboxRow(row, workspace, maxPayload);
        if (m) {
          out.push(m);
          continue;
        }
        // Removed by retention before it could be sent (NATS away for longer than events are kept).
        if (row.id > droppedThrough) {
          droppedThrough = row.id;
          outbox.dropped++;
        }
        // Nothing before it left to send: step over it (deleted with the next sent rows).
        if (out.length === 0) {
          sentThrough = row.id;
          onPosition(sentThrough);
        }
      }
      return out;
    },
    markSentThrough(lastId: number): void {
      sentThrough = lastId;
      onPosition(sentThrough);
    },
    flush,
    backlog() {
      return store.hub.backlog(sentThrough);
    },
  };
  return outbox;
}

export type PublisherState = 'connecting' | 'up' | 'down' | 'stopped';

export interface PublisherStatus {
  state: PublisherState;
  /** Messages stored but not yet in the stream (grows while NATS is unreachable). */
  backlog: number;
  oldestPendingAt: number | null;
  published: number;
  /** Publishes JetStream recognised as already stored (same Nats-Msg-Id): re-sends after a crash or an outage. */
  duplicates: number;
  lastPublishedAt: number | null;
  /** Safe to show: no credentials. */
  lastError: string | null;
}

export interface PublisherOptions {
  link: HubLink;
  outbox: Outbox;
  stream?: StreamOptions;
  /** Messages in flight at once (pipelined on one connection; the stream stores them in send order). */
  window?: number;
  /** How long a publish waits for JetStream's ack before it counts as failed and is retried. */
  publishTimeoutMs?: number;
  /** Called when state or lastError changes (for health and the `serve` status line). */
  onChange?: (status: PublisherStatus) => void;
  /** Called right before each read of the outbox (the publisher thread clears its wake flag there). */
  beforeRead?: () => void;
  /** Called after each acknowledged batch with the counters (the publisher thread shares them this way). */
  onProgress?: (counts: Pick<PublisherStatus, 'published' | 'duplicates' | 'lastPublishedAt'>) => void;
}

const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** One publish's outcome: JetStream's ack (stored, or recognised by its message id), or why it failed. */
export type PublishOutcome = { ok: true; duplicate: boolean } | { ok: false; error: Error };

/** A PubAck as JetStream sends it: `{ stream, seq, duplicate? }`, or `{ error: { code, err_code, description } }`. */
interface PubAck {
  stream?: unknown;
  duplicate?: unknown;
  error?: { code?: number; err_code?: number; description?: string };
}

/** What an answer to one publish says (an ack, an API error, or a status message such as 503 no responders). */
export function outcomeOfReply(m: Pick<Msg, 'data' | 'headers'>): PublishOutcome {
  if (m.data.byteLength === 0) {
    const h = m.headers;
    // 503: nothing listens on the subject, i.e. no stream takes it (deleted, or a broker that lost its store).
    if (h?.code === 503)
      return { ok: false, error: new Error('no stream takes the subject (no responders): the HOOKWATCH stream is missing') };
    return { ok: false, error: new Error(`the server answered status ${h?.code ?? '?'} ${h?.description ?? ''}`.trim()) };
  }
  let ack: PubAck;
  try {
    ack = JSON.parse(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('utf8')) as PubAck;
  } catch {
    return { ok: false, error: new Error('JetStream sent an unreadable publish ack') };
  }
  if (ack.error) {
    const e = ack.error;
    return {
      ok: false,
      error: new Error(`JetStream refused the message: ${e.description ?? 'no reason given'} (${e.err_code ?? e.code ?? '?'})`),
    };
  }
  if (typeof ack.stream !== 'string' || ack.stream === '')
    return { ok: false, error: new Error('JetStream sent a publish ack without a stream') };
  return { ok: true, duplicate: ack.duplicate === true };
}

/**
 * JetStream publishes pipelined over the core connection, instead of nats.js's `js.publish`, which is a
 * request per message (a request object, a timer, an Error made for its stack, a muxed-inbox lookup, a
 * promise chain, a PubAck parse through TextDecoder). Here a batch is a run of plain `PUB`s, each with
 * the reply subject `<inbox>.<n>` on one private wildcard subscription, and one timer for the batch.
 * JetStream answers each publish on its reply subject with the same PubAck `js.publish` reads; an answer
 * is matched to its message by `n`, and answers to an earlier batch (after its timeout) are ignored.
 * Dedupe is JetStream's as before: every message carries its `Nats-Msg-Id` header (set by encoding.ts).
 */
export class PipelinedPublisher {
  private readonly prefix: string;
  private readonly sub: Subscription;
  /** The number of the next message published (numbers are never reused on this connection). */
  private next = 0;
  /** The batch waiting for answers: messages numbered first … first + results.length - 1. */
  private first = 0;
  private results: Array<PublishOutcome | undefined> = [];
  private waiting = 0;
  private done: (() => void) | null = null;

  constructor(private readonly nc: NatsConnection) {
    // The connection's inbox prefix (a server's permissions may allow only that one for replies).
    const inbox = createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    this.prefix = `${inbox}.`;
    this.sub = nc.subscribe(`${inbox}.*`, { callback: (err, m) => this.onReply(err, m) });
  }

  private onReply(err: Error | null, m: Msg): void {
    if (err) return; // the subscription closing: the batch in flight ends at its timeout
    const i = Number(m.subject.slice(this.prefix.length)) - this.first;
    if (!(i >= 0 && i < this.results.length) || this.results[i] !== undefined) return;
    this.results[i] = outcomeOfReply(m);
    if (--this.waiting === 0) this.done?.();
  }

  /** Publishes the batch in order and resolves with each message's outcome; no answer within `timeoutMs` is a failure. */
  async publish(batch: readonly OutboxMessage[], timeoutMs: number): Promise<PublishOutcome[]> {
    this.first = this.next;
    this.results = new Array<PublishOutcome | undefined>(batch.length);
    this.waiting = batch.length;
    const answered = new Promise<void>((resolve) => (this.done = resolve));
    const timer = setTimeout(() => this.done?.(), timeoutMs);
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      try {
        this.nc.publish(m.subject, m.body, { reply: this.prefix + String(this.next++), headers: m.headers });
      } catch (err) {
        // Refused before it left (the connection closed, a message over max_payload): it and the rest of the
        // batch failed; the answers to the ones already sent are still awaited.
        const error = err instanceof Error ? err : new Error(String(err));
        for (let j = i; j < batch.length; j++) this.results[j] = { ok: false, error };
        this.waiting -= batch.length - i;
        break;
      }
    }
    if (this.waiting > 0) await answered;
    clearTimeout(timer);
    this.done = null;
    const timedOut = { ok: false, error: new Error(`no publish ack from JetStream within ${timeoutMs} ms`) } as const;
    const out = Array.from(this.results, (r) => r ?? timedOut);
    // Answers still on their way belong to no batch now, and are dropped.
    this.results = [];
    this.waiting = 0;
    return out;
  }

  close(): void {
    try {
      this.sub.unsubscribe();
    } catch {
      /* the connection is closed already, and its subscriptions with it */
    }
  }
}

export class HubPublisher {
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private poked = false;
  private loop: Promise<void> | null = null;
  private st: Omit<PublisherStatus, 'backlog' | 'oldestPendingAt'> = {
    state: 'connecting',
    published: 0,
    duplicates: 0,
    lastPublishedAt: null,
    lastError: null,
  };

  constructor(private readonly options: PublisherOptions) {}

  /** Starts draining in the background; returns at once (the receiver must never wait for NATS). */
  start(): void {
    this.loop ??= this.run().catch((err) => {
      // Not expected (every step catches); kept so an unforeseen error is visible instead of silent.
      this.set({ state: 'down', lastError: `publisher stopped: ${safeErrorText(err, this.options.link.config)}` });
    });
  }

  /** Tells the publisher that rows were committed: it sends them now instead of at its next poll. */
  notify(): void {
    this.poked = true;
    this.wakeUp?.();
  }

  status(): PublisherStatus {
    let backlog = { count: -1, oldestAt: null as number | null };
    try {
      backlog = this.options.outbox.backlog();
    } catch {
      /* database closing: report -1 */
    }
    return { ...this.st, backlog: backlog.count, oldestPendingAt: backlog.oldestAt };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
    this.set({ state: 'stopped' });
  }

  private set(patch: Partial<PublisherStatus>): void {
    const before = this.st;
    this.st = { ...this.st, ...patch };
    if (before.state !== this.st.state || before.lastError !== this.st.lastError) this.options.onChange?.(this.status());
  }

  /** Waits for the timeout or stop(); and for notify() unless it is a backoff (new rows must not hurry a retry). */
  private sleep(ms: number, backingOff = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.poked && !backingOff) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        backingOff = false;
        done();
      }, ms);
      const done = () => {
        if (backingOff && !this.stopped) return;
        clearTimeout(t);
        this.wakeUp = null;
        this.poked = false;
        resolve();
      };
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    try {
      await this.drain();
    } finally {
      try {
        this.options.outbox.flush();
      } catch {
        /* database closing: the rows are sent again next time and dropped by JetStream as duplicates */
      }
    }
  }

  private async drain(): Promise<void> {
    const { link } = this.options;
    const nc = await link.connection();
    if (!nc || this.stopped) return;
    const pipe = new PipelinedPublisher(nc);
    try {
      await this.publishLoop(nc, pipe);
    } finally {
      pipe.close();
    }
  }

  private async publishLoop(nc: NatsConnection, pipe: PipelinedPublisher): Promise<void> {
    const { link } = this.options;
    const timeoutMs = this.options.publishTimeoutMs ?? 5000;
    const window = this.options.window ?? 256;
    let streamReady = false;
    let backoff = 250;
    while (!this.stopped) {
      if (link.state !== 'up') {
        // While disconnected nats.js would buffer every publish in memory; the outbox already holds them.
        this.set({ state: link.state === 'connecting' ? 'connecting' : 'down', lastError: link.lastError });
        await this.sleep(500, true);
        continue;
      }
      if (!streamReady) {
        try {
          await ensureStream(nc, this.options.stream);
          streamReady = true;
        } catch (err) {
          this.set({ state: 'down', lastError: `cannot create or update the HOOKWATCH stream: ${safeErrorText(err, link.config)}` });
          await this.sleep(backoff, true);
          backoff = Math.min(backoff * 2, 10_000);
          continue;
        }
      }
      let batch: OutboxMessage[];
      this.options.beforeRead?.();
      try {
        batch = this.options.outbox.pending(window, nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD);
      } catch (err) {
        this.set({ state: 'down', lastError: `cannot read the outbox: ${(err as Error).message}` });
        await this.sleep(1000);
        continue;
      }
      if (batch.length === 0) {
        if (this.st.state !== 'up' || this.st.lastError !== null) this.set({ state: 'up', lastError: null });
        await this.sleep(1000);
        continue;
      }
      const results = await pipe.publish(batch, timeoutMs);
      // Only the run of successes from the start is marked sent: what follows a failure is sent again
      // (in order), and JetStream drops the ones it already has by their message id.
      const sent: number[] = [];
      let duplicates = 0;
      let failure: unknown = null;
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        if (!r.ok) {
          failure = r.error;
          break;
        }
        sent.push(batch[i]!.id);
        if (r.duplicate) duplicates++;
      }
      if (sent.length > 0) {
        this.options.outbox.markSentThrough(sent[sent.length - 1]!);
        this.st = {
          ...this.st,
          published: this.st.published + sent.length - duplicates,
          duplicates: this.st.duplicates + duplicates,
          lastPublishedAt: Date.now(),
        };
        this.options.onProgress?.(this.st);
      }
      if (failure !== null) {
        streamReady = false; // a missing stream (a broker that lost its store) is recreated before the retry
        this.set({ state: 'down', lastError: `publishing to the hub failed, will retry: ${safeErrorText(failure, link.config)}` });
        await this.sleep(backoff, true);
        backoff = Math.min(backoff * 2, 10_000);
      } else {
        backoff = 250;
        if (this.st.state !== 'up' || this.st.lastError !== null) this.set({ state: 'up', lastError: null });
        // The outbox had no more: wait for the next notify() (a commit) instead of reading at once. Reading at
        // once took whatever a round trip had let commit, a few rows, so while events came in a stream every
        // read and every batch's socket write and acks were paid for one to three events; the publisher
        // thread's wake-up gathers the commits of 25 ms per read instead (publisher-worker.ts).
        if ((this.options.outbox.lastReadRows ?? batch.length) < window) await this.sleep(1000);
      }
    }
  }
}
