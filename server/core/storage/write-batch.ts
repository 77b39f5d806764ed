import type { Database } from 'better-sqlite3';
import { SqlError } from './sql/port.ts';

interface Job {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

export interface WriteBatchHooks {
  /** Runs first in every batch's transaction (work that each job would otherwise repeat). */
  begin?(): void;
  /** Runs after a batch committed, before its jobs' promises settle. */
  committed?(): void;
  /** Runs after a batch rolled back as a whole. */
  rolledBack?(): void;
}

export interface WriteBatchOptions {
  /** At most this many jobs per transaction, so early requests are not held behind a long queue. */
  maxJobs?: number;
  /**
   * How long a batch waits for a transaction that someone else holds open on the connection across
   * awaits before its jobs are rejected (VOLNO_DB_TRANSACTION). The default matches busy_timeout,
   * the wait for another process's write lock.
   */
  outerTransactionWaitMs?: number;
}

/**
 * Group commit. Jobs queued during one turn of the event loop run one after another in ONE
 * `BEGIN IMMEDIATE` transaction, each in its own savepoint: a job that throws rolls back only its
 * own writes and rejects only its own promise, and every job sees the rows of the jobs before it,
 * so checks that hold for one transaction per job hold here too. A promise resolves only after the
 * commit, so nothing is reported done that a crash could lose.
 *
 * Why: a booking's commit (~10 pages into the WAL) cost more than its checks and insert; with 200
 * racing requests the event loop spent most of its time committing one booking (and one rate-limit
 * hit) at a time. Used by the public booking path and the booking rate limiter (issue 14, item 5).
 *
 * SQLite only (better-sqlite3's synchronous savepoints). The hook for PostgreSQL (issue 14, item 4):
 * the same grouping is one pooled connection's transaction with a SAVEPOINT per job, and there the
 * exclusion constraint, not the order of the jobs, is what refuses a double booking.
 */
export class WriteBatch {
  private queue: Job[] = [];
  private scheduled = false;
  /** When a flush first found the connection inside someone else's transaction (performance.now()). */
  private outerSince: number | undefined;
  private readonly maxJobs: number;
  private readonly outerTransactionWaitMs: number;

  constructor(
    private readonly db: Database,
    private readonly hooks: WriteBatchHooks = {},
    options: WriteBatchOptions = {},
  ) {
    this.maxJobs = options.maxJobs ?? 64;
    this.outerTransactionWaitMs = options.outerTransactionWaitMs ?? 5000;
  }

  /** Runs `fn` inside the next batch's transaction; settles after that transaction commits. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's other requests have queued theirs (they are parsed in the same poll phase).
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    if (this.db.inTransaction) {
      this.waitForOuterTransaction();
      return;
    }
    this.outerSince = undefined;
    this.scheduled = false;
    const jobs = this.queue.splice(0, this.maxJobs);
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          this.hooks.begin?.();
          for (const job of jobs) {
            try {
              // A transaction function called inside a transaction runs in a savepoint.
              outcomes.push({ ok: true, value: this.db.transaction(job.fn)() });
            } catch (err) {
              // Some errors (SQLITE_FULL, SQLITE_IOERR) end the whole transaction: every job fails.
              if (!this.db.inTransaction) throw err;
              outcomes.push({ ok: false, err });
            }
          }
        })
        .immediate();
    } catch (err) {
      this.hooks.rolledBack?.();
      for (const job of jobs) job.reject(err);
      return;
    }
    try {
      this.hooks.committed?.();
    } finally {
      jobs.forEach((job, i) => {
        const o = outcomes[i]!;
        if (o.ok) job.resolve(o.value);
        else job.reject(o.err);
      });
    }
  }

  /**
   * A flush runs in its own turn of the event loop, so a transaction open now is one that someone
   * holds across awaits: a hand-made BEGIN, as sql/copy.ts holds for its read snapshot. better-sqlite3
   * would turn this batch's transaction into a savepoint of it: the jobs would resolve and `committed`
   * fire before any real COMMIT, and its ROLLBACK would undo them. So wait until it ends, polling every
   * millisecond (setImmediate would spin a core while it awaits I/O), and reject the queued jobs with
   * a clear error if it never does. The async SQLite driver refuses such a transaction on a shared
   * connection (the root: every synchronous store suffers from it); this guard keeps WriteBatch's
   * own promise whoever else opens one.
   */
  private waitForOuterTransaction(): void {
    const now = performance.now();
    this.outerSince ??= now;
    if (now - this.outerSince < this.outerTransactionWaitMs) {
      setTimeout(() => this.flush(), 1); // `scheduled` stays true: this is the queue's one flush
      return;
    }
    this.outerSince = undefined;
    this.scheduled = false;
    const err = new SqlError(
      'VOLNO_DB_TRANSACTION',
      `a transaction held open on this connection for over ${this.outerTransactionWaitMs} ms kept a write batch ` +
        'from starting its own; a connection that WriteBatch uses must not hold a transaction across awaits',
    );
    for (const job of this.queue.splice(0)) job.reject(err);
  }
}
