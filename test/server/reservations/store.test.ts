// Bookings and the mail outbox at store level, on SQLite and PostgreSQL: what the database itself
// must guarantee when requests (or server instances) race.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { EventBus } from '../../../server/core/events.ts';
import { Catalog } from '../../../server/core/storage/catalog.ts';
import { PostgresSqlDatabase } from '../../../server/core/storage/sql/postgres-driver.ts';
import { sqlErrorKind, type SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { Reservations } from '../../../server/reservations/index.ts';
import { MailOutbox, type MailRow } from '../../../server/reservations/outbox.ts';
import { waitFor } from '../../fixtures/process.ts';
import { useEngines } from '../../support/engines.ts';
import { testConfig } from '../support/config.ts';
import { lots, rules, T0 } from './support.ts';

const engines = useEngines();
const log = pino({ level: 'silent' });
const WINDOW = { date: '2026-12-02', start: '10:00', end: '12:00' };
const LIMITS = { max_active_per_email: 100, max_active_per_plate: 100, max_per_day_per_person: 100 };

/** The reservations component on `sql`, with the office lot of `reservable` spaces. */
async function reservationsOn(sql: SqlDatabase, reservable: number): Promise<Reservations> {
  // The storage is `sql`, whatever engine this run's test servers use.
  const config = testConfig('/nonexistent', {
    lots: lots(reservable, rules({ limits: LIMITS })),
    storage: { engine: 'sqlite' },
  });
  const catalog = new Catalog(sql);
  await catalog.applyConfig(config.lots);
  return new Reservations(sql, catalog, config, new ManualClock(T0), log, new EventBus(log));
}

/** A second handle (its own pool) on the same PostgreSQL database, as a second server instance has. */
const secondHandle = (db: SqlDatabase) =>
  new PostgresSqlDatabase({ url: (db as PostgresSqlDatabase).pool.options.connectionString! });

/**
 * Opens every pooled connection before a race: otherwise connecting (several ms each) spaces the
 * racers out, the first commits before the others read, and no insert ever meets the constraint.
 */
async function warm(...handles: SqlDatabase[]): Promise<void> {
  const hold = (h: SqlDatabase) => h.transaction((tx) => tx.run('SELECT pg_sleep(0.02)'));
  await Promise.all(handles.flatMap((h) => (h.engine === 'postgres' ? Array.from({ length: 10 }, () => hold(h)) : [])));
}

const person = (i: number) => ({ name: `P${i}`, email: `p${i}@example.cz` });
const asPublic = { lang: 'cs', by: 'public' } as const;

/** Outcome of each booking: its code, or the error code it was refused with. */
async function settle(ps: Promise<{ booking: { code: string } }>[]): Promise<string[]> {
  const rs = await Promise.allSettled(ps);
  return rs.map((r) =>
    r.status === 'fulfilled' ? 'booked' : ((r.reason as { code?: string }).code ?? String(r.reason)),
  );
}

const tally = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

describe.each(engines)('bookings on $engine', ({ engine, available, open }) => {
  it.skipIf(!available)('round trip: booked, read back by token and id, listed, cancelled', async () => {
    const sql = await open();
    const r = await reservationsOn(sql, 2);
    const svc = r.service;
    const { booking, token } = await svc.book('office', WINDOW, { ...person(1), plate: '1AB 2345' }, asPublic);
    expect(booking).toMatchObject({ lotId: 'office', cameraId: 'gate-1', slotId: 'R1', status: 'confirmed' });
    expect(await svc.byToken(token)).toEqual(booking);
    expect(await svc.byId(booking.id)).toEqual(booking);
    expect((await svc.store.list({ q: '1ab2345', limit: 10 })).map((b) => b.code)).toEqual([booking.code]);
    expect((await svc.options('office', WINDOW)).available).toBe(1);
    const cancelled = await svc.cancel(booking, { staff: true });
    expect(cancelled.status).toBe('cancelled');
    expect((await svc.options('office', WINDOW)).available).toBe(2);
  });

  it.skipIf(!available)('refuses an overlapping booking of a full lot; back-to-back fits', async () => {
    const sql = await open();
    const svc = (await reservationsOn(sql, 1)).service;
    await svc.book('office', WINDOW, person(1), asPublic);
    const overlapping = svc.book('office', { ...WINDOW, start: '11:00', end: '13:00' }, person(2), asPublic);
    await expect(overlapping).rejects.toMatchObject({ statusCode: 409, code: 'VOLNO_RESERVATION_FULL' });
    const after = await svc.book('office', { ...WINDOW, start: '12:00', end: '13:00' }, person(3), asPublic);
    expect(after.booking.slotId).toBe('R1');
  });

  it.skipIf(!available)('200 racing bookings for the one space: exactly one wins, every other is "full"', async () => {
    const sql = await open();
    // PostgreSQL: two handles (two pools), as two server instances; SQLite has one writer per file.
    const other = engine === 'postgres' ? secondHandle(sql) : undefined;
    try {
      const a = await reservationsOn(sql, 1);
      const b = other === undefined ? a : await reservationsOn(other, 1);
      await warm(sql, ...(other ? [other] : []));
      const tries = Array.from({ length: 200 }, (_, i) => {
        const svc = (i % 2 === 0 ? a : b).service;
        // Both paths race: the group commit of the public routes and a transaction each.
        return i % 4 < 2
          ? svc.bookBatched('office', WINDOW, person(i), asPublic)
          : svc.book('office', WINDOW, person(i), asPublic);
      });
      expect(tally(await settle(tries))).toEqual({ booked: 1, VOLNO_RESERVATION_FULL: 199 });
      expect(await sql.one(`SELECT count(*) AS n FROM bookings WHERE status = 'confirmed'`)).toEqual({ n: 1 });
    } finally {
      await other?.close();
    }
  });

  it.skipIf(!available)('racing bookings over three spaces fill each exactly once', async () => {
    const sql = await open();
    const other = engine === 'postgres' ? secondHandle(sql) : undefined;
    try {
      const a = await reservationsOn(sql, 3);
      const b = other === undefined ? a : await reservationsOn(other, 3);
      await warm(sql, ...(other ? [other] : []));
      const tries = Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? a : b).service.bookBatched('office', WINDOW, person(i), asPublic),
      );
      // A loser on PostgreSQL tries the next space rather than giving up at the first clash.
      expect(tally(await settle(tries))).toEqual({ booked: 3, VOLNO_RESERVATION_FULL: 57 });
      const slots = await sql.all<{ slot_id: string }>(`SELECT slot_id FROM bookings ORDER BY slot_id`);
      expect(slots.map((r) => r.slot_id)).toEqual(['R1', 'R2', 'R3']);
    } finally {
      await other?.close();
    }
  });
});

