import { AsyncResource } from 'node:async_hooks';
import type { SqlDatabase, SqlExecutor } from './sql/port.ts';

type Work = (tx: SqlExecutor) => Promise<unknown>;

interface Job {
  fn: Work;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

export interface WriteBatchHooks {
  /** Runs first in every batch's transaction (work that each job would otherwise repeat). */
  begin?(tx: SqlExecutor): Promise<void> | void;
  /** Runs after a batch committed, before its jobs' promises settle. */
  committed?(): void;
  /** Runs after a batch rolled back as a whole. */
  rolledBack?(): void;
}

export interface WriteBatchOptions {
  /** At most this many jobs per transaction, so early requests are not held behind a long queue. */
  maxJobs?: number;
}

/**
 * Group commit. Jobs queued during one turn of the event loop run one after another in ONE
 * `sql.transaction`, each in its own nested transaction (a savepoint): a job that throws rolls
 * back only its own writes and rejects only its own promise, and every job sees the rows of the
 * jobs before it, so checks that hold for one transaction per job hold here too. A promise settles
 * only after the COMMIT, so nothing is reported done that a crash could lose; a failed COMMIT (or a
 * transaction that ended under a job) rejects every job of the batch.
 *
 * One batch is in flight at a time: what is queued meanwhile forms the next batch, which starts
 * when this one has ended. On SQLite the batch holds the connection (BEGIN IMMEDIATE); on
 * PostgreSQL it is one pooled connection's transaction, and between server instances it is the
 * database's constraints (bookings' exclusion constraint), not the order of the jobs, that decide.
 *
 * Why: a booking's commit (~10 pages into the WAL) cost more than its checks and insert; with 200
 * racing requests the event loop spent most of its time committing one booking (and one rate-limit
 * hit) at a time. Used by the public booking path and the booking rate limiter (issue 14, item 5).
 */
export class WriteBatch {
  private queue: Job[] = [];
  private scheduled = false;
  private flushing = false;
  private readonly maxJobs: number;
  /**
   * Flushes run in the async context the batch was made in, not in that of whoever queued the
   * first job: a job queued from inside some transaction would otherwise carry that transaction's
   * context into the flush, and the SQLite driver refuses the root handle there.
   */
  private readonly scope = new AsyncResource('VolnoWriteBatch');

  constructor(
    private readonly sql: SqlDatabase | SqlExecutor,
    private readonly hooks: WriteBatchHooks = {},
    options: WriteBatchOptions = {},
  ) {
    this.maxJobs = options.maxJobs ?? 64;
  }

  /** Runs `fn` inside the next batch's transaction (`tx` is its savepoint); settles after the commit. */
  run<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // After this turn's other requests have queued theirs (they are parsed in the same poll phase).
    setImmediate(() =>
      this.scope.runInAsyncScope(() => {
        this.scheduled = false;
        void this.flush();
      }),
    );
  }

  private async flush(): Promise<void> {
    const jobs = this.queue.splice(0, this.maxJobs);
    if (jobs.length === 0) return;
    this.flushing = true;
    try {
      await this.runBatch(jobs);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async runBatch(jobs: Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.sql.transaction(async (tx) => {
        await this.hooks.begin?.(tx);
        const done: Outcome[] = [];
        for (const job of jobs) done.push(await runJob(tx, job.fn));
        return done;
      });
    } catch (err) {
      try {
        this.hooks.rolledBack?.();
      } finally {
        for (const job of jobs) job.reject(err);
      }
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
}

/**
 * One job in its own savepoint. Its own error is its outcome; any other (the savepoint could not be
 * opened or rolled back: the transaction ended under it, the connection broke) ends the batch.
 */
async function runJob(tx: SqlExecutor, fn: Work): Promise<Outcome> {
  const own: { err?: unknown } = {};
  try {
    const value = await tx.transaction(async (sp) => {
      try {
        return await fn(sp);
      } catch (err) {
        own.err = err;
        throw err;
      }
    });
    // Not returned from an async function: a thenable result would be adopted here, inside the transaction.
    return { ok: true, value };
  } catch (err) {
    if (!('err' in own) || err !== own.err) throw err;
    return { ok: false, err };
  }
}
