// CatchupService: keeps the receiving marks, notices gaps (start, wake, tunnel back, rising errors_counter) and catches each one up, one run at a time.
import type { CommittedDelivery } from '../store/ingest.js';
import type { CatchupGapRecord, HookwatchStore } from '../store/store.js';
import type { CatchupApi } from './api.js';
import { noTokenOutcome, runCatchup, type CatchupLimits, type CatchupOutcome, type CatchupProgress } from './engine.js';
import { DEFAULT_HEARTBEAT_MS, detectGaps, gapKey, type Gap, type GapReason } from './gaps.js';
import { catchupLine, NO_TOKEN_REASON } from './outcome.js';
import { storeCheckpoints, storeSink } from './store-sink.js';

const DAY = 86_400_000;
/** A heartbeat tick this much later than due means the computer slept (or the process was frozen). */
const WAKE_FACTOR = 2.5;

export const DEFAULT_CATCHUP_LIMITS: Required<CatchupLimits> = { daysBack: 7, maxChats: 500 };
/** What the settings and flags accept: a week is the default, a month is as far as TimelinesAI keeps it cheap to ask. */
export const CATCHUP_DAYS_RANGE = { min: 1, max: 30 } as const;
export const CATCHUP_CHATS_RANGE = { min: 1, max: 10_000 } as const;

export type CatchupTrigger = 'start' | 'wake' | 'tunnel' | 'webhook-errors' | 'manual';

/** What is running now, for the dashboard and `hookwatch catch-up`. */
export interface CatchupRunning {
  gapKey: string;
  gap: { start: number; end: number; reason: GapReason };
  phase: CatchupProgress['phase'];
  chatsFound: number;
  chatsDone: number;
  recovered: number;
  requests: number;
  startedAt: number;
}

export interface CatchupState {
  running: CatchupRunning | null;
  /** Gaps waiting behind the running one. */
  queued: number;
  limits: Required<CatchupLimits>;
}

export interface CatchupServiceOptions {
  store: HookwatchStore;
  /** The TimelinesAI Public API as catch-up reads it; null when this host has no client at all. */
  api: CatchupApi | null;
  hasToken: () => Promise<boolean>;
  /** Each stored page of recovered messages, as the receiver's commits are announced (feed, alerts, hub). */
  onCommitted?: (c: CommittedDelivery) => void;
  /** Resolves when the receiver has nothing waiting to be written: recovered rows are committed in its pauses. */
  receiverIdle?: () => Promise<void>;
  log?: (line: string) => void;
  /** Limits for this run (serve flags); else the saved setting; else the defaults. */
  limits?: CatchupLimits;
  heartbeatMs?: number;
  /**
   * Shorter gaps are not read (default 60 s, or HOOKWATCH_CATCHUP_MIN_GAP_MS): TimelinesAI retries a
   * failed delivery, so a blip of seconds loses nothing, and every catch-up spends API calls.
   */
  minGapMs?: number;
  now?: () => number;
  /** The engine's chats read at once (benchmarks); default the engine's. */
  concurrency?: number;
}

/** The limits in force: this run's, else the saved ones, else the defaults, each clamped to what is allowed. */
export function catchupLimitsOf(store: Pick<HookwatchStore, 'meta'>, given: CatchupLimits = {}): Required<CatchupLimits> {
  const saved = store.meta.get('catchupLimits') ?? {};
  const clamp = (v: number | undefined, r: { min: number; max: number }, d: number) =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(r.max, Math.max(r.min, Math.floor(v))) : d;
  return {
    daysBack: clamp(given.daysBack ?? saved.daysBack, CATCHUP_DAYS_RANGE, DEFAULT_CATCHUP_LIMITS.daysBack),
    maxChats: clamp(given.maxChats ?? saved.maxChats, CATCHUP_CHATS_RANGE, DEFAULT_CATCHUP_LIMITS.maxChats),
  };
}

