import { VolnoError } from '../../../../kit/errors.ts';

/** The storage engines Volno runs on: SQLite embedded (the default), PostgreSQL for several instances. */
export const SQL_ENGINES = ['sqlite', 'postgres'] as const;
export type SqlEngine = (typeof SQL_ENGINES)[number];

/**
 * Parameters of one statement: an array for `$1, $2, …` placeholders, or an object for `:name`
 * placeholders. One SQL text runs on both engines; the driver translates the placeholders.
 * Booleans are stored as 0/1 (the schema's flags are integers on both engines), undefined as NULL.
 */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted (for a `RETURNING` statement: the rows returned). */
  changes: number;
}

/**
 * What a store needs from the database, the same on both engines. Every call is async, because
 * node-postgres is; on SQLite the work itself stays synchronous inside the promise.
 *
 * Portable SQL: `$n` or `:name` placeholders; `RETURNING id` instead of a last-insert id; aliases
 * that keep their case double-quoted (`AS "lotId"`: PostgreSQL folds unquoted names to lower case);
 * integers come back as JS numbers on both engines (PostgreSQL's bigint, count and sum included).
 */
export interface SqlExecutor {
  readonly engine: SqlEngine;
  query<Row = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<SqlResult<Row>>;
  all<Row = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<Row[]>;
  /** The first row, or undefined. */
  one<Row = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<Row | undefined>;
  run(sql: string, params?: SqlParams): Promise<{ changes: number }>;
  /** Several statements without parameters (schema scripts). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Inside,
   * use only the `tx` handed in; a nested call opens a savepoint. Keep it short and free of
   * other I/O: on SQLite it holds the one connection (and the file's write lock) until it ends.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Idempotent. Waits for a transaction in progress on SQLite; ends the pool on PostgreSQL. */
  close(): Promise<void>;
}

export type SqlErrorCode =
  | 'VOLNO_DB_PARAMS'
  | 'VOLNO_DB_TRANSACTION'
  | 'VOLNO_DB_URL'
  | 'VOLNO_DB_COPY'
  | 'VOLNO_DB_MIGRATION'
  | 'VOLNO_DB_CLOSED';

export class SqlError extends VolnoError<SqlErrorCode> {
  override readonly name = 'SqlError';
}

/** Constraint and concurrency failures named the same on both engines, so a store can branch on them. */
export type SqlErrorKind = 'unique' | 'foreign_key' | 'check' | 'not_null' | 'exclusion' | 'busy' | 'conflict';

const SQLITE_KINDS: Record<string, SqlErrorKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
};
// SQLSTATE classes 23 (integrity) and 40 (transaction rollback), PostgreSQL appendix A.
const POSTGRES_KINDS: Record<string, SqlErrorKind> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23502': 'not_null',
  '23P01': 'exclusion',
  '55P03': 'busy',
  '40001': 'conflict',
  '40P01': 'conflict',
};

/** The engine-neutral kind of a database error, or undefined for anything else. */
export function sqlErrorKind(err: unknown): SqlErrorKind | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return SQLITE_KINDS[code] ?? POSTGRES_KINDS[code];
}
