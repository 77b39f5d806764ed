import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSqlDatabase } from '../../../../server/core/storage/sql/postgres-driver.ts';
import { migratePostgres } from '../../../../server/core/storage/sql/postgres-migrate.ts';
import { sqlErrorKind, type SqlExecutor } from '../../../../server/core/storage/sql/port.ts';
import { usePostgres } from '../../../support/postgres.ts';

const pg = usePostgres();
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 7, 8);

let seq = 0;
/** Inserts one booking the way the store does; resolves to its id or rejects with the database's error. */
async function book(db: SqlExecutor, b: { slot?: string; from: number; to: number; status?: string }): Promise<number> {
  seq += 1;
  const row = await db.one<{ id: number }>(
    `INSERT INTO bookings (code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, lang,
       created_by, created_at, updated_at)
     VALUES (:code, :token, 'north', 'north-1', :slot, :from, :to, :status, 'cs', 'public', :now, :now) RETURNING id`,
    {
      code: `C${seq}`,
      token: randomBytes(32),
      slot: b.slot ?? 'A3',
      from: b.from,
      to: b.to,
      status: b.status ?? 'confirmed',
      now: T0,
    },
  );
  return row!.id;
}

const kindOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (err: unknown) => sqlErrorKind(err) ?? (err as Error).message,
  );

