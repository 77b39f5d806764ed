import type { Clock } from '../clock.ts';
import { sqlErrorKind, type SqlDatabase, type SqlExecutor } from '../storage/sql/port.ts';
import { WriteBatch } from '../storage/write-batch.ts';

/** 0 when taken; else the milliseconds until the tightest exhausted budget has room, and its index. */
export interface Decision {
  retryAfterMs: number;
  refusedBy?: number;
}

/** One budget a request draws from: a key (an address, a subnet) and how many hits it may have. */
export interface Budget {
  key: string;
  max: number;
}

/** Tries of a batched take or give-back that lost a deadlock to another instance's batch. */
const TRIES = 4;

/**
 * A sliding-window limiter kept in the database (table rate_limit_hits). Unlike an in-memory limiter
 * it survives a restart, and server instances that share the database share the budget, so neither
 * a restart nor a second instance behind the proxy resets an attacker's count. Checking and
 * recording run in one transaction: on SQLite the write lock orders them; on PostgreSQL (READ
 * COMMITTED lets two transactions count the same rows) an advisory lock per key does, so two
 * instances cannot both take the last hit.
 */
export class PersistentLimiter {
  private sincePurge = 0;
  private readonly batch: WriteBatch;

  constructor(
    private readonly sql: SqlDatabase,
    private readonly clock: Clock,
    private readonly scope: string,
    private readonly windowMs: number,
  ) {
    this.batch = new WriteBatch(sql);
  }

  /**
   * Takes one hit from every budget, or from none: the answer is 0 when taken, else the milliseconds
   * until the tightest exhausted budget has room again and the index of that budget.
   */
  take(budgets: Budget[]): Promise<Decision> {
    return this.sql.transaction((tx) => this.decide(tx, budgets));
  }

  /**
   * take(), decided in one transaction with the other requests of this event-loop turn (group
   * commit: one commit per request was the largest cost of a booking under a burst). Each request
   * still sees the hits of those decided before it, so no budget is overdrawn.
   */
  takeBatched(budgets: Budget[]): Promise<Decision> {
    return retryDeadlock(() => this.batch.run((tx) => this.decide(tx, budgets)));
  }

  /** Gives back the latest hit of each budget (the request it was taken for was refused anyway). */
  giveBack(budgets: Budget[]): Promise<void> {
    return this.sql.transaction((tx) => this.undo(tx, budgets));
  }

  /** giveBack(), committed with the other writes of this event-loop turn. */
  giveBackBatched(budgets: Budget[]): Promise<void> {
    return retryDeadlock(() => this.batch.run((tx) => this.undo(tx, budgets)));
  }

  private async decide(tx: SqlExecutor, budgets: Budget[]): Promise<Decision> {
    const now = this.clock.now();
    const from = now - this.windowMs;
    await this.lock(tx, budgets);
    let worst = { retryAfterMs: 0, refusedBy: undefined as number | undefined };
    for (const [i, b] of budgets.entries()) {
      // The hit that has to leave the window before one more is allowed: the max-th newest.
      const nth = await tx.one<{ at: number }>(
        `SELECT at FROM rate_limit_hits WHERE scope = $1 AND key = $2 AND at > $3
         ORDER BY at DESC LIMIT 1 OFFSET $4`,
        [this.scope, b.key, from, b.max - 1],
      );
      if (nth === undefined) continue;
      const wait = Math.max(1, nth.at + this.windowMs - now);
      if (wait > worst.retryAfterMs) worst = { retryAfterMs: wait, refusedBy: i };
    }
    if (worst.retryAfterMs > 0) return worst;
    for (const b of budgets)
      await tx.run('INSERT INTO rate_limit_hits (scope, key, at) VALUES ($1, $2, $3)', [this.scope, b.key, now]);
    // Old hits are deleted now and then rather than on every request.
    if (++this.sincePurge >= 100) {
      this.sincePurge = 0;
      await tx.run('DELETE FROM rate_limit_hits WHERE scope = $1 AND at <= $2', [this.scope, from]);
    }
    return { retryAfterMs: 0 };
  }

  private async undo(tx: SqlExecutor, budgets: Budget[]): Promise<void> {
    await this.lock(tx, budgets);
    // The table has no key column: each engine's own row address picks exactly one of several hits
    // with the same time (SQLite's rowid, PostgreSQL's ctid).
    const ref = tx.engine === 'postgres' ? 'ctid' : 'rowid';
    for (const b of budgets)
      await tx.run(
        `DELETE FROM rate_limit_hits WHERE ${ref} = (SELECT ${ref} FROM rate_limit_hits
           WHERE scope = $1 AND key = $2 ORDER BY at DESC LIMIT 1)`,
        [this.scope, b.key],
      );
  }

  /** PostgreSQL: the keys' advisory locks until the transaction ends, sorted (one order for everyone). */
  private async lock(tx: SqlExecutor, budgets: Budget[]): Promise<void> {
    if (tx.engine !== 'postgres') return;
    for (const key of budgets.map((b) => b.key).sort())
      await tx.run('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.scope}:${key}`]);
  }
}

/**
 * Jobs of one batch lock their keys one job after another, so two instances' batches can wait on
 * each other; PostgreSQL then fails one statement with a deadlock (40P01), which rolls back only
 * that job. The request is decided again in a later batch rather than answered with a 500.
 */
async function retryDeadlock<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (sqlErrorKind(err) !== 'conflict' || i >= TRIES) throw err;
    }
  }
}