/** A gap's row for Webhook health, from a run's outcome (or a run just begun: status `running`). */
export function gapRecordOf(o: CatchupOutcome, line: string | null): CatchupGapRecord {
  return {
    gapKey: o.gapKey,
    start: o.gap.start,
    end: o.gap.end,
    reasons: [...o.gap.reasons],
    status: o.status,
    recovered: o.recovered,
    chats: o.chatsWithRecovered,
    requests: o.requests,
    error: o.error,
    line,
    startedAt: o.startedAt,
    finishedAt: o.finishedAt,
  };
}

/** Outcomes whose gap needs no other run: finished, or wholly past the days allowed. */
const SETTLED = new Set(['done', 'nothing-to-do']);

/**
 * Owned by HookwatchCore. Writes a `start` mark, a heartbeat every minute (an unref'd timer: one
 * wake a minute, never keeping the process alive) and a `clean-stop` mark; on each trigger it reads
 * the marks, the tunnel log and the errors_counter samples, finds the gaps (gaps.ts) and runs the
 * engine for each one not yet caught up, strictly one after another. A run only awaits the network
 * and stores a page at a time, so the receiver keeps answering while it runs.
 */
export class CatchupService {
  private timer: NodeJS.Timeout | null = null;
  private lastBeat = 0;
  private readonly queue: Gap[] = [];
  private pass: Promise<void> | null = null;
  private again = false;
  private running: CatchupRunning | null = null;
  private abort = new AbortController();
  private stopped = false;
  private readonly outcomeListeners = new Set<(o: CatchupOutcome, line: string) => void>();
  private readonly progressListeners = new Set<(s: CatchupState) => void>();
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly minGapMs: number;

  constructor(private readonly o: CatchupServiceOptions) {
    this.now = o.now ?? Date.now;
    this.heartbeatMs = o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const env = Number(process.env.HOOKWATCH_CATCHUP_MIN_GAP_MS);
    this.minGapMs = o.minGapMs ?? (Number.isInteger(env) && env >= 0 ? env : 60_000);
  }

  limits(): Required<CatchupLimits> {
    return catchupLimitsOf(this.o.store, this.o.limits);
  }

  /** Marks the start, arms the heartbeat and looks for a gap since the last run. */
  start(): void {
    const now = this.now();
    this.o.store.catchup.mark('start', now);
    // Marks older than the furthest catch-up can reach will never make a gap worth reading.
    this.o.store.catchup.prune(now - (CATCHUP_DAYS_RANGE.max + 1) * DAY);
    this.lastBeat = now;
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
    this.timer.unref();
    this.trigger('start');
  }

  /** One heartbeat: written every minute; a tick much later than due means we were asleep. */
  beat(): void {
    if (this.stopped) return;
    const now = this.now();
    const late = now - this.lastBeat > this.heartbeatMs * WAKE_FACTOR;
    this.lastBeat = now;
    try {
      this.o.store.catchup.mark('heartbeat', now);
    } catch (err) {
      this.log(`catch-up: could not write the heartbeat: ${(err as Error).message}`);
      return;
    }
    if (late) this.trigger('wake');
  }

  /** The tunnel's state as it changes: back `up` after anything else closes a tunnel gap. */
  private tunnelWasUp: boolean | null = null;
  tunnelState(state: string): void {
    const up = state === 'up';
    const cameBack = up && this.tunnelWasUp === false;
    if (state !== 'degraded') this.tunnelWasUp = up;
    if (cameBack) this.trigger('tunnel');
  }

  /** A listing of our webhooks with their errors_counter: samples are kept, and a rising counter is a gap. */
  webhookErrors(webhooks: ReadonlyArray<{ id: string | number; errorsCounter: number }>, provider = 'timelines'): void {
    const at = this.now();
    let rose = false;
    for (const w of webhooks) {
      const before = this.o.store.catchup
        .errorSamples(0)
        .filter((s) => s.webhookId === `${provider}:${w.id}`)
        .pop();
      const changed = this.o.store.catchup.sampleErrors({ at, webhookId: `${provider}:${w.id}`, errorsCounter: w.errorsCounter });
      if (changed && before && w.errorsCounter > before.errorsCounter) rose = true;
    }
    if (rose) this.trigger('webhook-errors');
  }

