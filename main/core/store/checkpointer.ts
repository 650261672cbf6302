// Starts and stops the WAL checkpoint thread for the receiver's connection (see checkpoint-worker.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HookwatchStore } from './store.js';

/** Slots of the shared Int32Array between the writer's thread and the checkpoint thread. */
export const CHECKPOINT_SLOTS = { commits: 0, stop: 1 } as const;

export interface CheckpointWorkerData {
  file: string;
  control: SharedArrayBuffer;
  pauseMs: number;
  restartPages: number;
  truncatePages: number;
}

/** The compiled worker script next to this module, or (running from TypeScript sources in tests) in dist/. */
function checkpointWorkerScript(): URL | null {
  // A variable, not a literal (see writerWorkerScript): Vite would rewrite a literal as an asset URL.
  const name = './checkpoint-worker.js';
  const sibling = new URL(name, import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const compiled = new URL('../../../dist/main/core/store/checkpoint-worker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : null;
}

export interface CheckpointerOptions {
  /** How long commits gather before the next checkpoint (ms). */
  pauseMs?: number;
  /** A log this long (pages) after a PASSIVE checkpoint gets a RESTART one (the log starts over): 1024 pages are 4 MiB. */
  restartPages?: number;
  /** This long, a TRUNCATE one (the file shrinks to nothing): 16384 pages are 64 MiB. */
  truncatePages?: number;
  log?: (line: string) => void;
}

/**
 * WAL checkpoints on their own thread. With SQLite's automatic checkpoint, every ~1000 pages of log the
 * committing thread (the receiver's event loop) copies those pages into the database file and fsyncs it
 * inside a commit: a stall of several ms every few hundred requests, and CPU on the busiest thread.
 * Here the writer's connection stops checkpointing and bumps a shared counter after each commit (an
 * atomic add, no message); a worker thread with its own connection sleeps on that counter and runs a
 * PASSIVE checkpoint at most every `pauseMs` (and a RESTART once the log is long, see checkpoint-worker.ts).
 * Idle, it sleeps without a timer (no wake-ups).
 *
 * Durability is unchanged: a commit is durable once its WAL frames are fsynced, whoever checkpoints
 * later. If the thread dies, the writer's connection checkpoints by itself again.
 *
 * On by default for a durable database (HOOKWATCH_CHECKPOINTS=inline turns it off; see checkpointsOnThread
 * in core.ts). Measured alone while the commits' fsync still blocked the event loop, it saved a little
 * main-thread CPU but no throughput (the database file's fsync competed with the log's); with the log's
 * fsync off the event loop too, it came out ahead in most alternating rounds (docs/benchmarks.md).
 */
export class WalCheckpointer {
  private readonly ctl: Int32Array;
  private exited: Promise<void>;
  private stopping = false;

  private constructor(
    private readonly worker: Worker,
    control: SharedArrayBuffer,
    restore: () => void,
    log: (line: string) => void,
  ) {
    this.ctl = new Int32Array(control);
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        restore();
        if (!this.stopping) log(`the WAL checkpoint thread stopped (exit code ${code}); checkpoints run on the writer's thread again`);
        resolve();
      });
    });
    worker.on('error', (err) => log(`the WAL checkpoint thread failed: ${err.message}`));
  }

  /** Null when the worker script is not built: the connection then keeps checkpointing by itself. */
  static start(store: HookwatchStore, options: CheckpointerOptions = {}): WalCheckpointer | null {
    const script = checkpointWorkerScript();
    if (!script) return null;
    const control = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const ctl = new Int32Array(control);
    const data: CheckpointWorkerData = {
      file: store.file,
      control,
      pauseMs: options.pauseMs ?? 200,
      restartPages: options.restartPages ?? 1024,
      truncatePages: options.truncatePages ?? 16_384,
    };
    const worker = new Worker(script, { workerData: data });
    // Never the reason the process stays up; stop() ends it properly.
    worker.unref();
    const restore = store.handOffCheckpoints(() => {
      Atomics.add(ctl, CHECKPOINT_SLOTS.commits, 1);
      Atomics.notify(ctl, CHECKPOINT_SLOTS.commits);
    });
    return new WalCheckpointer(worker, control, restore, options.log ?? (() => {}));
  }

  /** Ends the thread (after the checkpoint it may be running) and gives checkpoints back to the writer's connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Unref'd so it never keeps the process up; while we wait for it to end it must, or an otherwise idle
    // event loop exits under the wait (a failed start, say: exit code 13, an unsettled top-level await).
    this.worker.ref();
    Atomics.store(this.ctl, CHECKPOINT_SLOTS.stop, 1);
    Atomics.notify(this.ctl, CHECKPOINT_SLOTS.stop);
    Atomics.add(this.ctl, CHECKPOINT_SLOTS.commits, 1);
    Atomics.notify(this.ctl, CHECKPOINT_SLOTS.commits);
    await this.exited;
  }
}
