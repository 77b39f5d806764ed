import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ServerError } from '../errors.ts';
import { migrate } from './migrate.ts';

export const DB_FILE_NAME = 'volno.sqlite';

/**
 * Opens (creating if needed) the server database in WAL mode and migrates it.
 * `synchronous=NORMAL` under WAL loses at most the last transactions on power loss, never
 * consistency; it is what made batched writes reach ~350k rows/s here (shared/STACK.md).
 * `busy_timeout` lets several server instances (shared subscriptions) write the same file.
 */
export function openDatabase(path: string, opts: { readonly?: boolean } = {}): Database {
  let db: Database;
  try {
    if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new BetterSqlite3(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (cause) {
    throw new ServerError('VOLNO_DB_OPEN', `cannot open database ${path}: ${(cause as Error).message}`, [], { cause });
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
