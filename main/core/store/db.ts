// The database connection: open with the pragmas we rely on, the statement cache and transactions.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, fdatasync, openSync } from 'node:fs';
import { StoreError } from './errors.js';
import { LATEST_SCHEMA_VERSION, migrate } from './migrations.js';

export { StoreDataError, StoreError } from './errors.js';

export type Durability = 'full' | 'normal';

export interface OpenOptions {
  /** `full` (default) fsyncs every commit, so an acknowledged event survives a power cut, not only a crash. */
  durability?: Durability;
  /** Refuse to create a database that does not exist yet (for read commands). */
  mustExist?: boolean;
  /** Migrate only up to this version (tests of migrations on old data). */
  migrateTo?: number;
}

function restrictToOwner(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(f)) chmodSync(f, 0o600);
    } catch {
      /* not ours to change (a read-only copy, another owner): opening still works */
    }
  }
}

/**
 * One open connection. Only the table modules of this folder hold it: everything else goes through
 * their typed functions (HookwatchStore composes them), so SQL and its row shapes stay here.
 */
export class Db {
  private readonly statementCache = new Map<string, Database.Statement>();
  /** Called after each top-level commit of `transaction` (see handOffCheckpoints). */
  private afterCommit: (() => void) | null = null;
  /** The statements of `transaction`, prepared at its first use. */
  private txStatements: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Database.Statement> | null = null;
  /** The write-ahead log, opened on the first syncWal (see there). */
  private walFd: number | null = null;

  private constructor(
    readonly file: string,
    private readonly handle: Database.Database,
    private readonly durability: Durability,
    private readonly wal: boolean,
  ) {}

