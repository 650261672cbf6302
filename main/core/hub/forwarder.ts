// Forwarding: one durable consumer per destination; POSTs the raw body with its content type, retries with backoff for 24 h through JetStream redelivery, then parks.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  ReplayPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { ForwardDestination, ForwardLogEntry, HookwatchStore } from '../store/store.js';
import { redactUrl, safeErrorText, type HubLink } from './connection.js';
import { decodeHubMessage } from './encoding.js';
import { STREAM_NAME, SUBJECT_ROOT, consumerName, eventTypeFilter, kindFilter, typeTokens, workspaceToken } from './subjects.js';

/**
 * Why one durable consumer per destination: each keeps its own position and its own unacked
 * messages on the server, so a slow or dead destination holds back only itself; a restart resumes
 * each where it stopped; removing a destination is deleting its consumer.
 * Why retries are JetStream redeliveries (nak with a delay) and not a queue of ours: the message stays
 * in the stream until acked, the server counts the attempts (deliveryCount) and schedules the next
 * one, and nothing is lost if Hookwatch stops between tries. We choose the delay per attempt (a
 * consumer-level `backoff` list applies only to ack timeouts, not to a failed POST we already know
 * about), and after 24 h of failures the message is terminated (`term`, JetStream stops delivering
 * it) and recorded as parked in the destination's log, where it is shown.
 */
export interface ForwardLog {
  record(entry: ForwardLogEntry): void;
}

export function storeForwardLog(store: HookwatchStore): ForwardLog {
  return { record: (entry) => store.hub.recordForward(entry) };
}

export const DEFAULT_RETRY_FOR_MS = 24 * 60 * 60 * 1000;
/** Delay before attempt n+1 after n failures; the last value repeats. */
export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];

export interface ForwarderOptions {
  link: HubLink;
  destination: ForwardDestination;
  log: ForwardLog;
  /** Forward one workspace's events, or all (`*`, the default). */
  workspace?: string;
  /** Keep retrying a message this long (from when it was published, the destination added or this forwarder started, the latest). */
  retryForMs?: number;
  backoffMs?: readonly number[];
  /** Per request; a destination that has not answered by then counts as failed. */
  timeoutMs?: number;
  /** Requests in flight at once to this destination. */
  inFlight?: number;
  onChange?: (status: ForwarderStatus) => void;
}

export interface ForwarderStatus {
  destinationId: number;
  /** The destination URL with any credentials in it replaced. */
  url: string;
  consumer: string;
  state: 'connecting' | 'forwarding' | 'down' | 'stopped';
  /** Events for this destination not yet delivered or parked. */
  behind: number | null;
  delivered: number;
  failed: number;
  parked: number;
  lastError: string | null;
}

/** A type filter entry: an exact type, or a group written `whatsapp:account:*`. */
function matchesType(type: string, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  return wanted.some((w) => (w.endsWith(':*') ? type.startsWith(w.slice(0, -1)) : type === w));
}

function filterFor(workspace: string, type: string): string {
  if (type.endsWith(':*')) {
    const ws = workspace === '*' ? '*' : workspaceToken(workspace);
    return `${SUBJECT_ROOT}.${ws}.event.${typeTokens(type.slice(0, -2))}.>`;
  }
  return eventTypeFilter(workspace, type);
}

function serverAtLeast(nc: NatsConnection, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(nc.info?.version ?? '');
  return !!m && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/** Deletes a destination's consumer (forward remove); its position and unacked messages go with it. */
export async function removeForwardConsumer(nc: NatsConnection, destinationId: number): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  try {
    return await jsm.consumers.delete(STREAM_NAME, consumerName('forward', String(destinationId)));
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === 10014) return false;
    throw err;
  }
}

export class DestinationForwarder {
  readonly consumer: string;
  private stopped = false;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private readonly inflight = new Set<Promise<void>>();
  /** Aborts requests in flight on stop(): their messages stay unacked and come again after a restart. */
  private readonly abort = new AbortController();
  private st: ForwarderStatus;

