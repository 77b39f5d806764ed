import { sqlErrorKind, type SqlExecutor } from '../core/storage/sql/port.ts';

/**
 * How often a save retries after another writer took its version number (two server instances on
 * one PostgreSQL; SQLite's IMMEDIATE transactions never collide). Each retry reads the new latest, so
 * only a burst of saves on one camera could exhaust it; the save is then refused as a conflict.
 */
export const NUMBER_TRIES = 5;

/**
 * Runs `fn` in a transaction of its own (a savepoint inside `ex` when `ex` is a transaction), again
 * when it fails on a unique constraint: another writer took the key `fn` computed. Undefined when
 * every try lost.
 */
export async function retryOnUnique<T>(
  ex: SqlExecutor,
  fn: (tx: SqlExecutor) => Promise<T>,
  tries = NUMBER_TRIES,
): Promise<T | undefined> {
  for (let i = 0; i < tries; i++) {
    try {
      return await ex.transaction(fn);
    } catch (err) {
      if (sqlErrorKind(err) !== 'unique') throw err;
    }
  }
  return undefined;
}
