import pg from 'pg';
import { SqlExecutorBase, TransactionHandle, type SavepointStep } from './executor.ts';
import { translate } from './params.ts';
import { SqlError, type SqlDatabase, type SqlExecutor, type SqlParams, type SqlResult } from './port.ts';

// OIDs from pg_type: int8 (bigint, count(*)), numeric (sum() of bigint).
const INT8 = 20;
const NUMERIC = 1700;

/**
 * Integers come back as JS numbers, as better-sqlite3 returns them, so a store's code is the same
 * on both engines. node-postgres returns int8 as a string by default because it can exceed 2^53;
 * Volno's integers are epoch milliseconds, counts and ids, far below it, and a value that is not
 * is an error rather than a silently rounded number.
 */
function exactNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) && !(Number.isFinite(n) && text.includes('.')))
    throw new SqlError('VOLNO_DB_PARAMS', `the database returned ${text}, beyond JavaScript's exact integers`);
  return n;
}

const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC
      ? exactNumber
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  url: string;
  /** Pool size; each server instance holds at most this many connections. */
  max?: number;
}

/** The async port over a node-postgres pool. Each transaction holds one pooled client until it ends. */
export class PostgresSqlDatabase extends SqlExecutorBase implements SqlDatabase {
  readonly engine = 'postgres' as const;
  readonly pool: pg.Pool;
  private closed = false;

  constructor(opts: PostgresOptions) {
    super();
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      types: TYPES,
      application_name: 'volno',
      connectionTimeoutMillis: 10_000,
    });
    // An idle client that loses its server (a restart, say) emits 'error' on the pool; unhandled, it
    // would end the process. The next query gets a fresh client and reports its own error.
    this.pool.on('error', () => {});
  }

  query<Row>(sql: string, params?: SqlParams): Promise<SqlResult<Row>> {
    if (this.closed) return Promise.reject(new SqlError('VOLNO_DB_CLOSED', 'the database is closed'));
    return runOn<Row>(this.pool, sql, params);
  }

  async exec(sql: string): Promise<void> {
    if (this.closed) throw new SqlError('VOLNO_DB_CLOSED', 'the database is closed');
    // Without values node-postgres uses the simple protocol, which accepts several statements.
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.closed) throw new SqlError('VOLNO_DB_CLOSED', 'the database is closed');
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const tx = new PostgresTransaction(client, 0);
      try {
        const result = await fn(tx);
        tx.end();
        await client.query('COMMIT');
        return result;
      } catch (err) {
        tx.end();
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => (broken = rollbackErr));
        throw err;
      }
    } finally {
      // A client whose rollback failed may be mid-protocol: destroy it rather than pool it.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

class PostgresTransaction extends TransactionHandle {
  readonly engine = 'postgres' as const;

  constructor(
    private readonly client: pg.PoolClient,
    depth: number,
  ) {
    super(depth);
  }

  query<Row>(sql: string, params?: SqlParams): Promise<SqlResult<Row>> {
    try {
      this.check();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return runOn<Row>(this.client, sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.check();
    await this.client.query(sql);
  }

  protected nested(depth: number): PostgresTransaction {
    return new PostgresTransaction(this.client, depth);
  }

  protected async savepoint(step: SavepointStep, name: string): Promise<void> {
    const sql = { begin: 'SAVEPOINT', release: 'RELEASE SAVEPOINT', rollback: 'ROLLBACK TO SAVEPOINT' }[step];
    await this.client.query(`${sql} ${name}`);
  }
}

async function runOn<Row>(on: pg.Pool | pg.PoolClient, sql: string, params: SqlParams | undefined) {
  const { text, values } = translate(sql, params, 'postgres');
  const res = await on.query(text, values);
  // rowCount of a SELECT is its row count; the port counts only changed rows, as SQLite does.
  return { rows: res.rows as Row[], changes: res.command === 'SELECT' ? 0 : (res.rowCount ?? 0) };
}
