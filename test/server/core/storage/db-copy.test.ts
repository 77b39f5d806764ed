import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../server/core/storage/database.ts';
import { listMigrations, migrate } from '../../../../server/core/storage/migrate.ts';
import { copySqliteToPostgres } from '../../../../server/core/storage/sql/copy.ts';
import { quote, sqliteTables } from '../../../../server/core/storage/sql/introspect.ts';
import { PostgresSqlDatabase } from '../../../../server/core/storage/sql/postgres-driver.ts';
import { postgresSchemaVersion } from '../../../../server/core/storage/sql/postgres-migrate.ts';
import { RingBuffer, track } from '../../../fixtures/process.ts';
import { usePostgres } from '../../../support/postgres.ts';
import { tempDir } from '../../support/config.ts';
import { fillEveryTable } from './every-table.ts';

const pg = usePostgres();
const bin = fileURLToPath(new URL('../../../../bin/volno.mjs', import.meta.url));

/** Rows of one table, sorted the same way on both sides whatever the engines' collations. */
function canonical(rows: Array<Record<string, unknown>>): string[] {
  return rows
    .map((r) =>
      JSON.stringify(r, (_, v: unknown) =>
        v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
          ? `bytes:${Buffer.from((v as { data: number[] }).data).toString('hex')}`
          : v,
      ),
    )
    .sort();
}

describe.skipIf(!pg.available)('volno db copy', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let url: string;
  beforeEach(async () => {
    tmp = tempDir('volno-copy-');
    file = join(tmp.dir, 'volno.sqlite');
    url = await pg.server.createDatabase();
  });
  afterEach(() => tmp.cleanup());

  const sourceWithEveryTable = () => {
    const db = openDatabase(file);
    try {
      const filled = fillEveryTable(db);
      // A table added by a later migration must be added to the fixture too.
      expect([...filled].sort()).toEqual(sqliteTables(db).map((t) => t.name));
    } finally {
      db.close();
    }
  };

  it('moves every row of every table unchanged, and new ids continue after the copied ones', async () => {
    sourceWithEveryTable();
    const lines: string[] = [];
    const report = await copySqliteToPostgres({ from: file, to: url, log: (l) => lines.push(l) });
    expect(report.version).toBe(listMigrations().length);
    expect(lines).toContain('bookings: 2 rows');

    const lite = new BetterSqlite3(file, { readonly: true });
    const target = new PostgresSqlDatabase({ url });
    try {
      for (const t of sqliteTables(lite)) {
        const sql = `SELECT * FROM ${quote(t.name)}`;
        const source = lite.prepare(sql).all() as Array<Record<string, unknown>>;
        expect(source.length, t.name).toBeGreaterThan(0);
        expect(canonical(await target.all(sql)), t.name).toEqual(canonical(source));
      }
      const next = await target.one<{ id: number }>(
        `INSERT INTO transitions (camera_id, slot_id, to_state, at, recorded_at, source)
         VALUES ('north-1', 'A1', 'free', 1, 1, 'agent') RETURNING id`,
      );
      expect(next).toEqual({ id: 43 });
      const user = await target.one<{ user_id: number }>(
        `INSERT INTO staff_users (username, role, password_hash, created_at, updated_at, password_changed_at)
         VALUES ('nový', 'viewer', 'x', 1, 1, 1) RETURNING user_id`,
      );
      expect(user).toEqual({ user_id: 6 });
    } finally {
      lite.close();
      await target.close();
    }
  });

  it('refuses a target that already holds rows unless forced, and then replaces them', async () => {
    sourceWithEveryTable();
    await copySqliteToPostgres({ from: file, to: url });
    await expect(copySqliteToPostgres({ from: file, to: url })).rejects.toMatchObject({
      code: 'VOLNO_DB_COPY',
      message: expect.stringContaining('--force'),
    });
    const report = await copySqliteToPostgres({ from: file, to: url, force: true });
    expect(report.tables.find((t) => t.name === 'lots')).toEqual({ name: 'lots', rows: 2 });
    const target = new PostgresSqlDatabase({ url });
    try {
      expect(await target.one('SELECT count(*) AS n FROM bookings')).toEqual({ n: 2 });
    } finally {
      await target.close();
    }
  });

  it('refuses a source at an older schema version, and leaves the target untouched', async () => {
    const db = new BetterSqlite3(file);
    migrate(db, listMigrations().slice(0, 7));
    db.close();
    await expect(copySqliteToPostgres({ from: file, to: url })).rejects.toThrow(/schema version 7.*volno db migrate/);
    const target = new PostgresSqlDatabase({ url });
    try {
      expect(await postgresSchemaVersion(target)).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('copies all or nothing: double bookings that SQLite let through roll the whole copy back', async () => {
    sourceWithEveryTable();
    const db = openDatabase(file);
    db.prepare(
      `INSERT INTO bookings (code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, lang, created_by,
         created_at, updated_at) SELECT 'DUP1', x'00', lot_id, camera_id, slot_id, start_at + 1, end_at, 'confirmed', 'cs',
         'public', 0, 0 FROM bookings WHERE id = 21`,
    ).run();
    db.close();
    await expect(copySqliteToPostgres({ from: file, to: url })).rejects.toThrow(/bookings.*overlap in the source/);
    const target = new PostgresSqlDatabase({ url });
    try {
      expect(await target.one('SELECT count(*) AS n FROM lots')).toEqual({ n: 0 });
    } finally {
      await target.close();
    }
  });

  const volno = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const out = new RingBuffer();
      const child = spawn(process.execPath, [bin, 'db', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      track(child);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => out.push(d));
      child.on('exit', (code) => resolve({ code, out: out.toString() }));
    });

  it('follows the config: migrate and copy to its storage.url, the password from the environment, never printed', async () => {
    sourceWithEveryTable();
    const secret = 'pw-never-printed';
    // Trust authentication ignores the password; it is here to show where it goes and that it stays unprinted.
    const withPassword = url.replace('postgres://volno@', 'postgres://volno:${VOLNO_TEST_DB_PW}@');
    const config = join(tmp.dir, 'server.yaml');
    writeFileSync(config, `data_dir: .\nstorage:\n  engine: postgres\n  url: "${withPassword}"\n`);
    const env = { VOLNO_TEST_DB_PW: secret };
    const migrated = await volno(['migrate', '--config', config], env);
    expect(migrated, migrated.out).toMatchObject({ code: 0 });
    expect(migrated.out).toContain(`version 0 → ${listMigrations().length}`);
    const copied = await volno(['copy', '--config', config], env);
    expect(copied, copied.out).toMatchObject({ code: 0 });
    expect(copied.out).toMatch(/copied \d+ tables, \d+ rows/);
    expect(migrated.out + copied.out).not.toContain(secret);
    const unset = await volno(['migrate', '--config', config]);
    expect(unset.code).toBe(2);
    expect(unset.out).toContain('/storage/url: environment variable VOLNO_TEST_DB_PW is not set');
  });

  it('runs from the command line: db migrate, then db copy, then a refusal with exit code 1', async () => {
    sourceWithEveryTable();
    const migrated = await volno(['migrate', '--engine', 'postgres', '--url', url]);
    expect(migrated, migrated.out).toMatchObject({ code: 0 });
    expect(migrated.out).toContain(`version 0 → ${listMigrations().length}`);
    const copied = await volno(['copy', '--from', file, '--to', url]);
    expect(copied, copied.out).toMatchObject({ code: 0 });
    expect(copied.out).toMatch(/copied \d+ tables, \d+ rows/);
    const refused = await volno(['copy', '--from', file, '--to', url]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('VOLNO_DB_COPY');
  });
});
