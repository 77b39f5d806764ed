import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../clock.ts';
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

/**
 * A sliding-window limiter kept in SQLite (table rate_limit_hits). Unlike the in-memory login
 * limiter it survives a restart, and server instances that share the database file share the
 * budget, so neither a restart nor a second instance behind the proxy resets an attacker's count.
 * Checking and recording run in one IMMEDIATE transaction, so two instances cannot both take the
 * last hit.
 */
export class PersistentLimiter {
  private readonly q: Record<'count' | 'nth' | 'insert' | 'undo' | 'purge', Statement>;
  private sincePurge = 0;
  private readonly batch: WriteBatch;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly scope: string,
    private readonly windowMs: number,
  ) {
    this.q = {
      count: db.prepare('SELECT count(*) FROM rate_limit_hits WHERE scope = ? AND key = ? AND at > ?').pluck(),
      // The hit that has to leave the window before one more is allowed.
      nth: db
        .prepare(
          'SELECT at FROM rate_limit_hits WHERE scope = ? AND key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?',
        )
        .pluck(),
      insert: db.prepare('INSERT INTO rate_limit_hits (scope, key, at) VALUES (?, ?, ?)'),
      undo: db.prepare(
        'DELETE FROM rate_limit_hits WHERE rowid = (SELECT rowid FROM rate_limit_hits WHERE scope = ? AND key = ? ORDER BY at DESC LIMIT 1)',
      ),
      purge: db.prepare('DELETE FROM rate_limit_hits WHERE scope = ? AND at <= ?'),
    };
    this.batch = new WriteBatch(db);
  }

  /**
   * Takes one hit from every budget, or from none: the answer is 0 when taken, else the milliseconds
   * until the tightest exhausted budget has room again and the index of that budget.
   */
  take(budgets: Budget[]): Decision {
    return this.db.transaction(() => this.decide(budgets)).immediate();
  }

  /**
   * take(), decided in one transaction with the other requests of this event-loop turn (group
   * commit: one commit per request was the largest cost of a booking under a burst). Each request
   * still sees the hits of those decided before it, so no budget is overdrawn.
   */
  takeBatched(budgets: Budget[]): Promise<Decision> {
    return this.batch.run(() => this.decide(budgets));
  }

  /** Gives back the latest hit of each budget (the request it was taken for was refused anyway). */
  giveBack(budgets: Budget[]): void {
    this.db.transaction(() => this.undo(budgets))();
  }

  /** giveBack(), committed with the other writes of this event-loop turn. */
  giveBackBatched(budgets: Budget[]): Promise<void> {
    return this.batch.run(() => this.undo(budgets));
  }

  private decide(budgets: Budget[]): Decision {
    const now = this.clock.now();
    const from = now - this.windowMs;
    let worst = { retryAfterMs: 0, refusedBy: undefined as number | undefined };
    budgets.forEach((b, i) => {
      const n = this.q.count.get(this.scope, b.key, from) as number;
      if (n < b.max) return;
      const at = this.q.nth.get(this.scope, b.key, from, b.max - 1) as number;
      const wait = Math.max(1, at + this.windowMs - now);
      if (wait > worst.retryAfterMs) worst = { retryAfterMs: wait, refusedBy: i };
    });
    if (worst.retryAfterMs > 0) return worst;
    for (const b of budgets) this.q.insert.run(this.scope, b.key, now);
    // Old hits are deleted now and then rather than on every request.
    if (++this.sincePurge >= 100) {
      this.sincePurge = 0;
      this.q.purge.run(this.scope, from);
    }
    return { retryAfterMs: 0 };
  }

  private undo(budgets: Budget[]): void {
    for (const b of budgets) this.q.undo.run(this.scope, b.key);
  }
}
