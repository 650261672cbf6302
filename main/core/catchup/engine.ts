/**
 * One catch-up run: for a gap in receiving, list the chats active since it began, read their
 * messages from the gap, and store every one not already stored, marked as recovered.
 *
 * - Bounded: never further back than `daysBack`, never more than `maxChats` chats (both said in
 *   the outcome when they cut the run short).
 * - Paced by the API port (the TimelinesAI adapter shares the client's 30 req/s limiter with
 *   every other call Hookwatch makes, which is what a per-IP limit needs); a 429 that still gets
 *   through pauses every worker until its Retry-After and the request is tried again.
 * - Resumable: a checkpoint (phase, chats found, each chat's message cursor) is saved as it goes;
 *   a run of the same gap continues from it. Saving the checkpoint is not atomic with storing
 *   the messages, and need not be: a page read twice stores nothing twice (the sink's `known`).
 * - Exactly once: a message whose uid is already stored, under any message type (a webhook got
 *   it before), is skipped; the events carry the webhook's dedupe key `uid:<uid>`, so a webhook
 *   of the same type that arrives later is a redelivery.
 * - Never delays the receiver: it only awaits the network and the sink, a page at a time.
 */
import type { ApiChat, ApiMessage, CatchupApi, CatchupCallError } from './api.js';
import { gapKey, type Gap } from './gaps.js';
import { isRecoverableMessage, recoveredEvent, type RecoveredMessage } from './recovered.js';

const DAY = 86_400_000;

export interface CatchupSink {
  /** Which of these message uids are already stored, under any message type (reactions aside: their uid is the message reacted to). */
  known(uids: readonly string[], chatId: string): Set<string> | Promise<Set<string>>;
  /** Stores recovered messages; called with the new ones of one page at a time. */
  storeRecovered(items: readonly RecoveredMessage[]): void | Promise<void>;
}

export interface ChatProgress {
  id: string;
  name: string | null;
  phone: string | null;
  jid: string | null;
  isGroup: boolean;
  accountId: string | null;
  lastMessageAt: number | null;
  /** The last message read (oldest first); the next page starts after it. */
  cursor: string | null;
  done: boolean;
  recovered: number;
}

/** Everything needed to continue an interrupted run; JSON-serialisable. */
export interface CatchupCheckpoint {
  version: 1;
  gapKey: string;
  window: { after: number; before: number };
  phase: 'chats' | 'recheck' | 'messages' | 'done';
  /** The next page of `GET /chats` to read. */
  nextChatPage: number;
  /** When the chat listing began: a chat whose latest message is newer may have jumped ahead of our page. */
  listingStartedAt: number | null;
  recheckPage: number;
  chats: ChatProgress[];
  truncatedChats: boolean;
  truncatedDays: boolean;
  messagesSeen: number;
  recovered: number;
  alreadyStored: number;
  skippedNonMessages: number;
  chatsGone: number;
  requests: number;
  rateLimitWaits: number;
  startedAt: number;
}

export interface CatchupCheckpoints {
  load(key: string): CatchupCheckpoint | null | Promise<CatchupCheckpoint | null>;
  save(key: string, checkpoint: CatchupCheckpoint): void | Promise<void>;
}

export interface CatchupLimits {
  /** Never read messages older than this many days before now. Default 7. */
  daysBack?: number;
  /** At most this many chats (the most recently active first). Default 500. */
  maxChats?: number;
}

export interface CatchupProgress {
  gapKey: string;
  phase: CatchupCheckpoint['phase'];
  chatsFound: number;
  chatsDone: number;
  messagesSeen: number;
  recovered: number;
  requests: number;
}

export type CatchupStatus = 'done' | 'interrupted' | 'failed' | 'no-token' | 'nothing-to-do';

export interface CatchupOutcome {
  gap: Pick<Gap, 'start' | 'end' | 'reason' | 'reasons'>;
  gapKey: string;
  status: CatchupStatus;
  /** What was asked of the API (epoch ms); null when the gap is older than `daysBack`. */
  window: { after: number; before: number } | null;
  chatsScanned: number;
  /** Chats in which at least one message was recovered. */
  chatsWithRecovered: number;
  messagesSeen: number;
  recovered: number;
  alreadyStored: number;
  skippedNonMessages: number;
  /** Chats that no longer exist (404 on their messages): skipped. */
  chatsGone: number;
  requests: number;
  rateLimitWaits: number;
  truncatedChats: boolean;
  truncatedDays: boolean;
  /** Why the run stopped early (interrupted, failed, no token), in words a person can act on. */
  error: string | null;
  startedAt: number;
  finishedAt: number;
}

