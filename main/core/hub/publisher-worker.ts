// The hub publisher's thread: drains the outbox to JetStream with its own SQLite and NATS connections (see publisher-thread.ts).
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { HookwatchStore } from '../store/store.js';
import { HubLink } from './connection.js';
import { HubPublisher, storeOutbox, type PublisherStatus } from './publisher.js';
import { COUNTER, CONTROL, type PublisherWorkerData, type PublisherWorkerMessage } from './publisher-thread.js';

const data = workerData as PublisherWorkerData;

/**
 * This thread's scheduling priority below the receiver's (Linux: nice 10 for this thread only, found by
 * its thread id). Publishing must never slow receiving: on a busy two-core machine the publisher, the
 * receiver and nats-server share the cores, and the publishing side's CPU per event is larger than the
 * receiver's (`npm run bench -- hub` reports both). With a lower priority the receiver's thread gets a
 * core when they compete, and the publisher uses what is left, catching up as soon as the burst ends
 * (the outbox keeps everything meanwhile). Elsewhere (no /proc/thread-self) the priority stays as it is.
 */
const PUBLISHER_NICE = 10;
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), PUBLISHER_NICE);
} catch {
  /* not Linux, or not allowed: the thread runs at the process's priority */
}
const control = new Int32Array(data.control);
const counters = new Float64Array(data.counters);
const post = (m: PublisherWorkerMessage) => parentPort!.postMessage(m);
// A thread started again after one died goes on counting from where that one stopped.
const base = { published: counters[COUNTER.published]!, duplicates: counters[COUNTER.duplicates]! };
function share(s: Pick<PublisherStatus, 'published' | 'duplicates' | 'lastPublishedAt'>): void {
  counters[COUNTER.published] = base.published + s.published;
  counters[COUNTER.duplicates] = base.duplicates + s.duplicates;
  if (s.lastPublishedAt !== null) counters[COUNTER.lastPublishedAt] = s.lastPublishedAt;
}
/** Messages in this thread's last acknowledged batch (sets how long a wake-up gathers), and its count before it. */
let lastBatch = 0;
let sentBefore = 0;

// Its own connection to the database the receiver writes: WAL lets it read the outbox beside the
// receiver's commits. It only reads: the receiver's thread deletes the sent rows (see publisher-thread.ts),
// so this thread never waits for the write lock the receiver holds most of the time.
const store = HookwatchStore.open(data.file, { durability: 'normal', mustExist: true });
const link = new HubLink(data.link);
const publisher = new HubPublisher({
  link,
  outbox: storeOutbox(store, data.workspace, {
    onPosition: (sentThrough) => (counters[COUNTER.sentThrough] = sentThrough),
    deletesElsewhere: {
      emptied: () => Atomics.load(control, CONTROL.emptied),
      onIdle: (sentThrough) => post({ type: 'idle', sentThrough }),
    },
  }),
  ...(data.stream ? { stream: data.stream } : {}),
  ...(data.window ? { window: data.window } : {}),
  ...(data.publishTimeoutMs ? { publishTimeoutMs: data.publishTimeoutMs } : {}),
  onChange: (s) => {
    share(s);
    post({ type: 'status', state: s.state, lastError: s.lastError });
  },
  // Counters only (no message): the main thread reads them when someone asks for the status.
  onProgress: (s) => {
    share(s);
    const sent = s.published + s.duplicates;
    lastBatch = sent - sentBefore;
    sentBefore = sent;
  },
  beforeRead: () => {
    // Cleared before the read: a commit after this point sets it again (and wakes this thread if it sleeps).
    Atomics.store(control, CONTROL.wake, 0);
    const taken = onTaken;
    onTaken = null;
    taken?.();
  },
});

let stopping = false;
/** How long a wake-up waits for more commits before the publisher reads: after a batch of one event… */
const GATHER_MS = 5;
/**
 * …and while events come in a stream (the last batch held several). Each read and each batch of
 * publishes has a fixed cost (a SQLite read transaction whose page cache the receiver's commits emptied,
 * a socket write, nats-server waking up): measured in rounds of 3,000 events on a loaded two-core machine,
 * this thread spent 610–850 µs per event and nats-server 230–270 with 5 ms, against 390–580 and 110–160
 * with 25 ms, CPU the receiver's thread then does not have to share. A lone event still waits only 5 ms.
 * During a burst too: after a batch that took all the outbox held, the publisher waits for this wake-up
 * before reading again (publisher.ts); that took this thread from 173–257 to 80–163 µs per event and
 * nats-server from 73–100 to 37–120 (`npm run bench -- hub`, 2026-12-01, with the pipelined publishes).
 * 50 ms measured no clearly better (77–140 against 100–117 in the same runs) and doubles the wait.
 */
const BUSY_GATHER_MS = 25;

/** Resolves the wake loop's wait once the publisher has read (and so cleared the wake flag). */
let onTaken: (() => void) | null = null;

/** Atomics.waitAsync (Node 16+, ES2024): the compiler's library for this project predates it. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/**
 * Wake-ups without messages: the receiver's thread sets the wake flag after its commits and notifies
 * only when the flag was clear; the flag is cleared only right before the publisher reads the outbox.
 * So between a wake-up and the read it leads to (the gathering wait, then encoding, publishing, waiting for the
 * acks) commits cost the receiver's thread one atomic exchange each and nothing else, and this thread
 * wakes at most once per read, however many commits came meanwhile. Measured: with a notify per commit
 * (the publisher is faster than the receiver, so it always waited) Atomics.notify took about 30 µs of
 * the receiver's thread per event on a loaded machine, a tenth of an event's cost.
 */
async function wakeLoop(): Promise<void> {
  while (!stopping) {
    const w = waitAsync(control, CONTROL.wake, 0);
    if (w.async) await w.value;
    if (stopping) break;
    // Let the commits of the next few milliseconds join this read: they find the flag still set and do
    // not notify. Costs each message at most BUSY_GATHER_MS of latency (the hub → follower p99 target is 250 ms).
    await new Promise((resolve) => setTimeout(resolve, lastBatch > 1 ? BUSY_GATHER_MS : GATHER_MS));
    // Wait for the read that clears the flag before waiting on the flag again (it is still set now).
    const taken = new Promise<void>((resolve) => (onTaken = resolve));
    publisher.notify();
    await taken;
  }
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  Atomics.store(control, CONTROL.wake, 1);
  Atomics.notify(control, CONTROL.wake);
  onTaken?.();
  const done = publisher.stop();
  // A broker that never answered: the publisher still waits for its first connection, which only
  // closing the link ends. When connected, the batch in flight finishes (acked rows are deleted) first.
  if (link.state !== 'up') void link.close();
  const late = setTimeout(() => void link.close(), 5000);
  await done;
  clearTimeout(late);
  await link.close();
  store.close();
  parentPort!.close();
}

parentPort!.on('message', (m: { type: 'stop' }) => {
  if (m.type === 'stop') void stop();
});

publisher.start();
void wakeLoop();
