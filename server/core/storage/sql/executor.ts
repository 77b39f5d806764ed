import { SqlError, type SqlEngine, type SqlExecutor, type SqlParams, type SqlResult } from './port.ts';

/** `all`, `one` and `run` in terms of `query`, the same for every handle of both engines. */
export abstract class SqlExecutorBase implements SqlExecutor {
  abstract readonly engine: SqlEngine;
  abstract query<Row>(sql: string, params?: SqlParams): Promise<SqlResult<Row>>;
  abstract exec(sql: string): Promise<void>;
  abstract transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;

  async all<Row>(sql: string, params?: SqlParams): Promise<Row[]> {
    return (await this.query<Row>(sql, params)).rows;
  }

  async one<Row>(sql: string, params?: SqlParams): Promise<Row | undefined> {
    return (await this.query<Row>(sql, params)).rows[0];
  }

  async run(sql: string, params?: SqlParams): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).changes };
  }
}

/** One step of a savepoint; the SQL for each differs between the engines. */
export type SavepointStep = 'begin' | 'release' | 'rollback';

/**
 * The handle a transaction body gets, on either engine: it refuses work after its transaction has
 * ended and while a nested one is open (that work would land in the savepoint), and nests with
 * savepoints named by depth.
 */
export abstract class TransactionHandle extends SqlExecutorBase {
  private ended = false;
  private child: TransactionHandle | null = null;

  constructor(private readonly depth: number) {
    super();
  }

  /** A handle for the transaction nested one level below this one, on the same connection. */
  protected abstract nested(depth: number): TransactionHandle;
  protected abstract savepoint(step: SavepointStep, name: string): Promise<void> | void;

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.check();
    const name = `volno_sp_${this.depth + 1}`;
    await this.savepoint('begin', name);
    const child = (this.child = this.nested(this.depth + 1));
    try {
      const result = await fn(child);
      await this.savepoint('release', name);
      return result;
    } catch (err) {
      await this.savepoint('rollback', name);
      throw err;
    } finally {
      child.end();
      this.child = null;
    }
  }

  /** @internal Called by whoever ends the transaction: every later call on this handle fails. */
  end(): void {
    this.ended = true;
  }

  protected check(): void {
    if (this.ended) throw new SqlError('VOLNO_DB_TRANSACTION', 'this transaction has already ended');
    if (this.child !== null)
      throw new SqlError('VOLNO_DB_TRANSACTION', 'a nested transaction is open: use its handle until it ends');
  }
}
