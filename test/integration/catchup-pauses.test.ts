/**
 * Catch-up shares the receiver's thread and disk: recovered messages are committed in the receiver's
 * pauses, a chunk at a time, each chunk and each checkpoint synced off the event loop before the next
 * one. A real core on a real SQLite file (synchronous=FULL, so syncs are deferred for real); only the
 * store's syncWal and the receiver's idle signal are held by the test to see the order of things.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiChat } from '../../main/core/catchup/api.js';
import { recoveredEvent, type RecoveredMessage } from '../../main/core/catchup/recovered.js';
import { storeCheckpoints, storeSink } from '../../main/core/catchup/store-sink.js';
import type { HookwatchStore } from '../../main/core/store/store.js';
import { postJson, startCore } from '../support/harness.js';
import { apiMessage } from '../support/timelines-chats.js';

const NOW = Date.now();
const MARKER = { gapStart: NOW - 3600_000, gapEnd: NOW - 60_000, fetchedAt: NOW };
const CHAT: ApiChat = { id: '9', name: 'Chat 9', phone: '+15550000009', jid: null, isGroup: false, accountId: null, lastMessageAt: null };

function items(n: number, prefix: string): RecoveredMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const m = apiMessage('9', `${prefix}-${i}`, MARKER.gapStart + i * 1000, { fromMe: i % 2 === 0, text: `recovered ${i}` });
    return { chatId: '9', event: recoveredEvent(CHAT, m, MARKER), raw: m.raw };
  });
}

/** Lets every callback already due run (several turns), without waiting on any clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The real store, with its syncs held until the test lets each one finish. */
function heldSyncs(store: HookwatchStore) {
  /** Each held sync: calling it lets the real sync finish, and resolves once it has. */
  const waiting: Array<() => Promise<void>> = [];
  const wrapped = {
    ingest: store.ingest.bind(store),
    listEvents: store.listEvents.bind(store),
    transaction: store.transaction.bind(store),
    transactionWithoutSync: store.transactionWithoutSync.bind(store),
    knownMessageUids: store.knownMessageUids.bind(store),
    meta: store.meta,
    syncWal: () => {
      const real = store.syncWal();
      expect(real).not.toBeNull(); // a durable file database: the sync is deferred for real
      return new Promise<void>((resolve, reject) => waiting.push(() => real!.then(resolve, reject)));
    },
  };
  return { store: wrapped, waiting };
}

let env: Awaited<ReturnType<typeof startCore>>;

beforeEach(async () => {
  env = await startCore({ durability: 'full' });
});

afterEach(async () => {
  await env.stop();
});

const storedOf = (list: RecoveredMessage[]) => env.core.store.knownMessageUids(list.map((i) => i.event.messageUid!)).size;

describe('catch-up commits in the receiver’s pauses', () => {
  it('commits nothing while the receiver is busy, then every chunk once it is idle', async () => {
    let idle!: () => void;
    const busy = new Promise<void>((resolve) => (idle = resolve));
    let asked = 0;
    const list = items(60, 'p');
    const sink = storeSink(env.core.store, {
      receiverIdle: () => (++asked === 1 ? busy : Promise.resolve()),
      idleWaitMs: 600_000,
    });
    const done = sink.storeRecovered(list);
    await settle();
    expect(asked).toBe(1);
    expect(storedOf(list)).toBe(0);
    // A webhook arriving meanwhile is answered at once: it does not wait behind catch-up.
    const answer = await postJson(env.url, { event_type: 'message:new', message: { message_uid: 'live-1', text: 'hi' } });
    expect(answer.status).toBe(200);
    expect(storedOf(list)).toBe(0);
    idle();
    await done;
    expect(storedOf(list)).toBe(60);
    expect(asked).toBe(3); // 25 + 25 + 10: one pause asked for per chunk
  });

  it('a receiver that never falls idle does not stop catch-up: each chunk waits a bounded time', async () => {
    const list = items(30, 'q');
    const sink = storeSink(env.core.store, { receiverIdle: () => new Promise<void>(() => {}), idleWaitMs: 5 });
    await sink.storeRecovered(list);
    expect(storedOf(list)).toBe(30);
  });
});

describe('catch-up syncs off the event loop', () => {
  it('syncs each chunk before it commits the next', async () => {
    const { store, waiting } = heldSyncs(env.core.store);
    const list = items(60, 's');
    let finished = false;
    const done = Promise.resolve(storeSink(store).storeRecovered(list)).then(() => (finished = true));
    await settle();
    expect(storedOf(list)).toBe(25);
    expect(waiting).toHaveLength(1);
    await waiting.shift()!();
    await settle();
    expect(storedOf(list)).toBe(50);
    await waiting.shift()!();
    await settle();
    expect(storedOf(list)).toBe(60);
    expect(finished).toBe(false); // the last chunk's sync is still running
    await waiting.shift()!();
    await done;
    expect(waiting).toHaveLength(0);
  });

  it('a checkpoint is saved only once its sync has finished, and a failed sync fails the save', async () => {
    const { store, waiting } = heldSyncs(env.core.store);
    const checkpoints = storeCheckpoints(store);
    const checkpoint = { version: 1, gapKey: 'g1', phase: 'messages', nextChatPage: 2 } as never;
    let saved = false;
    const save = Promise.resolve(checkpoints.save('g1', checkpoint)).then(() => (saved = true));
    await settle();
    // Committed (another reader sees it), not yet synced: the engine has not been told it is saved.
    expect(checkpoints.load('g1')).toMatchObject({ gapKey: 'g1', nextChatPage: 2 });
    expect(saved).toBe(false);
    await waiting.shift()!();
    await save;
    expect(saved).toBe(true);

    const failing = { ...store, syncWal: () => Promise.reject(new Error('EIO: the disk said no')) };
    await expect(
      Promise.resolve(storeCheckpoints(failing).save('g2', { ...(checkpoint as object), gapKey: 'g2' } as never)),
    ).rejects.toThrow(/EIO/);
  });
});
