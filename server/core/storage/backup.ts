import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ServerError } from '../errors.ts';
import { openDatabase } from './database.ts';
import { sqliteConnection, type StorageTarget } from './sql/open.ts';
import type { SqlDatabase } from './sql/port.ts';
import { SqliteSqlDatabase } from './sql/sqlite-driver.ts';

export interface BackupResult {
  file: string;
  total_pages: number;
  ms: number;
}

/** Said wherever a backup of PostgreSQL is asked for: the database's own tool does it (docs/deployment.md). */
export const POSTGRES_BACKUP_HINT =
  'volno backup copies a SQLite database; back up PostgreSQL with pg_dump ' +
  '(pg_dump --format=custom --file=volno.dump "$URL", restore with pg_restore)';

/**
 * Copies the live SQLite database behind `sql` to `target` with SQLite's online backup API
 * (better-sqlite3 `db.backup()`): consistent even while the server keeps writing, because the copy
 * restarts on pages that change underneath it. The target must not exist. On PostgreSQL it refuses
 * with VOLNO_BACKUP_UNSUPPORTED: pg_dump takes a consistent snapshot there, and a copy made by this
 * process would be neither complete (roles, sequences) nor restorable by PostgreSQL's own tools.
 */
export async function backupSql(sql: SqlDatabase, target: string): Promise<BackupResult> {
  const db = sqliteConnection(sql);
  if (db === undefined) throw new ServerError('VOLNO_BACKUP_UNSUPPORTED', POSTGRES_BACKUP_HINT);
  const file = resolve(target);
  if (existsSync(file)) throw new ServerError('VOLNO_BACKUP_FAILED', `${file} exists; refusing to overwrite it`);
  const t0 = performance.now();
  try {
    const progress = await db.backup(file);
    return { file, total_pages: progress.totalPages, ms: Math.round(performance.now() - t0) };
  } catch (cause) {
    throw new ServerError('VOLNO_BACKUP_FAILED', `backup to ${file} failed: ${(cause as Error).message}`, [], {
      cause,
    });
  }
}

/**
 * `volno backup`: opens the configured storage (a target, or a SQLite file's path) read-only and
 * copies it (see backupSql). PostgreSQL is refused before anything is opened.
 */
export async function backupDatabase(from: StorageTarget | string, target: string): Promise<BackupResult> {
  const source: StorageTarget = typeof from === 'string' ? { engine: 'sqlite', path: from } : from;
  if (source.engine !== 'sqlite') throw new ServerError('VOLNO_BACKUP_UNSUPPORTED', POSTGRES_BACKUP_HINT);
  if (!existsSync(source.path)) throw new ServerError('VOLNO_BACKUP_FAILED', `no database at ${source.path}`);
  const sql = new SqliteSqlDatabase(openDatabase(source.path, { readonly: true }));
  try {
    return await backupSql(sql, target);
  } finally {
    await sql.close();
  }
}
