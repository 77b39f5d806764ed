import { fileURLToPath } from 'node:url';
import { listMigrations, type Migration } from '../migrate.ts';
import { SqlError, type SqlDatabase } from './port.ts';

/**
 * PostgreSQL's numbered migrations. They carry the same numbers and names as SQLite's, one for
 * one, so "schema version N" means the same tables on both engines and `volno db copy` can check
 * that source and target agree.
 */
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/postgres/', import.meta.url));

export function listPostgresMigrations(): Migration[] {
  return listMigrations(POSTGRES_MIGRATIONS_DIR);
}

/** The table PostgreSQL keeps its schema version in (SQLite uses PRAGMA user_version). */
export const SCHEMA_TABLE = 'volno_schema_migrations';

// Any constant both instances agree on; pg_advisory_xact_lock takes a bigint.
const MIGRATION_LOCK = 0x766f6c6e6f; // "volno"

/**
 * Applies the migrations newer than the database's version, each in its own transaction (DDL is
 * transactional in PostgreSQL), so a failure leaves the last good version. Every step holds an
 * advisory lock: two server instances starting together apply each migration once, the second
 * finding it done. A database newer than this code is refused rather than guessed at.
 */
export async function migratePostgres(
  db: SqlDatabase,
  migrations = listPostgresMigrations(),
): Promise<{ from: number; to: number }> {
  if (db.engine !== 'postgres') throw new SqlError('VOLNO_DB_MIGRATION', 'migratePostgres needs a PostgreSQL database');
  const latest = migrations.at(-1)?.version ?? 0;
  let from: number | undefined;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.exec(`CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (
        version    bigint PRIMARY KEY,
        name       text NOT NULL,
        applied_at bigint NOT NULL
      )`);
      const row = await tx.one<{ v: number | null }>(`SELECT max(version) AS v FROM ${SCHEMA_TABLE}`);
      const current = row?.v ?? 0;
      from ??= current;
      if (current > latest)
        throw new SqlError(
          'VOLNO_DB_MIGRATION',
          `database schema version ${current} is newer than this server (${latest}); upgrade the server`,
        );
      const next = migrations.find((m) => m.version === current + 1);
      if (next === undefined) return current;
      try {
        await tx.exec(next.sql);
      } catch (cause) {
        throw new SqlError(
          'VOLNO_DB_MIGRATION',
          `migration ${next.version}-${next.name} failed: ${(cause as Error).message}`,
          [],
          { cause },
        );
      }
      await tx.run(`INSERT INTO ${SCHEMA_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`, [
        next.version,
        next.name,
        Date.now(),
      ]);
      return undefined;
    });
    if (step !== undefined) return { from: from ?? step, to: step };
  }
}

/** The schema version of a PostgreSQL database: 0 when it was never migrated. */
export async function postgresSchemaVersion(db: SqlDatabase): Promise<number> {
  const exists = await db.one<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [SCHEMA_TABLE]);
  if (exists?.t == null) return 0;
  return (await db.one<{ v: number | null }>(`SELECT max(version) AS v FROM ${SCHEMA_TABLE}`))?.v ?? 0;
}