describe.skipIf(!pg.available)('PostgreSQL guarantees for several server instances', () => {
  let db: PostgresSqlDatabase;
  beforeAll(async () => {
    db = new PostgresSqlDatabase({ url: await pg.server.createDatabase(), max: 20 });
    await migratePostgres(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  describe('the bookings exclusion constraint', () => {
    it('rejects an overlapping booking of the same slot and accepts adjacent ones', async () => {
      await book(db, { from: T0 + 10 * HOUR, to: T0 + 12 * HOUR });
      expect(await kindOf(book(db, { from: T0 + 11 * HOUR, to: T0 + 13 * HOUR }))).toBe('exclusion');
      expect(await kindOf(book(db, { from: T0 + 9 * HOUR, to: T0 + 14 * HOUR }))).toBe('exclusion');
      expect(await kindOf(book(db, { from: T0 + 10 * HOUR + 1, to: T0 + 10 * HOUR + 2 }))).toBe('exclusion');
      // Half-open ranges: ending when the other starts, or starting when it ends, is no overlap.
      expect(await kindOf(book(db, { from: T0 + 8 * HOUR, to: T0 + 10 * HOUR }))).toBe('accepted');
      expect(await kindOf(book(db, { from: T0 + 12 * HOUR, to: T0 + 13 * HOUR }))).toBe('accepted');
    });

    it('lets other slots, and bookings that no longer hold the slot, share the time', async () => {
      const from = T0 + 30 * HOUR;
      const to = T0 + 31 * HOUR;
      await book(db, { from, to });
      expect(await kindOf(book(db, { slot: 'A2', from, to }))).toBe('accepted');
      expect(await kindOf(book(db, { from, to, status: 'cancelled' }))).toBe('accepted');
      expect(await kindOf(book(db, { from, to, status: 'no_show' }))).toBe('accepted');
      expect(await kindOf(book(db, { from, to, status: 'checked_in' }))).toBe('exclusion');
    });

    it('rejects moving a booking onto another, and reviving a cancelled one into a taken slot', async () => {
      const a = await book(db, { from: T0 + 50 * HOUR, to: T0 + 51 * HOUR });
      const b = await book(db, { from: T0 + 52 * HOUR, to: T0 + 53 * HOUR });
      void a;
      expect(
        await kindOf(
          db.run('UPDATE bookings SET start_at = $1, end_at = $2 WHERE id = $3', [
            T0 + 50.5 * HOUR,
            T0 + 52.5 * HOUR,
            b,
          ]),
        ),
      ).toBe('exclusion');
      const cancelled = await book(db, { from: T0 + 50 * HOUR, to: T0 + 51 * HOUR, status: 'cancelled' });
      expect(await kindOf(db.run("UPDATE bookings SET status = 'confirmed' WHERE id = $1", [cancelled]))).toBe(
        'exclusion',
      );
    });

    it('lets exactly one of many racing bookings of one slot win', async () => {
      const from = T0 + 100 * HOUR;
      // Each in its own transaction on its own connection, all in flight at once.
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          kindOf(db.transaction((tx) => book(tx, { from: from + i * 60_000, to: from + HOUR + i * 60_000 }))),
        ),
      );
      expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
      // A loser fails on the constraint, or, when two checks wait on each other's uncommitted row,
      // as the deadlock victim (40P01): PostgreSQL's exclusion check waits rather than orders.
      // Either way it did not book; a store reports both as "taken".
      expect(outcomes.filter((o) => o !== 'accepted' && o !== 'exclusion' && o !== 'conflict')).toEqual([]);
      const held = await db.one(
        "SELECT count(*) AS n FROM bookings WHERE slot_id = 'A3' AND start_at >= $1 AND status = 'confirmed'",
        [from],
      );
      expect(held).toEqual({ n: 1 });
    });
  });

  describe('the mail outbox', () => {
    // The claim a sender runs (see docs/adr/0009): lock due, unsent, unclaimed rows, skipping any
    // another sender holds, and mark them claimed before the lock is released.
    const CLAIM = `UPDATE reservation_mail SET claimed_until = :until, attempts = attempts + 1
      WHERE id IN (SELECT id FROM reservation_mail
                    WHERE sent_at IS NULL AND send_at <= :now AND (claimed_until IS NULL OR claimed_until < :now)
                    ORDER BY send_at LIMIT :limit FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    const claim = (tx: SqlExecutor, limit: number) =>
      tx.all<{ id: number }>(CLAIM, { now: T0, until: T0 + 60_000, limit }).then((rows) => rows.map((r) => r.id));

    let mailIds: number[] = [];
    beforeAll(async () => {
      const ids: number[] = [];
      for (let i = 0; i < 60; i += 1) {
        const booking = await book(db, { slot: `M${i}`, from: T0 + 200 * HOUR, to: T0 + 201 * HOUR });
        const mail = await db.one<{ id: number }>(
          "INSERT INTO reservation_mail (booking_id, kind, send_at) VALUES ($1, 'confirmation', $2) RETURNING id",
          [booking, T0 - i],
        );
        ids.push(mail!.id);
      }
      mailIds = ids;
    });

    it('gives two senders claiming at the same moment different rows, and the second does not wait', async () => {
      let second: number[] = [];
      const first = await db.transaction(async (a) => {
        const mine = await claim(a, 5);
        // While the first sender's transaction still holds its rows, the second claims. Without SKIP
        // LOCKED it would wait for them (here: fail after the lock timeout instead of hanging).
        second = await db.transaction(async (b) => {
          await b.exec("SET LOCAL lock_timeout = '2s'");
          return claim(b, 5);
        });
        return mine;
      });
      expect(first).toHaveLength(5);
      expect(second).toHaveLength(5);
      expect(first.filter((id) => second.includes(id))).toEqual([]);
      await db.run('UPDATE reservation_mail SET claimed_until = NULL, attempts = 0');
    });

    it('hands every due mail to exactly one of many concurrent senders', async () => {
      const claimed: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (;;) {
            const got = await db.transaction(async (tx) => {
              const ids = await claim(tx, 3);
              await new Promise((r) => setImmediate(r)); // hold the locks across a turn of the event loop
              return ids;
            });
            if (got.length === 0) return;
            claimed.push(...got);
          }
        }),
      );
      expect(claimed).toHaveLength(mailIds.length);
      expect([...claimed].sort((x, y) => x - y)).toEqual([...mailIds].sort((x, y) => x - y));
    });
  });
});
