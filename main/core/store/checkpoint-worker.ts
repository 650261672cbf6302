// The WAL checkpoint thread: folds the write-ahead log into the database file off the receiver's thread.
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import { CHECKPOINT_SLOTS, type CheckpointWorkerData } from './checkpointer.js';

const { file, control, pauseMs, restartPages, truncatePages } = workerData as CheckpointWorkerData;
const ctl = new Int32Array(control);

// Its own connection: a PASSIVE checkpoint runs beside the writer's commits (it takes no write lock), so
// the receiver never waits for it. FULL: the checkpoint fsyncs the database file before the log is reused.
const db = new Database(file, { fileMustExist: true });
// Hardly any waiting: a RESTART or TRUNCATE checkpoint that holds the write lock while it waits for a
// reader holds the receiver's commits back meanwhile. 10 ms lets it slip in between two commits under load
// (the write lock is free while the event loop gathers the next group); busy past that, it does what a
// PASSIVE one would and the next round tries again.
db.pragma('busy_timeout = 10');
db.pragma('synchronous = FULL');
// Never checkpoint from this connection's own (absent) commits; and never the close-time checkpoint either:
// the writer's connection closes last and does that.
db.pragma('wal_autocheckpoint = 0');

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

function checkpoint(): void {
  const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
  if (!passive || passive.log < restartPages) return;
  // A PASSIVE checkpoint copies what it can, but under steady traffic new commits land while it runs, so
  // it never ends with the whole log copied, and only then may the writer start the log over: the log
  // would grow without end. Past the bound, a RESTART takes the write lock for a moment (the rest of the
  // log, then an fsync of the database file), so the writer's next commit starts the log from the top,
  // reusing the file (cheaper to fsync than a file that keeps growing). Far past it (readers held the
  // log), TRUNCATE also gives the disk space back.
  db.pragma(passive.log >= truncatePages ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(RESTART)');
}

const stopped = () => Atomics.load(ctl, CHECKPOINT_SLOTS.stop) !== 0;
// From 0, not the counter's value now: commits made while this thread was starting count too.
let seen = 0;
try {
  while (!stopped()) {
    // Asleep (no timer, no wake-up) until a commit bumps the counter or stop() does.
    Atomics.wait(ctl, CHECKPOINT_SLOTS.commits, seen);
    if (stopped()) break;
    // Let commits gather for a moment: one checkpoint per pause however many commits came meanwhile.
    Atomics.wait(ctl, CHECKPOINT_SLOTS.stop, 0, pauseMs);
    seen = Atomics.load(ctl, CHECKPOINT_SLOTS.commits);
    checkpoint();
  }
} finally {
  db.close();
}
