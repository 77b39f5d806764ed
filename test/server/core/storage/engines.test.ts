import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listMigrations } from '../../../../server/core/storage/migrate.ts';
import { openSqlDatabase } from '../../../../server/core/storage/sql/open.ts';
import { sqlErrorKind } from '../../../../server/core/storage/sql/port.ts';
import { useEngines } from '../../../support/engines.ts';

const engines = useEngines();

describe.each(engines)('the server schema behind the port on $engine', ({ engine, available, open }) => {
  it.skipIf(!available)('opens at the latest version, empty', async () => {
    const db = await open();
    const version =
      engine === 'sqlite'
        ? await db.one<{ user_version: number }>('PRAGMA user_version')
        : await db.one<{ user_version: number }>('SELECT max(version) AS user_version FROM volno_schema_migrations');
    expect(version).toEqual({ user_version: listMigrations().length });
    expect(await db.one('SELECT count(*) AS n FROM bookings')).toEqual({ n: 0 });
  });

  it.skipIf(!available)('takes one portable booking statement and gives the row back the same way', async () => {
    const db = await open();
    const insert = `INSERT INTO bookings (code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, name,
        lang, created_by, created_at, updated_at, pending_until)
      VALUES (:code, :token, 'north', 'north-1', 'A3', :start, :end, 'confirmed', :name, 'cs', 'public', :now, :now,
        :pending) RETURNING id`;
    const values = { token: randomBytes(32), start: 1_765_000_000_000, end: 1_765_003_600_000, now: 1, pending: null };
    const { id } = (await db.one<{ id: number }>(insert, { ...values, code: 'AB12', name: 'Jiří' }))!;
    expect(
      await db.one(
        `SELECT code, start_at AS "startAt", pending_until AS "pendingUntil", name FROM bookings WHERE id = $1`,
        [id],
      ),
    ).toEqual({ code: 'AB12', startAt: 1_765_000_000_000, pendingUntil: null, name: 'Jiří' });
    // A later booking reusing the code: only the UNIQUE constraint can object.
    const later = { start: values.start + 36_000_000, end: values.end + 36_000_000 };
    const again = db.one(insert, { ...values, ...later, code: 'AB12', name: 'x' });
    await expect(again.catch((err: unknown) => sqlErrorKind(err))).resolves.toBe('unique');
  });
});

describe('opening a storage engine', () => {
  it('refuses a URL that is not PostgreSQL', async () => {
    await expect(openSqlDatabase({ engine: 'postgres', url: 'mysql://x' })).rejects.toMatchObject({
      code: 'VOLNO_DB_URL',
    });
  });
});
