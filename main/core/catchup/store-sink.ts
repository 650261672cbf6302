/**
 * The catch-up sink and checkpoints over HookwatchStore's public methods: recovered messages go
 * in through `ingest` (one logged record per message, so the detail shows the API's object as
 * the raw body), known uids come from `listEvents`, checkpoints live in the store's JSON meta.
 */
import type { CommittedDelivery } from '../store/ingest.js';
import type { DeliveryRecord, EventFilter, HookwatchStore, StoredEvent } from '../store/store.js';
import type { CatchupCheckpoint, CatchupCheckpoints, CatchupSink } from './engine.js';
import type { RecoveredMessage } from './recovered.js';

/** The delivery log's `reason` for a recovered message: not a webhook delivery, read back from the API. */
export const RECOVERED_DELIVERY_REASON = 'catch-up';

/**
 * Rows per commit: about half a millisecond of the thread the receiver shares (a webhook arriving
 * meanwhile waits for it). 50 took 1.2 ms at the median and up to 7 in bench/catchup.ts.
 */
const STORE_CHUNK = 25;

/**
 * The longest a commit waits for the receiver to fall idle: under a steady stream of webhooks it may
 * never be, and catch-up must still finish (it then commits between the receiver's groups, as before).
 */
const IDLE_WAIT_MS = 100;

type SinkStore = Pick<HookwatchStore, 'ingest' | 'listEvents' | 'transaction'> & {
  knownMessageUids?: (uids: readonly string[]) => Set<string>;
  transactionWithoutSync?: <T>(fn: () => T) => T;
  syncWal?: () => Promise<void> | null;
};

export interface StoreSinkOptions {
  now?: () => number;
  onCommitted?: (c: CommittedDelivery) => void;
  /**
   * Resolves when the receiver has nothing waiting to be written or synced (Receiver.idle). Catch-up
   * commits in those pauses, so a webhook rarely waits behind a recovered chunk.
   */
  receiverIdle?: () => Promise<void>;
  /** The longest one commit waits for `receiverIdle` (default IDLE_WAIT_MS). */
  idleWaitMs?: number;
}

/** `idle`, or `ms` later, whichever comes first. */
async function idleOrTimeout(idle: Promise<void>, ms = IDLE_WAIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * A sink over the store. With a `knownMessageUids(uids)` method (one indexed query on
 * events.message_uid) it uses that; otherwise it reads the chat's message events once per chat
 * and run through `listEvents` and remembers what it stored since.
 */
export function storeSink(store: SinkStore, options: StoreSinkOptions = {}): CatchupSink {
  const now = options.now ?? Date.now;
  const perChat = new Map<string, Set<string>>();
  const knownInChat = (chatId: string): Set<string> => {
    let set = perChat.get(chatId);
    if (!set) {
      set = new Set<string>();
      const filter: EventFilter = { chat: chatId, type: 'message', limit: 100_000 };
      let page: StoredEvent[];
      do {
        page = store.listEvents(filter);
        for (const e of page) if (e.messageUid && e.type !== 'message:reaction') set.add(e.messageUid);
        filter.beforeId = page[page.length - 1]?.id;
      } while (page.length === filter.limit);
      perChat.set(chatId, set);
    }
    return set;
  };
  return {
    known(uids, chatId) {
      if (store.knownMessageUids) return store.knownMessageUids(uids);
      const set = knownInChat(chatId);
      return new Set(uids.filter((u) => set.has(u)));
    },
    async storeRecovered(items) {
      // Commits of at most STORE_CHUNK rows, each in a pause of the receiver: it shares this thread, and
      // a webhook waiting behind one long transaction of 500 rows waits for all of it (measured in
      // bench/catchup.ts). A commit per message would rewrite the tables' last pages into the log per message.
      for (let i = 0; i < items.length; i += STORE_CHUNK) {
        if (options.receiverIdle) await idleOrTimeout(options.receiverIdle(), options.idleWaitMs);
        else if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = items.slice(i, i + STORE_CHUNK);
        // Committed without an fsync on this thread (10,000 messages once spent 4 s of the receiver's
        // thread in fsyncs), then synced on libuv's thread pool (Db.syncWal) before the next chunk: left
        // unsynced, the chunk's log frames would be written out by the receiver's next sync, and the
        // webhook waiting on that sync would wait for them too. Where a sync cannot be deferred (see
        // Db.canDeferSync) the commit synced itself and syncWal is null.
        const write = () => chunk.map((item) => store.ingest(recoveredDelivery(item, now()), [item.event]));
        const committed = store.transactionWithoutSync ? store.transactionWithoutSync(write) : store.transaction(write);
        for (const item of chunk) perChat.get(item.chatId)?.add(item.event.messageUid ?? '');
        // After the commit, as the receiver announces its own: the live feed, alerts and the hub hear of them.
        if (options.onCommitted) for (const c of committed) options.onCommitted(c);
        if (store.transactionWithoutSync) await store.syncWal?.();
      }
    },
  };
}

/** The delivery-log record of one recovered message: a GET of the API, the message object as its body. */
export function recoveredDelivery(item: RecoveredMessage, at: number): DeliveryRecord {
  const body = Buffer.from(JSON.stringify(item.raw));
  return {
    receivedAt: at,
    method: 'GET',
    path: `/chats/${item.chatId}/messages`,
    forcedProvider: 'timelines',
    remoteAddr: null,
    status: 200,
    reason: RECOVERED_DELIVERY_REASON,
    latencyMs: 0,
    size: body.length,
    contentType: 'application/json',
    headers: {},
    body,
    bodyTruncated: false,
  };
}

type CheckpointStore = Pick<HookwatchStore, 'meta'> & Partial<Pick<HookwatchStore, 'transactionWithoutSync' | 'syncWal'>>;

/** Checkpoints in the store's meta table, one key per gap. */
export function storeCheckpoints(
  store: CheckpointStore,
  options: Pick<StoreSinkOptions, 'receiverIdle' | 'idleWaitMs'> = {},
): CatchupCheckpoints {
  const all = (): Record<string, unknown> => store.meta.get('catchupCheckpoints') ?? {};
  return {
    load: (key) => {
      const c = all()[key];
      return isCheckpoint(c, key) ? c : null;
    },
    save: async (key, checkpoint) => {
      // A finished run keeps its checkpoint too: running the same gap again then costs no request.
      const write = () => store.meta.set('catchupCheckpoints', { ...all(), [key]: checkpoint });
      if (!store.transactionWithoutSync || !store.syncWal) return write();
      // About a millisecond (every gap's checkpoint is one JSON value): in a pause of the receiver, as the rows are.
      if (options.receiverIdle) await idleOrTimeout(options.receiverIdle(), options.idleWaitMs);
      // Saved means on the disk, but a sync on this thread held every webhook behind it (3–11 ms, once per
      // flush, in bench/catchup.ts): it runs on libuv's thread pool instead, as the receiver's own do
      // (Db.syncWal), and the engine awaits it before going on. Where a sync cannot be deferred, the
      // commit synced itself and syncWal is null.
      store.transactionWithoutSync(write);
      await store.syncWal();
    },
  };
}

function isCheckpoint(v: unknown, key: string): v is CatchupCheckpoint {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<CatchupCheckpoint>;
  return c.version === 1 && c.gapKey === key && typeof c.phase === 'string' && typeof c.nextChatPage === 'number';
}
