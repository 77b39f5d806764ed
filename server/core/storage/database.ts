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
      // Free pages can be returned to the file system piece by piece (PRAGMA incremental_vacuum)
      // after a privacy purge, where a full VACUUM would stall the server for ~1.7 s per 120 MB here.
      // A new file takes the setting at once; an older one needs one VACUUM, done here once.
      if (db.pragma('auto_vacuum', { simple: true }) !== 2) {
        db.pragma('auto_vacuum = INCREMENTAL');
        db.exec('VACUUM');
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Deleted and overwritten content is zeroed rather than left in free space, so erased personal
      // data does not linger in the file (issue 13, finding 7; the purge also vacuums).
      db.pragma('secure_delete = ON');
      migrate(db);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