export interface CatchupRunOptions {
  gap: Pick<Gap, 'start' | 'end' | 'reason' | 'reasons'>;
  api: CatchupApi;
  sink: CatchupSink;
  checkpoints?: CatchupCheckpoints;
  limits?: CatchupLimits;
  /** Widens the window on both sides: a message near the edge may not have arrived by webhook. Default 2 min. */
  marginMs?: number;
  /** Chats read at the same time. Default 8: enough to keep 30 req/s busy over real latencies. */
  concurrency?: number;
  /** Successive 429s on one request before the run is interrupted (to resume later). Default 6. */
  maxRateLimitRetries?: number;
  /** A Retry-After longer than this interrupts the run instead of waiting. Default 5 min. */
  maxRetryAfterMs?: number;
  /**
   * Recovered messages are stored in batches, at most this often (and at 500 messages, and at the
   * end), each followed by the checkpoint. A commit per page would be a disk sync per page.
   * Default 500 ms.
   */
  flushEveryMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: CatchupProgress) => void;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

class Stop extends Error {
  constructor(
    readonly status: CatchupStatus,
    message: string,
  ) {
    super(message);
  }
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** The window of a gap under the limits; null when all of it is older than `daysBack`. */
export function catchupWindow(
  gap: Pick<Gap, 'start' | 'end'>,
  now: number,
  daysBack: number,
  marginMs: number,
): { after: number; before: number; truncatedDays: boolean } | null {
  const floor = now - daysBack * DAY;
  const before = Math.min(gap.end + marginMs, now);
  if (before <= floor) return null;
  const wanted = gap.start - marginMs;
  return { after: Math.max(wanted, floor), before, truncatedDays: wanted < floor };
}

export async function runCatchup(o: CatchupRunOptions): Promise<CatchupOutcome> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const daysBack = o.limits?.daysBack ?? 7;
  const maxChats = Math.max(1, Math.floor(o.limits?.maxChats ?? 500));
  const marginMs = o.marginMs ?? 120_000;
  const key = gapKey(o.gap);
  const startedAt = now();

  let cp = await o.checkpoints?.load(key);
  if (cp && (cp.version !== 1 || cp.gapKey !== key)) cp = null;
  if (!cp) {
    const w = catchupWindow(o.gap, startedAt, daysBack, marginMs);
    if (!w) return outcomeOf(o.gap, key, null, 'nothing-to-do', null, startedAt, now());
    cp = {
      version: 1,
      gapKey: key,
      window: { after: w.after, before: w.before },
      phase: 'chats',
      nextChatPage: 1,
      listingStartedAt: null,
      recheckPage: 1,
      chats: [],
      truncatedChats: false,
      truncatedDays: w.truncatedDays,
      messagesSeen: 0,
      recovered: 0,
      alreadyStored: 0,
      skippedNonMessages: 0,
      chatsGone: 0,
      requests: 0,
      rateLimitWaits: 0,
      startedAt,
    };
  }
  const state = cp;
  if (state.phase === 'done') return outcomeOf(o.gap, key, state, 'done', null, startedAt, now());

  const progress = () =>
    o.onProgress?.({
      gapKey: key,
      phase: state.phase,
      chatsFound: state.chats.length,
      chatsDone: state.chats.filter((c) => c.done).length,
      messagesSeen: state.messagesSeen,
      recovered: state.recovered,
      requests: state.requests,
    });
  const save = async () => {
    await o.checkpoints?.save(key, state);
  };
  let flush = save;