  /** Looks for gaps and catches them up; a trigger during a pass runs one more pass after it. */
  trigger(why: CatchupTrigger): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      do {
        this.again = false;
        try {
          await this.runPending(why);
        } catch (err) {
          this.log(`catch-up failed: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  /** The gaps detectGaps finds in what the store recorded, not yet caught up (nor open, still going on). */
  pendingGaps(now = this.now()): Gap[] {
    const { daysBack } = this.limits();
    const since = now - (daysBack + 1) * DAY;
    const store = this.o.store;
    const marks = store.catchup.marks(since);
    const gaps = detectGaps(
      {
        heartbeats: marks.filter((m) => m.kind === 'heartbeat').map((m) => m.at),
        starts: marks.filter((m) => m.kind === 'start').map((m) => m.at),
        cleanStops: marks.filter((m) => m.kind === 'clean-stop').map((m) => m.at),
        tunnel: store.listTunnelStates(since).map((t) => ({ at: t.at, state: t.state })),
        webhookErrors: store.catchup.errorSamples(since),
      },
      { now, heartbeatMs: this.heartbeatMs, minGapMs: this.minGapMs },
    );
    const settled = store.catchup
      .listGaps(500)
      .filter((h) => SETTLED.has(h.status))
      .sort((a, b) => a.start - b.start);
    const out: Gap[] = [];
    for (const g of gaps) {
      if (g.open) continue;
      const saved = store.catchup.getGap(gapKey(g));
      if (saved && SETTLED.has(saved.status)) continue;
      // A gap that grew out of one already caught up (two restarts a minute apart merge into one
      // gap) needs only its new parts.
      let from = g.start;
      for (const h of settled) {
        if (h.end <= from || h.start >= g.end) continue;
        if (h.start > from) out.push({ ...g, start: from, end: h.start });
        from = Math.max(from, h.end);
      }
      if (g.end > from) out.push({ ...g, start: from, end: g.end });
    }
    // Unless a part is itself a saved gap already caught up, or too short to matter.
    return out.filter((g) => g.end - g.start >= this.minGapMs && !SETTLED.has(store.catchup.getGap(gapKey(g))?.status ?? ''));
  }

  /** Catches up one gap now (the CLI's --since, or one detected); the outcome is saved and announced. */
  async runGap(gap: Pick<Gap, 'start' | 'end' | 'reason' | 'reasons'>, limits?: CatchupLimits): Promise<CatchupOutcome> {
    const store = this.o.store;
    const key = gapKey(gap);
    const startedAt = this.now();
    const api = this.o.api;
    if (!api || !(await this.o.hasToken())) {
      // Recorded all the same: Webhook health lists what could not be recovered, and why.
      const outcome = noTokenOutcome(gap, startedAt, NO_TOKEN_REASON);
      const line = catchupLine(outcome);
      store.catchup.saveGap(gapRecordOf(outcome, line));
      this.announce(outcome, line);
      return outcome;
    }
    const effective = { ...this.limits(), ...limits };
    this.running = {
      gapKey: key,
      gap: { start: gap.start, end: gap.end, reason: gap.reason },
      phase: 'chats',
      chatsFound: 0,
      chatsDone: 0,
      recovered: 0,
      requests: 0,
      startedAt,
    };
    store.catchup.saveGap({
      gapKey: key,
      start: gap.start,
      end: gap.end,
      reasons: [...gap.reasons],
      status: 'running',
      recovered: 0,
      chats: 0,
      requests: 0,
      error: null,
      line: null,
      startedAt,
      finishedAt: null,
    });
    this.progressChanged();
    let outcome: CatchupOutcome;
    try {
      outcome = await runCatchup({
        gap,
        api,
        sink: storeSink(store, {
          ...(this.o.onCommitted ? { onCommitted: this.o.onCommitted } : {}),
          ...(this.o.receiverIdle ? { receiverIdle: this.o.receiverIdle } : {}),
        }),
        checkpoints: storeCheckpoints(store, this.o.receiverIdle ? { receiverIdle: this.o.receiverIdle } : {}),
        limits: effective,
        signal: this.abort.signal,
        now: this.now,
        ...(this.o.concurrency ? { concurrency: this.o.concurrency } : {}),
        onProgress: (p) => {
          if (!this.running) return;
          Object.assign(this.running, {
            phase: p.phase,
            chatsFound: p.chatsFound,
            chatsDone: p.chatsDone,
            recovered: p.recovered,
            requests: p.requests,
          });
          this.progressChanged();
        },
      });
    } finally {
      this.running = null;
    }
    const line = catchupLine(outcome);
    store.catchup.saveGap(gapRecordOf(outcome, line));
    this.progressChanged();
    this.announce(outcome, line);
    return outcome;
  }

  private async runPending(why: CatchupTrigger): Promise<void> {
    const gaps = this.pendingGaps();
    if (!gaps.length) return;
    if (why !== 'start') this.log(`catch-up: ${gaps.length === 1 ? 'a gap' : `${gaps.length} gaps`} to read (${why})`);
    this.queue.push(...gaps.filter((g) => !this.queue.some((q) => gapKey(q) === gapKey(g))));
    while (this.queue.length && !this.stopped) {
      const gap = this.queue[0]!;
      try {
        await this.runGap(gap);
      } finally {
        this.queue.shift();
      }
    }
  }

  state(): CatchupState {
    return {
      running: this.running ? { ...this.running, gap: { ...this.running.gap } } : null,
      queued: Math.max(0, this.queue.length - (this.running ? 1 : 0)),
      limits: this.limits(),
    };
  }

  /** One line per finished gap ("catch-up: offline 23:10–07:45 UTC, 37 messages recovered from 5 chats"). */
  onOutcome(listener: (o: CatchupOutcome, line: string) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  /** Progress of the running gap (chats done / found, messages recovered), at most once per page read. */
  onProgress(listener: (s: CatchupState) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Keeps limits as the setting for later runs (`serve --catchup-days N --catchup-chats N`). */
  saveLimits(limits: CatchupLimits): void {
    const given = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    if (Object.keys(given).length) this.o.store.meta.set('catchupLimits', { ...this.o.store.meta.get('catchupLimits'), ...given });
  }

  /**
   * Stops a run in flight (its checkpoint is kept: the next run of that gap resumes it) and, when
   * this service was receiving (`start`), marks the clean stop.
   */
  async stop(waitMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    if (this.pass) await Promise.race([this.pass, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    if (!this.timer) return;
    clearInterval(this.timer);
    try {
      this.o.store.catchup.mark('clean-stop', this.now());
    } catch (err) {
      this.log(`catch-up: could not write the clean-stop mark: ${(err as Error).message}`);
    }
  }

  private announce(o: CatchupOutcome, line: string): void {
    for (const l of this.outcomeListeners) {
      try {
        l(o, line);
      } catch (err) {
        this.log(`listener failed: ${(err as Error).message}`);
      }
    }
  }

  private progressChanged(): void {
    if (!this.progressListeners.size) return;
    const s = this.state();
    for (const l of this.progressListeners) {
      try {
        l(s);
      } catch (err) {
        this.log(`listener failed: ${(err as Error).message}`);
      }
    }
  }

  private log(line: string): void {
    (this.o.log ?? ((l: string) => process.stderr.write(`hookwatch: ${l}\n`)))(line);
  }
}

/**
 * Whether a catch-up is running, as another process (`hookwatch status`) can tell from the store: a
 * gap row still `running`, written by an app whose last heartbeat or start is recent. A row left
 * `running` by an app that quit or crashed is not.
 */
export function catchupRunningFromStore(
  store: Pick<HookwatchStore, 'catchup'>,
  now: number,
  heartbeatMs = DEFAULT_HEARTBEAT_MS,
): { running: boolean; since: number | null } {
  const marks = store.catchup.marks(now - WAKE_FACTOR * heartbeatMs);
  const last = marks[marks.length - 1];
  const alive = last !== undefined && last.kind !== 'clean-stop';
  const row = alive ? store.catchup.listGaps(20).find((g) => g.status === 'running') : undefined;
  return { running: row !== undefined, since: row?.startedAt ?? null };
}
