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

  /**
   * Each step is one statement for all budgets (lock, read, insert): inside a group commit every
   * statement is a round trip on PostgreSQL, and the jobs of a batch run one after another.
   */
  private async decide(tx: SqlExecutor, budgets: Budget[]): Promise<Decision> {
    if (budgets.length === 0) return { retryAfterMs: 0 };
    const now = this.clock.now();
    const from = now - this.windowMs;
    await this.lock(tx, budgets);
    // Per budget, the hit that has to leave the window before one more is allowed: the max-th newest.
    const nth = budgets.map(
      (_, i) => `(SELECT at FROM rate_limit_hits WHERE scope = :scope AND key = :k${i} AND at > :from
        ORDER BY at DESC LIMIT 1 OFFSET :o${i}) AS a${i}`,
    );
    const row = (await tx.one<Record<string, number | null>>(`SELECT ${nth.join(', ')}`, {
      scope: this.scope,
      from,
      ...keyParams(budgets),
      ...Object.fromEntries(budgets.map((b, i) => [`o${i}`, b.max - 1])),
    }))!;
    let worst = { retryAfterMs: 0, refusedBy: undefined as number | undefined };
    budgets.forEach((_, i) => {
      const at = row[`a${i}`];
      if (at === null || at === undefined) return;
      const wait = Math.max(1, at + this.windowMs - now);
      if (wait > worst.retryAfterMs) worst = { retryAfterMs: wait, refusedBy: i };
    });
    if (worst.retryAfterMs > 0) return worst;
    const values = budgets.map((_, i) => `(:scope, :k${i}, :now)`).join(', ');
    await tx.run(`INSERT INTO rate_limit_hits (scope, key, at) VALUES ${values}`, {
      scope: this.scope,
      now,
      ...keyParams(budgets),
    });
    // Old hits are deleted now and then rather than on every request.
    if (++this.sincePurge >= 100) {
      this.sincePurge = 0;
      await tx.run('DELETE FROM rate_limit_hits WHERE scope = $1 AND at <= $2', [this.scope, from]);
    }
    return { retryAfterMs: 0 };
  }

  private async undo(tx: SqlExecutor, budgets: Budget[]): Promise<void> {
    if (budgets.length === 0) return;
    await this.lock(tx, budgets);
    // The table has no key column: each engine's own row address picks exactly one of several hits
    // with the same time (SQLite's rowid, PostgreSQL's ctid). The latest hit of each budget's key.
    const ref = tx.engine === 'postgres' ? 'ctid' : 'rowid';
    const latest = budgets.map(
      (_, i) => `(SELECT ${ref} FROM rate_limit_hits WHERE scope = :scope AND key = :k${i} ORDER BY at DESC LIMIT 1)`,
    );
    await tx.run(`DELETE FROM rate_limit_hits WHERE ${ref} IN (${latest.join(', ')})`, {
      scope: this.scope,
      ...keyParams(budgets),
    });
  }

  /** PostgreSQL: the keys' advisory locks until the transaction ends, sorted (one order for everyone). */
  private async lock(tx: SqlExecutor, budgets: Budget[]): Promise<void> {
    if (tx.engine !== 'postgres') return;
    const keys = budgets.map((b) => `${this.scope}:${b.key}`).sort();
    // One statement; a function's rows come in order, so the locks are taken in the sorted order.
    await tx.run('SELECT pg_advisory_xact_lock(hashtext(k)) FROM string_to_table($1, chr(1)) AS k', [
      keys.join('\u0001'),
    ]);
  }
}

const keyParams = (budgets: Budget[]) => Object.fromEntries(budgets.map((b, i) => [`k${i}`, b.key]));

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
