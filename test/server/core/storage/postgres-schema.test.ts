import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../server/core/storage/database.ts';
import { listMigrations } from '../../../../server/core/storage/migrate.ts';
import { postgresTables, sqliteTables } from '../../../../server/core/storage/sql/introspect.ts';
import { PostgresSqlDatabase } from '../../../../server/core/storage/sql/postgres-driver.ts';
import {
  listPostgresMigrations,
  migratePostgres,
  postgresSchemaVersion,
  SCHEMA_TABLE,
} from '../../../../server/core/storage/sql/postgres-migrate.ts';
import { usePostgres } from '../../../support/postgres.ts';
import { tempDir } from '../../support/config.ts';

const pg = usePostgres();
const LATEST = listMigrations().length;

describe('the PostgreSQL migrations', () => {
  it('are numbered and named one for one with the SQLite migrations', () => {
    const names = (ms: ReturnType<typeof listMigrations>) => ms.map((m) => `${m.version}-${m.name}`);
    expect(names(listPostgresMigrations())).toEqual(names(listMigrations()));
  });
});

describe.skipIf(!pg.available)('the PostgreSQL schema', () => {
  let db: PostgresSqlDatabase;
  beforeEach(async () => {
    db = new PostgresSqlDatabase({ url: await pg.server.createDatabase() });
  });
  afterEach(async () => {
    await db.close();
  });

  it('has the same tables, columns, keys and indexes as SQLite at the same version', async () => {
    expect(await migratePostgres(db)).toEqual({ from: 0, to: listMigrations().length });
    const tmp = tempDir('volno-schema-');
    const lite = openDatabase(join(tmp.dir, 'volno.sqlite'));
    try {
      // Column types are compared through the mapping (INTEGER ↔ bigint, REAL ↔ double precision…).
      expect(await postgresTables(db, [SCHEMA_TABLE])).toEqual(sqliteTables(lite));
      const liteIndexes = lite
        .prepare("SELECT name, tbl_name AS t FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .all() as Array<{ name: string; t: string }>;
      const withColumns = liteIndexes.map((i) => ({
        name: i.name,
        table: i.t,
        // An expression has no column name on either engine.
        columns: (lite.pragma(`index_info(${i.name})`) as Array<{ name: string | null }>).map(
          (c) => c.name ?? '(expr)',
        ),
      }));
      // Indexes that back a primary key, UNIQUE or EXCLUDE constraint are SQLite's autoindexes.
      const pgIndexes = await db.all<{ name: string; table: string; columns: string[] }>(
        `SELECT ic.relname AS name, tc.relname AS "table",
                array(SELECT coalesce(a.attname::text, '(expr)') FROM unnest(i.indkey) WITH ORDINALITY k(n, pos)
                      LEFT JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = k.n ORDER BY k.pos) AS columns
           FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = tc.relnamespace AND n.nspname = current_schema()
          WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      );
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      // The one PostgreSQL-only index serves the outbox's SKIP LOCKED claim (0004).
      expect(pgIndexes.filter((i) => i.name !== 'reservation_mail_unsent').sort(byName)).toEqual(
        withColumns.sort(byName),
      );
    } finally {
      lite.close();
      tmp.cleanup();
    }
  });

  it('migrates once when two servers start together, and again finds nothing to do', async () => {
    const other = new PostgresSqlDatabase({ url: (db.pool.options as { connectionString: string }).connectionString });
    try {
      const both = await Promise.all([migratePostgres(db), migratePostgres(other)]);
      expect(both.map((r) => r.to)).toEqual([LATEST, LATEST]);
      expect(await db.all(`SELECT version FROM ${SCHEMA_TABLE} ORDER BY version`)).toHaveLength(LATEST);
      expect(await migratePostgres(db)).toEqual({ from: LATEST, to: LATEST });
    } finally {
      await other.close();
    }
  });

  it('refuses a database written by a newer server instead of guessing', async () => {
    await migratePostgres(db);
    await db.run(`INSERT INTO ${SCHEMA_TABLE} (version, name, applied_at) VALUES (99, 'future', 0)`);
    await expect(migratePostgres(db)).rejects.toMatchObject({ code: 'VOLNO_DB_MIGRATION' });
    expect(await postgresSchemaVersion(db)).toBe(99);
  });

  it('stops at the last good version when a migration fails', async () => {
    const broken = [...listPostgresMigrations().slice(0, 2), { version: 3, name: 'broken', sql: 'SELECT nonsense(' }];
    await expect(migratePostgres(db, broken)).rejects.toThrow(/migration 3-broken failed/);
    expect(await postgresSchemaVersion(db)).toBe(2);
    expect(await db.one("SELECT to_regclass('agents')::text AS t")).toEqual({ t: 'agents' });
  });
});
