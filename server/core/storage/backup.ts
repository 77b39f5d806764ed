import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ServerError } from '../errors.ts';
import { openDatabase } from './database.ts';

export interface BackupResult {
  file: string;
  total_pages: number;
  ms: number;
}

/**
 * Copies the live database to `target` with SQLite's online backup API (better-sqlite3
 * `db.backup()`): consistent even while the server keeps writing, because the copy restarts on
 * pages that change underneath it. The source is opened read-only; the target must not exist.
 */
export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  const file = resolve(target);
  if (existsSync(file)) throw new ServerError('VOLNO_BACKUP_FAILED', `${file} exists; refusing to overwrite it`);
  if (!existsSync(source)) throw new ServerError('VOLNO_BACKUP_FAILED', `no database at ${source}`);
  const db = openDatabase(source, { readonly: true });
  const t0 = performance.now();
  try {
    const progress = await db.backup(file);
    return { file, total_pages: progress.totalPages, ms: Math.round(performance.now() - t0) };
  } catch (cause) {
    throw new ServerError('VOLNO_BACKUP_FAILED', `backup to ${file} failed: ${(cause as Error).message}`, [], {
      cause,
    });
  } finally {
    db.close();
  }
}