  // One 429 pauses everyone: TimelinesAI limits per IP, not per request.
  let pausedUntil = 0;
  const maxRetries = o.maxRateLimitRetries ?? 6;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? 300_000;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      if (o.signal?.aborted) throw new Stop('interrupted', 'catch-up was stopped before it finished; it resumes where it stopped');
      const wait = pausedUntil - now();
      if (wait > 0) await sleep(wait, o.signal);
      if (o.signal?.aborted) throw new Stop('interrupted', 'catch-up was stopped before it finished; it resumes where it stopped');
      state.requests++;
      try {
        return await fn();
      } catch (err) {
        const e = err as CatchupCallError;
        if (e?.code === 'missing_credentials') throw new Stop('no-token', e.message);
        if (e?.kind === 'rate-limited' || e?.status === 429) {
          const after = e.retryAfterMs ?? 1000 * 2 ** Math.min(attempt - 1, 5);
          if (attempt > maxRetries || after > maxRetryAfterMs) {
            throw new Stop('interrupted', `TimelinesAI kept limiting requests (${e.message}); catch-up resumes where it stopped`);
          }
          state.rateLimitWaits++;
          pausedUntil = Math.max(pausedUntil, now() + after);
          continue;
        }
        throw err;
      }
    }
  };

  try {
    // 1. The chats active since the gap began: the list is newest first, so stop at the first older one.
    if (state.phase === 'chats') {
      state.listingStartedAt ??= now();
      while (state.phase === 'chats') {
        const page = await call(() => o.api.listChats(state.nextChatPage));
        const reachedOlder = addChats(state, page.chats, maxChats);
        state.nextChatPage++;
        if (!page.hasMore || reachedOlder || state.truncatedChats || page.chats.length === 0) state.phase = 'recheck';
        await save();
        progress();
      }
    }
    // 2. A chat that got a message while we listed jumped to page 1, perhaps past our page: read
    //    the top again while it holds only chats active since the listing began.
    if (state.phase === 'recheck') {
      const since = state.listingStartedAt ?? startedAt;
      const maxPages = Math.ceil(maxChats / 50) + 1;
      while (state.phase === 'recheck') {
        if (state.truncatedChats || state.recheckPage > maxPages) {
          state.phase = 'messages';
          break;
        }
        const page = await call(() => o.api.listChats(state.recheckPage));
        state.recheckPage++;
        const fresh = page.chats.filter((c) => c.lastMessageAt !== null && c.lastMessageAt >= since - 60_000);
        addChats(state, fresh, maxChats);
        if (!page.hasMore || fresh.length < page.chats.length) state.phase = 'messages';
        await save();
      }
    }
    // 3. Each chat's messages from the window, oldest first, a page at a time.
    if (state.phase === 'messages') {
      // The checkpoint is saved only right after the messages read so far are stored, so a
      // checkpoint never points past a message that is not in the store.
      let pending: RecoveredMessage[] = [];
      let lastFlush = now();
      // One flush at a time, in order, each saving the state as it was when it took its messages: the
      // sink may yield while it stores (the receiver shares the thread), and meanwhile other chats move
      // their cursors past messages that are not stored yet.
      let flushing: Promise<void> = Promise.resolve();
      flush = () => {
        const run = flushing.then(async () => {
          const items = pending;
          pending = [];
          lastFlush = now();
          const snapshot = JSON.parse(JSON.stringify(state)) as CatchupCheckpoint;
          if (items.length) await o.sink.storeRecovered(items);
          await o.checkpoints?.save(key, snapshot);
        });
        flushing = run.catch(() => {});
        return run;
      };
      const flushSoon = async () => {
        if (pending.length >= 500 || now() - lastFlush >= (o.flushEveryMs ?? 500)) await flush();
      };
      const queue = state.chats.filter((c) => !c.done);
      let failure: unknown = null;
      const worker = async () => {
        while (failure === null) {
          const chat = queue.shift();
          if (!chat) return;
          try {
            await readChat(chat);
          } catch (err) {
            failure ??= err;
          }
        }
      };
      const readChat = async (chat: ChatProgress) => {
        while (!chat.done && failure === null) {
          let page;
          try {
            page = await call(() =>
              o.api.listMessages(chat.id, { after: state.window.after, before: state.window.before, afterMessage: chat.cursor }),
            );
          } catch (err) {
            if ((err as CatchupCallError)?.kind === 'not-found' || (err as CatchupCallError)?.status === 404) {
              // Deleted since it was listed: nothing to recover there.
              chat.done = true;
              state.chatsGone++;
              break;
            }
            throw err;
          }
          await takePage(chat, page.messages);
          if (!page.hasMore || page.messages.length === 0) chat.done = true;
          await flushSoon();
          progress();
        }
      };
      const takePage = async (chat: ChatProgress, messages: ApiMessage[]) => {
        state.messagesSeen += messages.length;
        const wanted = messages.filter((m) => {
          if (isRecoverableMessage(m)) return true;
          state.skippedNonMessages++;
          return false;
        });
        const known = wanted.length
          ? await o.sink.known(
              wanted.map((m) => m.uid),
              chat.id,
            )
          : new Set<string>();
        const fetchedAt = now();
        const items: RecoveredMessage[] = [];
        for (const m of wanted) {
          if (known.has(m.uid)) {
            state.alreadyStored++;
            continue;
          }
          items.push({
            event: recoveredEvent(chat, m, { gapStart: o.gap.start, gapEnd: o.gap.end, fetchedAt }),
            raw: m.raw,
            chatId: chat.id,
          });
        }
        pending.push(...items);
        chat.recovered += items.length;
        state.recovered += items.length;
        const last = messages[messages.length - 1];
        if (last) chat.cursor = last.uid;
      };
      const workers = Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 8, queue.length)) }, worker);
      await Promise.all(workers);
      if (failure !== null) throw failure;
      state.phase = 'done';
    }
    await flush();
    progress();
    return outcomeOf(o.gap, key, state, 'done', null, startedAt, now());
  } catch (err) {
    // Store what was read before stopping; if even that fails, the previous checkpoint stands.
    try {
      await flush();
    } catch (storeErr) {
      return outcomeOf(o.gap, key, state, 'failed', `could not store recovered messages: ${(storeErr as Error).message}`, startedAt, now());
    }
    if (err instanceof Stop) return outcomeOf(o.gap, key, state, err.status, err.message, startedAt, now());
    const e = err as CatchupCallError;
    const transient = e?.kind === 'server' || e?.kind === 'network' || e?.kind === 'timeout';
    const message = typeof e?.message === 'string' ? e.message : String(err);
    return outcomeOf(
      o.gap,
      key,
      state,
      transient ? 'interrupted' : 'failed',
      transient ? `${message}; catch-up resumes where it stopped` : message,
      startedAt,
      now(),
    );
  }
}