  static open(file: string, options: OpenOptions = {}): Db {
    if (options.mustExist && !existsSync(file)) {
      throw new StoreError(`no Hookwatch database at ${file} (start \`hookwatch serve\` once, or pass --data DIR)`);
    }
    let handle: Database.Database | undefined;
    try {
      handle = new Database(file, { fileMustExist: options.mustExist ?? false });
      // The database holds the webhook secret and every customer message: readable by its owner only,
      // whatever folder --data points at.
      restrictToOwner(file);
      handle.pragma('busy_timeout = 5000');
      // WAL can be refused (some network filesystems): the database then stays in rollback mode, and every
      // commit syncs itself (see syncWal).
      const wal = String(handle.pragma('journal_mode = WAL', { simple: true })).toLowerCase() === 'wal';
      handle.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
      handle.pragma('foreign_keys = ON');
      // Sorts and temporary b-trees (the search-index batch, ANALYZE) stay off the disk.
      handle.pragma('temp_store = MEMORY');
      migrate(handle, options.migrateTo ?? LATEST_SCHEMA_VERSION);
      return new Db(file, handle, options.durability ?? 'full', wal);
    } catch (err) {
      handle?.close();
      if (err instanceof StoreError) throw err;
      const code = err instanceof Error && 'code' in err ? String(err.code) : '';
      const message = err instanceof Error ? err.message : String(err);
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new StoreError(`${file} is not a readable Hookwatch database (${message}); move it aside or pass another --data folder`, {
          cause: err,
        });
      }
      throw new StoreError(`cannot open the database ${file}: ${message}`, { cause: err });
    }
  }

  /**
   * Prepared once, on first use, and kept: statements on tables of later migrations must not be prepared
   * at open (a database migrated only part way for a test has no such table yet).
   */
  cached(sql: string): Database.Statement {
    let stmt = this.statementCache.get(sql);
    if (!stmt) {
      stmt = this.handle.prepare(sql);
      this.statementCache.set(sql, stmt);
    }
    return stmt;
  }

  /** A statement whose text varies with its input (IN lists); not worth keeping. */
  prepareOnce(sql: string): Database.Statement {
    return this.handle.prepare(sql);
  }

  get inTransaction(): boolean {
    return this.handle.inTransaction;
  }

  /**
   * Runs `fn` in a transaction (a savepoint when nested). A top-level transaction is IMMEDIATE: it takes
   * the write lock up front, waiting (busy_timeout) for the receiver's writer thread, instead of starting
   * as a reader and failing with SQLITE_BUSY when it first writes.
   */
  transaction<T>(fn: () => T): T {
    // What better-sqlite3's db.transaction(fn) does, with its statements prepared once: that one builds four
    // wrapper functions and their properties on every call, and every group commit of the receiver is a call.
    const s = (this.txStatements ??= {
      begin: this.handle.prepare('BEGIN IMMEDIATE'),
      commit: this.handle.prepare('COMMIT'),
      rollback: this.handle.prepare('ROLLBACK'),
      savepoint: this.handle.prepare('SAVEPOINT hookwatch_nested'),
      release: this.handle.prepare('RELEASE hookwatch_nested'),
      rollbackTo: this.handle.prepare('ROLLBACK TO hookwatch_nested'),
    });
    const nested = this.handle.inTransaction;
    (nested ? s.savepoint : s.begin).run();
    let value: T;
    try {
      value = fn();
      if (isThenable(value)) throw new TypeError('a transaction cannot wait for a promise: its work must be synchronous');
      (nested ? s.release : s.commit).run();
    } catch (err) {
      // SQLite may have rolled the whole transaction back already (a full disk): then there is nothing to undo.
      if (this.handle.inTransaction) {
        if (nested) {
          s.rollbackTo.run();
          s.release.run();
        } else s.rollback.run();
      }
      throw err;
    }
    if (!nested) this.afterCommit?.();
    return value;
  }

  /**
   * Like `transaction`, but its commit does not fsync: for work that can be redone from what is stored
   * (the search index). In WAL mode its frames become durable with the next commit that syncs, and a
   * crash before that only loses index rows that the next batch writes again. Saves an fsync per batch.
   */
  transactionWithoutSync<T>(fn: () => T): T {
    if (this.durability !== 'full' || this.handle.inTransaction) return this.transaction(fn);
    this.cached('PRAGMA synchronous = NORMAL').run();
    try {
      return this.transaction(fn);
    } finally {
      this.cached('PRAGMA synchronous = FULL').run();
    }
  }

  /**
   * Makes every transaction committed so far durable, off the event loop: an fdatasync of the write-ahead
   * log on libuv's thread pool. Group commit pairs it with transactionWithoutSync: a commit with
   * `synchronous=NORMAL` writes its frames (commit marker included) without syncing, and this sync then
   * does exactly what `synchronous=FULL` does inside the commit (README, "Stored before answered"), while
   * the thread goes on reading and committing the next requests. Checkpoints still sync the log first and
   * the database after (NORMAL keeps that), so a power cut loses at most transactions whose sync had not
   * finished: never an acknowledged one. Null when a sync cannot be deferred (see canDeferSync): those
   * commits synced themselves. SQLite deletes the log only when its last connection closes, and this
   * connection stays open while it is used, so the descriptor stays on the live file; 'r+' because
   * Windows flushes only a handle opened for writing.
   */
  syncWal(): Promise<void> | null {
    if (!this.canDeferSync) return null;
    if (this.walFd === null) this.walFd = openSync(`${this.file}-wal`, 'r+');
    const fd = this.walFd;
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Whether a commit's sync can be left to syncWal: only for a durable database in WAL mode on a file. In
   * rollback mode (WAL refused) or in memory there is no log to sync, so transactionWithoutSync would not
   * be made durable by it: commits then sync themselves, as `synchronous=FULL` does.
   */
  get canDeferSync(): boolean {
    return this.durability === 'full' && this.wal && !this.handle.memory;
  }

  get schemaVersion(): number {
    return Number(this.handle.pragma('user_version', { simple: true }));
  }

  /**
   * Changes whenever another connection (another process, or the writer thread) commits; stays the same
   * across this connection's own commits. About 1 µs, against several for a read of the meta table.
   */
  dataVersion(): number {
    return Number(this.cached('PRAGMA data_version').pluck().get());
  }

  /** Folds the write-ahead log into the database file and refreshes the query planner's statistics. */
  checkpointAndAnalyze(): void {
    this.handle.pragma('wal_checkpoint(TRUNCATE)');
    this.handle.exec('ANALYZE');
  }

  /**
   * Another connection (the checkpoint thread, main/core/store/checkpointer.ts) folds the write-ahead
   * log into the file from now on: this connection stops doing it inside its own commits (an automatic
   * checkpoint writes and fsyncs up to 1000 pages on the committing thread, every few hundred requests),
   * and calls `afterCommit` after each of its transactions so the other side knows there is work.
   * Returns the undo: automatic checkpoints again (if that thread stops or dies).
   */
  handOffCheckpoints(afterCommit: () => void): () => void {
    this.handle.pragma('wal_autocheckpoint = 0');
    this.afterCommit = afterCommit;
    return () => {
      this.afterCommit = null;
      if (this.handle.open) this.handle.pragma('wal_autocheckpoint = 1000');
    };
  }

  close(): void {
    if (this.walFd !== null) {
      closeSync(this.walFd);
      this.walFd = null;
    }
    if (this.handle.open) this.handle.close();
  }

  /** For tests only (they corrupt, age or inspect rows on purpose); application code never sees the handle. */
  get rawForTests(): Database.Database {
    return this.handle;
  }
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