describe.each(engines.filter((e) => e.engine === 'postgres'))('lost races on $engine', ({ available, open }) => {
  it.skipIf(!available)('a booking that dies in a deadlock tries again and answers "full", never a 500', async () => {
    const sql = await open();
    const other = secondHandle(sql);
    try {
      const svc = (await reservationsOn(sql, 1)).service;
      const seen: (string | undefined)[] = [];
      const signal = () => {
        let open!: () => void;
        return { done: new Promise<void>((r) => (open = r)), open: () => open() };
      };
      const [rivalHolds, bookingInserted, bookingMayLock] = [signal(), signal(), signal()];
      // The other instance holds lock 42, then inserts a booking overlapping ours, which waits for our
      // uncommitted row. Ours then waits for lock 42: a cycle. Ours waits last and finds it first (the
      // rival looks only after 10 s), so PostgreSQL aborts ours with 40P01.
      const rival = other.transaction(async (tx) => {
        await tx.run("SET LOCAL deadlock_timeout = '10s'");
        await tx.run('SELECT pg_advisory_xact_lock(42)');
        rivalHolds.open();
        await bookingInserted.done;
        // WINDOW in Prague: 10:00–12:00 is 09:00–11:00Z.
        await tx.run(
          `INSERT INTO bookings (code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, name,
             lang, created_by, created_at, updated_at)
           VALUES ('RIVAL-001', $1, 'office', 'gate-1', 'R1', $2, $3, 'confirmed', 'R', 'cs', 'public', 1, 1)`,
          [Buffer.from('rival'), Date.parse('2026-12-02T09:00:00Z'), Date.parse('2026-12-02T11:00:00Z')],
        );
      });
      await rivalHolds.done;
      svc.hooks = {
        // Runs in the booking's transaction, after its insert.
        async created(tx) {
          if (seen.length > 0) return void seen.push('again');
          bookingInserted.open();
          await bookingMayLock.done;
          try {
            await tx.run('SELECT pg_advisory_xact_lock(42)');
          } catch (err) {
            seen.push(sqlErrorKind(err));
            throw err;
          }
        },
        changed: async () => {},
        cancelled: async () => {},
      };
      const booking = svc.book('office', WINDOW, person(1), asPublic);
      const waiting = `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted`;
      await waitFor(async () => (await sql.one<{ n: number }>(waiting))!.n === 1, {
        timeoutMs: 10_000,
        intervalMs: 5,
        what: 'the rival to wait for our row',
      });
      bookingMayLock.open();
      await expect(booking).rejects.toMatchObject({ statusCode: 409, code: 'VOLNO_RESERVATION_FULL' });
      await rival;
      expect(seen).toEqual(['conflict']); // the second try found the rival's row before inserting
      expect(await sql.all('SELECT code FROM bookings')).toEqual([{ code: 'RIVAL-001' }]);
    } finally {
      await other.close();
    }
  });
});

