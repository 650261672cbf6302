// A follower's durable consumer: hands hub messages to a local sink in batches, acks only after the sink's commit, reports how far behind it is.
import {
  AckPolicy,
  DeliverPolicy,
  ReplayPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { HookwatchStore } from '../store/store.js';
import { safeErrorText, type HubLink } from './connection.js';
import { decodeHubMessage, HubDecodeError, type HubRecord } from './encoding.js';
import { STREAM_NAME, consumerName, workspaceFilter } from './subjects.js';

/**
 * Why a durable pull consumer with explicit acks: JetStream keeps this install's position on the
 * server (the consumer's ack floor), so a laptop that sleeps, crashes or loses the broker resumes
 * exactly where it stopped, with no cursor of ours. A message is acked only after the sink returned,
 * i.e. after the local commit; a crash between commit and ack brings the message again, and the sink
 * skips it by its message id (hub_inbox), so every message lands once.
 */
export interface FollowerSink {
  /** Stores the records in one local transaction, skipping message ids already applied. May be async. */
  apply(records: HubRecord[]): void | Promise<void>;
}

export type FollowerState = 'connecting' | 'following' | 'down' | 'stopped';

export interface FollowerStatus {
  state: FollowerState;
  /** The hub as shown to people (credentials never included). */
  hub: string;
  consumer: string;
  /** Messages in the stream this install has not applied yet (consumer's pending + unacked); null until known. */
  behind: number | null;
  applied: number;
  lastAppliedAt: number | null;
  /** Messages that were not Hookwatch's and were dropped (terminated) rather than blocking the rest. */
  skipped: number;
  lastError: string | null;
}

export interface FollowerOptions {
  link: HubLink;
  /** This install's name (--name): the durable consumer is hookwatch-follow-<name>. */
  name: string;
  /** Follow one workspace, or all (`*`, the default). */
  workspace?: string;
  sink: FollowerSink;
  /** Largest batch handed to the sink (one local transaction). */
  batch?: number;
  /** How long the server waits for an ack before sending a message again (set when the consumer is created). */
  ackWaitMs?: number;
  /** How often to ask the server how far behind we are. */
  behindEveryMs?: number;
  onChange?: (status: FollowerStatus) => void;
  /** Called once each time the consumer is up and consuming (the CLI prints `following: <url>`). */
  onFollowing?: () => void;
}

/** How long a follower waits for a batch to fill before committing what it has. */
const FILL_MS = 10;

export class HubFollower {
  readonly consumer: string;
  private stopped = false;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private st: FollowerStatus;

  constructor(private readonly options: FollowerOptions) {
    this.consumer = consumerName('follow', options.name);
    this.st = {
      state: 'connecting',
      hub: options.link.describe(),
      consumer: this.consumer,
      behind: null,
      applied: 0,
      lastAppliedAt: null,
      skipped: 0,
      lastError: null,
    };
  }

  start(): void {
    this.loop ??= this.run();
  }

  status(): FollowerStatus {
    return { ...this.st };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.messages?.close().catch(() => {});
    await this.loop;
    this.set({ state: 'stopped' });
  }

  private set(patch: Partial<FollowerStatus>): void {
    const before = this.st;
    this.st = { ...this.st, ...patch };
    if (before.state !== this.st.state || before.lastError !== this.st.lastError || before.behind !== this.st.behind)
      this.options.onChange?.(this.status());
  }

  private async run(): Promise<void> {
    const { link } = this.options;
    const nc = await link.connection();
    if (!nc) return;
    const js = jetstream(nc);
    let backoff = 500;
    while (!this.stopped) {
      try {
        const jsm = await jetstreamManager(nc);
        await this.ensureConsumer(jsm);
        const consumer = await js.consumers.get(STREAM_NAME, this.consumer);
        if (!this.timer) {
          const refresh = () =>
            void consumer
              .info()
              .then((ci) => this.set({ behind: ci.num_pending + ci.num_ack_pending }))
              .catch(() => {});
          refresh();
          this.timer = setInterval(refresh, this.options.behindEveryMs ?? 2000);
          this.timer.unref();
        }
        // Callback mode, batched like the receiver's group commit: messages that arrive while a batch is
        // being committed form the next batch, so a backlog is applied in large transactions (one fsync
        // each) and a single live message goes through at once.
        let queue: JsMsg[] = [];
        let flushing: Promise<void> | null = null;
        let fill: { timer: NodeJS.Timeout; go: () => void } | null = null;
        const max = this.options.batch ?? 1000;
        const flush = async (): Promise<void> => {
          while (queue.length > 0 && !this.stopped) {
            const taken = queue.slice(0, max);
            queue = queue.slice(taken.length);
            await this.applyBatch(taken);
          }
          if (this.stopped) {
            // Stopping: hand back what was pulled but not applied, so the next start gets it at once.
            for (const m of queue) m.nak();
            queue = [];
          }
          flushing = null;
        };
        const messages = await consumer.consume({
          max_messages: Math.max(max, 100),
          callback: (m) => {
            queue.push(m);
            // Wait a few ms for the batch to fill: messages come off the socket some 60 per read, and a
            // transaction per read spent most of a catch-up in commits (88 records each, 2.4k/s measured).
            // A full batch goes at once; a single live message waits at most FILL_MS.
            if (queue.length >= max && fill) {
              clearTimeout(fill.timer);
              fill.go();
            }
            if (!flushing) {
              let go!: () => void;
              const started = new Promise<void>((r) => (go = r));
              fill = { timer: setTimeout(() => go(), FILL_MS), go };
              flushing = started.then(() => {
                fill = null;
                return flush();
              });
            }
          },
        });
        this.messages = messages;
        if (this.stopped) {
          await messages.close();
          break;
        }
        this.set({ state: 'following', lastError: null });
        this.options.onFollowing?.();
        backoff = 500;
        const closed = await messages.closed();
        await flushing;
        if (closed instanceof Error) throw closed;
      } catch (err) {
        if (this.stopped) break;
        this.set({ state: 'down', lastError: `following ${link.describe()} failed, will retry: ${safeErrorText(err, link.config)}` });
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 15_000);
      }
    }
  }

  /** Creates this install's durable consumer on first run; later runs find it (and its position) on the server. */
  private async ensureConsumer(jsm: Awaited<ReturnType<typeof jetstreamManager>>): Promise<void> {
    try {
      await jsm.consumers.info(STREAM_NAME, this.consumer);
      return;
    } catch (err) {
      // 10014: consumer not found (create it); 10059: stream not found (the hub has not published yet).
      if (!(err instanceof JetStreamApiError) || err.code !== 10014) throw err;
    }
    await jsm.consumers.add(STREAM_NAME, {
      durable_name: this.consumer,
      description: `Hookwatch follower ${this.options.name}`,
      // A new follower starts with everything the stream still holds (its retention), then live.
      deliver_policy: DeliverPolicy.All,
      ack_policy: AckPolicy.Explicit,
      replay_policy: ReplayPolicy.Instant,
      filter_subject: workspaceFilter(this.options.workspace ?? '*'),
      // Time to commit a batch locally before the server sends it again.
      ack_wait: nanos(this.options.ackWaitMs ?? 60_000),
      max_ack_pending: 20_000,
    });
  }

  private async applyBatch(msgs: JsMsg[]): Promise<void> {
    const records: HubRecord[] = [];
    const carried: JsMsg[] = [];
    for (const m of msgs) {
      try {
        records.push(decodeHubMessage(m));
        carried.push(m);
      } catch (err) {
        if (err instanceof HubDecodeError && /update it/.test(err.message)) {
          // Written by a newer Hookwatch: keep it on the server (retry in a minute) and say what to do.
          m.nak(60_000);
          this.set({ lastError: err.message });
        } else {
          m.term(err instanceof Error ? err.message : 'not a Hookwatch message');
          this.st.skipped++;
        }
      }
    }
    if (records.length === 0) return;
    try {
      await this.options.sink.apply(records);
    } catch (err) {
      // Not stored: hand them back to the server for a later try; nothing is acked, nothing lost.
      // No pause here: messages already pulled are ageing toward their ack_wait; the nak delay spaces the retries.
      for (const m of carried) m.nak(2000);
      this.set({ lastError: `cannot store hub messages locally, will retry: ${(err as Error).message}` });
      return;
    }
    // One explicit ack per message (about a tenth of a catch-up's CPU, profiled), not AckPolicy.All's one per
    // batch: an AckAll ack also settles every lower sequence still pending, such as a message written by a
    // newer Hookwatch that was just handed back to wait for an update, or a redelivery queued behind this
    // batch and not committed yet; and a durable consumer's ack policy cannot change once created.
    for (const m of carried) m.ack();
    this.st.applied += records.length;
    this.st.lastAppliedAt = Date.now();
    if (this.st.lastError !== null) this.set({ lastError: null });
  }
}

/**
 * The sink over the store's hub_inbox table: one IMMEDIATE transaction per batch;
 * each record is claimed by its message id and handed to `applyNew` only the first time, in the same
 * transaction, so "stored" and "marked applied" commit together.
 */
export function storeInboxSink(
  store: HookwatchStore,
  applyNew: (record: HubRecord) => void,
  now: () => number = Date.now,
): FollowerSink & { duplicates: number; batches: number } {
  const sink = {
    duplicates: 0,
    /** Local transactions so far (the benchmark reports records per transaction). */
    batches: 0,
    apply(records: HubRecord[]): void {
      sink.batches++;
      store.transaction(() => {
        const at = now();
        for (const r of records) {
          if (store.hub.claimInbox(r.msgId, r.seq, at)) applyNew(r);
          else sink.duplicates++;
        }
      });
    },
  };
  return sink;
}
