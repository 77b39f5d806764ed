import type { Clock } from '../core/clock.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';

/** The rate_limit_hits scope of failed staff logins (the booking limiter has scopes of its own). */
const SCOPE = 'staff_login';
/** Old hits are deleted every this many attempts rather than on each one. */
const PURGE_EVERY = 100;

/** One budget an attempt draws from: a key (`user:name@address`, `ip:address`) and its limit. */
export interface LoginBudget {
  key: string;
  max: number;
}

/**
 * Sliding-window counters of login attempts, kept in the database (table rate_limit_hits) rather
 * than in memory: server instances behind one proxy share the budget, and a restart does not reset
 * an attacker's count. A window slides, so a burst cannot be timed across a fixed window's edge.
 * Checking and counting happen in one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
 * lock per key), so parallel guesses cannot all slip past the last free attempt.
 */
export class LoginLimiter {
  private sincePurge = 0;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /**
   * Counts one attempt against every budget, or against none when one is exhausted: 0 when counted
   * (before the password is checked, so parallel guesses count too), else the milliseconds until
   * the tightest exhausted budget has room again.
   */
  async attempt(budgets: readonly LoginBudget[]): Promise<number> {
    const now = this.clock.now();
    const from = now - this.windowMs;
    const purge = ++this.sincePurge >= PURGE_EVERY;
    if (purge) this.sincePurge = 0;
    return this.sql.transaction(async (tx) => {
      if (tx.engine === 'postgres')
        // READ COMMITTED lets two transactions count the same rows; the lock makes them take turns.
        // Sorted, so two attempts sharing keys always lock in the same order (no deadlock).
        for (const key of budgets.map((b) => b.key).sort())
          await tx.run('SELECT pg_advisory_xact_lock(hashtext($1))', [`${SCOPE}:${key}`]);
      let wait = 0;
      for (const b of budgets) {
        // The hit that has to leave the window before one more is allowed: the max-th newest.
        const nth = await tx.one<{ at: number }>(
          `SELECT at FROM rate_limit_hits WHERE scope = $1 AND key = $2 AND at > $3
           ORDER BY at DESC LIMIT 1 OFFSET $4`,
          [SCOPE, b.key, from, b.max - 1],
        );
        if (nth !== undefined) wait = Math.max(wait, Math.max(1, nth.at + this.windowMs - now));
      }
      if (wait > 0) return wait;
      for (const b of budgets)
        await tx.run('INSERT INTO rate_limit_hits (scope, key, at) VALUES ($1, $2, $3)', [SCOPE, b.key, now]);
      if (purge) await tx.run('DELETE FROM rate_limit_hits WHERE scope = $1 AND at <= $2', [SCOPE, from]);
      return 0;
    });
  }

  /** Takes back the latest attempt of `key` (it was counted up front, and it turned out to succeed). */
  async undo(key: string): Promise<void> {
    // The table has no key column: each engine's own row address picks exactly one of several hits
    // with the same time (SQLite's rowid, PostgreSQL's ctid).
    const ref = this.sql.engine === 'postgres' ? 'ctid' : 'rowid';
    await this.sql.run(
      `DELETE FROM rate_limit_hits WHERE ${ref} = (SELECT ${ref} FROM rate_limit_hits
         WHERE scope = $1 AND key = $2 ORDER BY at DESC LIMIT 1)`,
      [SCOPE, key],
    );
  }

  /** A success clears the key (a user who finally typed it right is not punished for the typos). */
  async reset(key: string): Promise<void> {
    await this.sql.run('DELETE FROM rate_limit_hits WHERE scope = $1 AND key = $2', [SCOPE, key]);
  }
}