describe.each(engines)('the mail outbox on $engine', ({ engine, available, open }) => {
  it.skipIf(!available)('two claimers racing over 120 queued mails claim each exactly once', async () => {
    const sql = await open();
    const other = engine === 'postgres' ? secondHandle(sql) : sql;
    try {
      const N = 120;
      const svc = (await reservationsOn(sql, N / 3)).service;
      const outbox = new MailOutbox(sql);
      // Bookings to hang the mails on (no SMTP configured: none queued by booking); three kinds each.
      const bookings: number[] = [];
      for (let i = 0; i < N / 3; i++) bookings.push((await svc.book('office', WINDOW, person(i), asPublic)).booking.id);
      for (const id of bookings)
        for (const kind of ['confirmation', 'reminder', 'cancellation'] as const)
          await sql.transaction((tx) => outbox.enqueue(tx, id, kind, T0, null));
      const claimers = [new MailOutbox(sql), new MailOutbox(other)];
      const claimed: MailRow[] = [];
      // Four workers per claimer, each claiming until nothing is due.
      const worker = async (o: MailOutbox) => {
        for (let row = await o.claimNext(T0, T0 + 60_000); row; row = await o.claimNext(T0, T0 + 60_000))
          claimed.push(row);
      };
      await Promise.all(claimers.flatMap((o) => [worker(o), worker(o), worker(o), worker(o)]));
      const ids = claimed.map((r) => r.id);
      expect(ids).toHaveLength(N);
      expect(new Set(ids).size).toBe(N);
      expect(claimed.every((r) => r.attempts === 0)).toBe(true);
      // Claimed rows wait for their lease; once it ran out (a crashed sender), they are due again.
      expect(await claimers[0]!.claimNext(T0 + 1, T0 + 2)).toBeUndefined();
      expect(await claimers[1]!.claimNext(T0 + 60_001, T0 + 120_000)).toMatchObject({ attempts: 1 });
    } finally {
      if (other !== sql) await other.close();
    }
  });
});
