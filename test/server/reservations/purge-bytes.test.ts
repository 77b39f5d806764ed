import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/main/app.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { DB_FILE_NAME } from '../../../server/core/storage/database.ts';
import { sqliteConnection } from '../../../server/core/storage/sql/open.ts';
import { onPostgres, tempDir, testConfig } from '../support/config.ts';
import { booking, lots, rules, STAFF_TOKEN, T0 } from './support.ts';

const DAY = 86_400_000;
const data = tempDir('volno-purge-bytes-');
const clock = new ManualClock(T0);
let app: FastifyInstance;

/** 40 people, each with an e-mail, a name and a plate no other part of the file could contain. */
const PEOPLE = Array.from({ length: 40 }, (_, i) => ({
  name: `Zdeňka Soukromá-${String(i).padStart(2, '0')}xq`,
  email: `purge.me.${String(i).padStart(2, '0')}@privacy-test.example.cz`,
  plate: `9Q${String(i).padStart(2, '0')} 7788`,
}));

beforeAll(async () => {
  const config = testConfig(data.dir, {
    lots: lots(40, rules()),
    http: { staff_token: STAFF_TOKEN },
    privacy: { purge_after_days: 7 },
    limits: { bookings_per_address: 1000, bookings_per_subnet: 1000 },
  });
  app = await buildApp(config, { clock });
});
afterAll(async () => {
  await app?.close();
  data.cleanup();
});

/** The database file and its WAL, as bytes on disk (what a stolen disk or a careless backup holds). */
function onDisk(): Buffer {
  const path = join(data.dir, DB_FILE_NAME);
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

const found = (bytes: Buffer) =>
  PEOPLE.flatMap((p) => [p.name, p.email, p.plate]).filter((v) => bytes.includes(Buffer.from(v, 'utf8')));

describe('the privacy purge (issue 13, finding 7)', () => {
  // SQLite's own file and WAL are searched; PostgreSQL's pages are the server's (purge.ts, scrub).
  it.skipIf(onPostgres)(
    'leaves none of the purged e-mails, names or plates in the database file or its WAL',
    async () => {
      for (const p of PEOPLE) {
        const r = await app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking(p) });
        expect(r.statusCode).toBe(201);
      }
      // Some of the data has reached the main file, some is still in the WAL only: both must be cleaned.
      sqliteConnection(app.volno.sql)!.pragma('wal_checkpoint(PASSIVE)');
      const more = { name: 'Last Person Walonly', email: 'wal.only@privacy-test.example.cz', plate: '1WAL 0001' };
      PEOPLE.push(more);
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/reservations',
            payload: booking({ ...more, start: '13:00', end: '14:00' }),
          })
        ).statusCode,
      ).toBe(201);
      expect(found(onDisk()).length).toBe(PEOPLE.length * 3);

      clock.advance(10 * DAY);
      expect(await app.volno.reservations.purger.tick()).toBe(PEOPLE.length);
      expect(found(onDisk())).toEqual([]);
      // The rows are still there for anonymous statistics.
      expect(await app.volno.sql.one('SELECT count(*) AS n FROM bookings WHERE purged_at IS NOT NULL')).toEqual({
        n: PEOPLE.length,
      });
    },
  );
});
