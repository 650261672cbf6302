// The receiver's database writer thread (see WorkerWriter in writer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { HookwatchStore, type CommittedDelivery, type DeliveryRecord } from '../store/store.js';
import { commitBatch } from './commit-queue.js';
import { runWriteJob, type WorkerReply, type WriteJob } from './writer.js';

const { file, durability } = workerData as { file: string; durability: 'full' | 'normal' };
// The main thread opened (and migrated) the database already.
const store = HookwatchStore.open(file, { durability, mustExist: true });

/** Structured clone turns a Buffer into a plain Uint8Array; SQLite binds only Buffers as BLOBs. */
function revive(d: DeliveryRecord): DeliveryRecord {
  return d.body && !Buffer.isBuffer(d.body) ? { ...d, body: Buffer.from(d.body as Uint8Array) } : d;
}

// Group commit on this side: every batch that arrived while the previous commit (and its fsync) ran is
// written in the next transaction. Messages are delivered before setImmediate callbacks run, so waiting
// one turn collects them all; the batch size then follows the disk's speed by itself.
let queued: Array<{ id: number; jobs: WriteJob[] }> = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  const batches = queued;
  queued = [];
  const jobs: WriteJob[] = [];
  for (const b of batches) for (const j of b.jobs) jobs.push({ delivery: revive(j.delivery), events: j.events });
  let outcomes: ReturnType<typeof commitBatch<CommittedDelivery>> | null = null;
  let fatal: string | null = null;
  try {
    outcomes = commitBatch(
      store,
      jobs.map((job) => () => runWriteJob(store, job)),
    );
  } catch (err) {
    fatal = (err as Error).message;
  }
  let at = 0;
  for (const b of batches) {
    let reply: WorkerReply;
    if (outcomes) {
      reply = {
        id: b.id,
        results: outcomes
          .slice(at, at + b.jobs.length)
          .map((o) =>
            o.ok
              ? { ok: true as const, value: o.value }
              : { ok: false as const, message: (o.error as Error).message, code: (o.error as { code?: string }).code },
          ),
      };
    } else {
      reply = { id: b.id, fatal: fatal ?? 'write failed' };
    }
    at += b.jobs.length;
    parentPort!.postMessage(reply);
  }
}

parentPort!.on('message', (msg: { id: number; jobs: WriteJob[] } | { close: true }) => {
  if ('close' in msg) {
    if (queued.length) flush();
    store.close();
    parentPort!.close();
    return;
  }
  queued.push(msg);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