  constructor(private readonly options: ForwarderOptions) {
    this.consumer = consumerName('forward', String(options.destination.id));
    this.st = {
      destinationId: options.destination.id,
      url: redactUrl(options.destination.url),
      consumer: this.consumer,
      state: 'connecting',
      behind: null,
      delivered: 0,
      failed: 0,
      parked: 0,
      lastError: null,
    };
  }

  start(): void {
    this.loop ??= this.run();
  }

  status(): ForwarderStatus {
    return { ...this.st };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.messages?.close().catch(() => {});
    await this.loop;
    await Promise.allSettled([...this.inflight]);
    this.set({ state: 'stopped' });
  }

  private set(patch: Partial<ForwarderStatus>): void {
    const before = this.st;
    this.st = { ...this.st, ...patch };
    if (before.state !== this.st.state || before.lastError !== this.st.lastError) this.options.onChange?.(this.status());
  }

  private async ensureConsumer(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.consumers.info(STREAM_NAME, this.consumer);
      return;
    } catch (err) {
      if (!(err instanceof JetStreamApiError) || err.code !== 10014) throw err;
    }
    const d = this.options.destination;
    const ws = this.options.workspace ?? '*';
    const filters = d.types.length === 0 ? [kindFilter(ws, 'event')] : d.types.map((t) => filterFor(ws, t));
    // Several filters on one consumer need nats-server 2.10; on older servers the consumer takes every
    // event and the types are checked here (non-matching messages are acked at once, never sent).
    const filter =
      filters.length === 1
        ? { filter_subject: filters[0]! }
        : serverAtLeast(nc, 2, 10)
          ? { filter_subjects: filters }
          : { filter_subject: kindFilter(ws, 'event') };
    await jsm.consumers.add(STREAM_NAME, {
      durable_name: this.consumer,
      description: `Hookwatch forwarding to destination ${d.id}`,
      // From the moment the destination was added: no flood of old events, nothing missed if the forwarder starts later.
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(d.createdAt).toISOString(),
      ack_policy: AckPolicy.Explicit,
      replay_policy: ReplayPolicy.Instant,
      // Longer than a request can take, so a slow answer is never overtaken by a redelivery of itself.
      ack_wait: nanos(2 * (this.options.timeoutMs ?? 30_000) + 10_000),
      // Messages waiting for their next try count here; a dead destination may hold this many before new ones wait too.
      max_ack_pending: 1000,
      ...filter,
    });
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
        await this.ensureConsumer(nc, jsm);
        const consumer = await js.consumers.get(STREAM_NAME, this.consumer);
        if (!this.timer) {
          const refresh = () =>
            void consumer
              .info()
              .then((ci) => (this.st = { ...this.st, behind: ci.num_pending + ci.num_ack_pending }))
              .catch(() => {});
          refresh();
          this.timer = setInterval(refresh, 2000);
          this.timer.unref();
        }
        const inFlight = Math.max(1, this.options.inFlight ?? 4);
        const messages = await consumer.consume({ max_messages: Math.max(2 * inFlight, 8) });
        this.messages = messages;
        if (this.stopped) {
          await messages.close();
          break;
        }
        this.set({ state: 'forwarding' });
        backoff = 500;
        for await (const m of messages) {
          while (this.inflight.size >= inFlight) await Promise.race(this.inflight);
          const p: Promise<void> = this.handle(m).finally(() => this.inflight.delete(p));
          this.inflight.add(p);
          if (this.stopped) break;
        }
      } catch (err) {
        if (this.stopped) break;
        this.set({ state: 'down', lastError: `forwarding consumer failed, will retry: ${safeErrorText(err, link.config)}` });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 15_000);
      }
    }
  }

  private logEntry(m: JsMsg, type: string | null, msgId: string): Omit<ForwardLogEntry, 'outcome' | 'status' | 'error' | 'latencyMs'> {
    return {
      destinationId: this.options.destination.id,
      at: Date.now(),
      msgId,
      streamSeq: m.seq,
      eventType: type,
      attempt: m.info.deliveryCount,
    };
  }

  private record(entry: ForwardLogEntry): void {
    try {
      this.options.log.record(entry);
    } catch {
      /* a log write failing must not stop forwarding; the counters still show it */
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    let decoded;
    try {
      decoded = decodeHubMessage(m);
    } catch (err) {
      m.term((err as Error).message);
      return;
    }
    if (decoded.kind !== 'event') {
      m.ack();
      return;
    }
    const type = decoded.record.event.type;
    if (!matchesType(type, this.options.destination.types)) {
      m.ack();
      return;
    }
    const base = this.logEntry(m, type, decoded.msgId);
    if (decoded.bodyOmitted !== null) {
      m.term('body not in the stream');
      this.st.parked++;
      this.record({
        ...base,
        outcome: 'parked',
        status: null,
        error: `the body (${decoded.bodyOmitted} bytes) was larger than the broker's max_payload, so the hub did not publish it: raise max_payload on the NATS server (docs/hub.md)`,
        latencyMs: null,
      });
      return;
    }
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const headers: Record<string, string> = { 'hookwatch-event-id': decoded.msgId, 'hookwatch-event-type': type };
      if (decoded.contentType) headers['content-type'] = decoded.contentType;
      const res = await fetch(this.options.destination.url, {
        method: 'POST',
        // Byte for byte: a copy of exactly the stream message's payload.
        body: Buffer.from(decoded.body),
        headers,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? 30_000), this.abort.signal]),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (status < 200 || status > 299) error = `answered ${status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      error =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${(this.options.timeoutMs ?? 30_000) / 1000} s`
          : (cause?.code ?? cause?.message ?? (err as Error).message);
      error = redactUrl(error);
    }
    const latencyMs = performance.now() - started;
    if (this.stopped) {
      // Cut short by stop(): not an attempt to count; hand it back so the next start sends it at once.
      try {
        m.nak();
      } catch {
        /* connection already closed: the server sends it again after ack_wait */
      }
      return;
    }
    if (error === null) {
      m.ack();
      this.st.delivered++;
      this.record({ ...base, outcome: 'delivered', status, error: null, latencyMs });
      if (this.st.lastError !== null) this.set({ lastError: null });
      return;
    }
    const publishedAt = Number(m.info.timestampNanos) / 1e6;
    const since = Math.max(publishedAt, this.options.destination.createdAt, this.startedAt);
    const retryFor = this.options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
    const schedule = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    const delay = schedule[Math.min(m.info.deliveryCount - 1, schedule.length - 1)] ?? 60_000;
    if (Date.now() + delay - since > retryFor) {
      m.term(`gave up after ${m.info.deliveryCount} attempts: ${error}`);
      this.st.parked++;
      this.record({ ...base, outcome: 'parked', status, error, latencyMs });
    } else {
      m.nak(delay);
      this.st.failed++;
      this.record({ ...base, outcome: 'failed', status, error, latencyMs });
    }
    this.set({ lastError: `${this.st.url}: ${error}` });
  }
}

/** All destinations of this install: sync() starts forwarders for new ones and removes gone ones (and their consumers). */
export class ForwarderPool {
  private readonly running = new Map<number, DestinationForwarder>();

  constructor(private readonly base: Omit<ForwarderOptions, 'destination'>) {}

  async sync(destinations: readonly ForwardDestination[]): Promise<void> {
    const wanted = new Map(destinations.map((d) => [d.id, d]));
    for (const [id, f] of this.running) {
      if (!wanted.has(id)) {
        this.running.delete(id);
        await f.stop();
        const nc = this.base.link.current;
        if (nc) await removeForwardConsumer(nc, id).catch(() => false);
      }
    }
    for (const d of destinations) {
      if (this.running.has(d.id)) continue;
      const f = new DestinationForwarder({ ...this.base, destination: d });
      this.running.set(d.id, f);
      f.start();
    }
  }

  status(): ForwarderStatus[] {
    return [...this.running.values()].map((f) => f.status());
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((f) => f.stop()));
    this.running.clear();
  }
}
