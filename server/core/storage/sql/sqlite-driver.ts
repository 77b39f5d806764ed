import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, Statement } from 'better-sqlite3';
import { SqlExecutorBase, TransactionHandle, type SavepointStep } from './executor.ts';
import { translate } from './params.ts';
import { SqlError, type SqlDatabase, type SqlExecutor, type SqlParams, type SqlResult } from './port.ts';

/**
 * The async port over one better-sqlite3 connection. Statements still run synchronously (that is
 * what makes SQLite fast here); the promise only gives both engines one shape. An async
 * transaction cannot use better-sqlite3's `db.transaction()` (it refuses async functions), so it
 * is BEGIN IMMEDIATE … COMMIT by hand, and every other caller waits for it: on one connection
 * their statements would otherwise land inside it.
 */
export class SqliteSqlDatabase extends SqlExecutorBase implements SqlDatabase {
  readonly engine = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  /** Resolves when the transaction in progress (if any) has ended. */
  private gate: Promise<void> = Promise.resolve();
  /** Which transaction the running code is inside, to refuse the root handle there (it would wait forever). */
  private readonly inside = new AsyncLocalStorage<SqliteSqlDatabase>();
  private closed = false;

  /** Owns `db`: closing the port closes the connection. */
  constructor(readonly db: Database) {
    super();
  }

  query<Row>(sql: string, params?: SqlParams): Promise<SqlResult<Row>> {
    return this.whenFree(() => this.execute<Row>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.whenFree(() => void this.db.exec(sql));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let release!: () => void;
    // Taking the gate must happen in the same synchronous step as finding it free.
    await this.whenFree(() => {
      this.gate = new Promise<void>((resolve) => (release = resolve));
    });
    try {
      // IMMEDIATE takes the write lock at BEGIN: two instances sharing the file then wait on
      // busy_timeout instead of failing when a reader upgrades to a writer.
      this.db.exec('BEGIN IMMEDIATE');
      const tx = new SqliteTransaction(this, 0);
      try {
        const result = await this.inside.run(this, () => fn(tx));
        tx.end();
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        tx.end();
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.gate;
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }

  /**
   * Runs `fn` once no transaction is in progress, in the same synchronous step as the check (a
   * later microtask could find another waiter's transaction begun). Loops because another waiter
   * may have started the next transaction while this one slept.
   */
  private async whenFree<T>(fn: () => T): Promise<T> {
    if (this.inside.getStore() === this)
      throw new SqlError('VOLNO_DB_TRANSACTION', 'inside a transaction, use the transaction handle, not the database');
    for (;;) {
      if (this.closed) throw new SqlError('VOLNO_DB_CLOSED', 'the database is closed');
      const gate = this.gate;
      await gate;
      if (gate === this.gate && !this.closed) return fn();
    }
  }

  /** @internal Runs one statement now; the caller has ensured it owns the connection. */
  execute<Row>(sql: string, params: SqlParams | undefined): SqlResult<Row> {
    const { text, values } = translate(sql, params, 'sqlite');
    let stmt = this.statements.get(text);
    if (stmt === undefined) {
      stmt = this.db.prepare(text);
      if (this.statements.size >= 500) this.statements.clear();
      this.statements.set(text, stmt);
    }
    if (stmt.reader) {
      const rows = stmt.all(...values) as Row[];
      return { rows, changes: /^\s*(insert|update|delete|replace)\b/i.test(text) ? rows.length : 0 };
    }
    return { rows: [], changes: stmt.run(...values).changes };
  }
}

/** The handle a transaction body gets: runs at once on the held connection; nests with savepoints. */
class SqliteTransaction extends TransactionHandle {
  readonly engine = 'sqlite' as const;

  constructor(
    private readonly root: SqliteSqlDatabase,
    depth: number,
  ) {
    super(depth);
  }

  async query<Row>(sql: string, params?: SqlParams): Promise<SqlResult<Row>> {
    this.check();
    return this.root.execute<Row>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.check();
    this.root.db.exec(sql);
  }

  protected nested(depth: number): SqliteTransaction {
    return new SqliteTransaction(this.root, depth);
  }

  protected savepoint(step: SavepointStep, name: string): void {
    const sql = {
      begin: `SAVEPOINT ${name}`,
      release: `RELEASE ${name}`,
      rollback: `ROLLBACK TO ${name}; RELEASE ${name}`,
    };
    this.root.db.exec(sql[step]);
  }
}
