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

/** Rows per commit: a page of the API; a few ms of the thread the receiver shares. */
const STORE_CHUNK = 50;

type SinkStore = Pick<HookwatchStore, 'ingest' | 'listEvents' | 'transaction'> & {
  knownMessageUids?: (uids: readonly string[]) => Set<string>;
  transactionWithoutSync?: <T>(fn: () => T) => T;
};

/**
 * A sink over the store. With a `knownMessageUids(uids)` method (one indexed query on
 * events.message_uid) it uses that; otherwise it reads the chat's message events once per chat
 * and run through `listEvents` and remembers what it stored since.
 */
export function storeSink(
  store: SinkStore,
  options: { now?: () => number; onCommitted?: (c: CommittedDelivery) => void } = {},
): CatchupSink {
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
      // Commits of at most STORE_CHUNK rows, yielding to the event loop between them: the receiver
      // shares this thread, and a webhook waiting behind one long transaction of 500 rows waits for
      // all of it (measured in bench/catchup.ts). A commit per message would be a disk sync per message.
      for (let i = 0; i < items.length; i += STORE_CHUNK) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = items.slice(i, i + STORE_CHUNK);
        // Without an fsync of its own (measured: 10,000 messages spent 4 s of the receiver's thread in
        // fsyncs): the engine saves its checkpoint after this in a commit that syncs, which makes these
        // rows durable first; a crash before it loses only rows the resumed run reads again.
        const write = () => chunk.map((item) => store.ingest(recoveredDelivery(item, now()), [item.event]));
        const committed = store.transactionWithoutSync ? store.transactionWithoutSync(write) : store.transaction(write);
        for (const item of chunk) perChat.get(item.chatId)?.add(item.event.messageUid ?? '');
        // After the commit, as the receiver announces its own: the live feed, alerts and the hub hear of them.
        if (options.onCommitted) for (const c of committed) options.onCommitted(c);
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

/** Checkpoints in the store's meta table, one key per gap. */
export function storeCheckpoints(store: Pick<HookwatchStore, 'meta'>): CatchupCheckpoints {
  const all = (): Record<string, unknown> => store.meta.get('catchupCheckpoints') ?? {};
  return {
    load: (key) => {
      const c = all()[key];
      return isCheckpoint(c, key) ? c : null;
    },
    save: (key, checkpoint) => {
      // A finished run keeps its checkpoint too: running the same gap again then costs no request.
      store.meta.set('catchupCheckpoints', { ...all(), [key]: checkpoint });
    },
  };
}

function isCheckpoint(v: unknown, key: string): v is CatchupCheckpoint {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<CatchupCheckpoint>;
  return c.version === 1 && c.gapKey === key && typeof c.phase === 'string' && typeof c.nextChatPage === 'number';
}