/** Adds the listed chats active in the window; true once the list reached chats older than it. */
function addChats(state: CatchupCheckpoint, chats: readonly ApiChat[], maxChats: number): boolean {
  let reachedOlder = false;
  for (const c of chats) {
    // No messages at all: nothing to recover, and no defined place in the order to reason about.
    if (c.lastMessageAt === null) continue;
    if (c.lastMessageAt < state.window.after) {
      reachedOlder = true;
      continue;
    }
    if (state.chats.some((k) => k.id === c.id)) continue;
    if (state.chats.length >= maxChats) {
      state.truncatedChats = true;
      break;
    }
    state.chats.push({ ...c, cursor: null, done: false, recovered: 0 });
  }
  return reachedOlder;
}

function outcomeOf(
  gap: CatchupRunOptions['gap'],
  key: string,
  s: CatchupCheckpoint | null,
  status: CatchupStatus,
  error: string | null,
  startedAt: number,
  finishedAt: number,
): CatchupOutcome {
  return {
    gap: { start: gap.start, end: gap.end, reason: gap.reason, reasons: [...gap.reasons] },
    gapKey: key,
    status,
    window: s ? { ...s.window } : null,
    chatsScanned: s?.chats.length ?? 0,
    chatsWithRecovered: s?.chats.filter((c) => c.recovered > 0).length ?? 0,
    messagesSeen: s?.messagesSeen ?? 0,
    recovered: s?.recovered ?? 0,
    alreadyStored: s?.alreadyStored ?? 0,
    skippedNonMessages: s?.skippedNonMessages ?? 0,
    chatsGone: s?.chatsGone ?? 0,
    requests: s?.requests ?? 0,
    rateLimitWaits: s?.rateLimitWaits ?? 0,
    truncatedChats: s?.truncatedChats ?? false,
    truncatedDays: s?.truncatedDays ?? false,
    error,
    startedAt: s?.startedAt ?? startedAt,
    finishedAt,
  };
}

/** The outcome of a gap that cannot be caught up because no TimelinesAI token is set. */
export function noTokenOutcome(gap: CatchupRunOptions['gap'], now: number, why: string): CatchupOutcome {
  return outcomeOf(gap, gapKey(gap), null, 'no-token', why, now, now);
}
