import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { ServerError } from '../errors.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered `NNNN-name.sql` files, in order. A gap in the numbers is a packaging bug. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: readFileSync(dir + f, 'utf8') }));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new ServerError('VOLNO_DB_MIGRATION', `migration ${m.version} is out of sequence`);
  });
  return migrations;
}

/**
 * Applies the migrations newer than `PRAGMA user_version`, each in its own transaction, so a
 * failure leaves the database at the last good version. A database newer than this code is refused
 * rather than guessed at.
 */
export function migrate(db: Database, migrations = listMigrations()): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest)
    throw new ServerError(
      'VOLNO_DB_MIGRATION',
      `database schema version ${from} is newer than this server (${latest}); upgrade the server`,
    );
  for (const m of migrations) {
    if (m.version <= from) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } catch (cause) {
      throw new ServerError(
        'VOLNO_DB_MIGRATION',
        `migration ${m.version}-${m.name} failed: ${(cause as Error).message}`,
        [],
        {
          cause,
        },
      );
    }
  }
  return { from, to: Math.max(from, latest) };
}
