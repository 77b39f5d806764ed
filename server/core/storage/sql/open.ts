import type { Database } from 'better-sqlite3';
import { openDatabase } from '../database.ts';
import { PostgresSqlDatabase } from './postgres-driver.ts';
import { migratePostgres } from './postgres-migrate.ts';
import { SqlError, type SqlDatabase } from './port.ts';
import { SqliteSqlDatabase } from './sqlite-driver.ts';

/** Where the server's data lives; the shape the config's `storage` section is meant to give. */
export type StorageTarget = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string; poolSize?: number };

/**
 * Opens the storage engine and brings its schema to this server's version, as the server does at
 * start: SQLite through `openDatabase` (WAL, pragmas, migrations), PostgreSQL through a pool and
 * `migratePostgres`. A failure closes what was opened.
 */
export async function openSqlDatabase(target: StorageTarget): Promise<SqlDatabase> {
  if (target.engine === 'sqlite') return new SqliteSqlDatabase(openDatabase(target.path));
  if (!/^postgres(ql)?:\/\//.test(target.url))
    throw new SqlError('VOLNO_DB_URL', 'a PostgreSQL URL starts with postgres:// or postgresql://');
  const db = new PostgresSqlDatabase({ url: target.url, ...(target.poolSize ? { max: target.poolSize } : {}) });
  try {
    await migratePostgres(db);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

/**
 * The better-sqlite3 connection behind a SQLite port, for the few jobs that are SQLite's own
 * (online backup, incremental vacuum, data_version); undefined on PostgreSQL.
 */
export function sqliteConnection(sql: SqlDatabase): Database | undefined {
  return sql instanceof SqliteSqlDatabase ? sql.db : undefined;
}
