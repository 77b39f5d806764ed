import type { SqlExecutor } from '../core/storage/sql/port.ts';

export const BOOKING_STATUSES = ['confirmed', 'checked_in', 'no_show', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
/** The schema's longest max_duration_min (7 days): no booking is longer. */
const MAX_BOOKING_MS = 10_080 * 60_000;
/** Statuses that hold a slot: a no-show or a cancellation gives it back. */
export const HOLDING = "('confirmed', 'checked_in')";
/**
 * The longest booking of lot `:lotId` (index bookings_lot_span, one lookup): no booking that starts
 * more than this before an instant can still run at it. Overlap queries bound their index range
 * with it rather than with MAX_BOOKING_MS, which read a week of the lot's bookings per check.
 * Evaluated inside the statement, so it sees the same snapshot as the rows it bounds.
 */
const LOT_SPAN = `(SELECT coalesce(max(end_at - start_at), 0) FROM bookings WHERE lot_id = :lotId)`;

/** One booking row, camelCase. Personal fields are null after the privacy purge. */
export interface Booking {
  id: number;
  code: string;
  lotId: string;
  cameraId: string;
  slotId: string;
  startAt: number;
  endAt: number;
  status: BookingStatus;
  name: string | null;
  email: string | null;
  plate: string | null;
  lang: 'cs' | 'en';
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  checkedInAt: number | null;
  releasedAt: number | null;
  cancelledAt: number | null;
  purgedAt: number | null;
  /** Identity `email`: holds its space only until then unless confirmed (then null). */
  pendingUntil: number | null;
  /** Identity `oidc`: SHA-256 of issuer and subject. */
  subjectKey: string | null;
}

export interface NewBooking {
  code: string;
  tokenHash: Buffer;
  lotId: string;
  cameraId: string;
  slotId: string;
  startAt: number;
  endAt: number;
  name: string;
  email: string;
  plate: string | null;
  emailKey: string;
  plateKey: string | null;
  lang: 'cs' | 'en';
  createdBy: string;
  now: number;
  /** Identity `oidc`: the verified person (server/identity subjectKey). */
  subjectKey: string | null;
  pendingUntil: number | null;
}

export interface BookingFilter {
  lotId?: string;
  status?: BookingStatus;
  from?: number;
  to?: number;
  /** Matches code, name, e-mail or plate (staff search). */
  q?: string;
  limit: number;
}

const COLUMNS = `id, code, lot_id AS "lotId", camera_id AS "cameraId", slot_id AS "slotId", start_at AS "startAt",
  end_at AS "endAt", status, name, email, plate, lang, created_by AS "createdBy", created_at AS "createdAt",
  updated_at AS "updatedAt", checked_in_at AS "checkedInAt", released_at AS "releasedAt",
  cancelled_at AS "cancelledAt", purged_at AS "purgedAt", pending_until AS "pendingUntil", subject_key AS "subjectKey"`;

/**
 * The statements, per engine. `+status` is SQLite's way to keep its planner off an index: without
 * ANALYZE statistics it preferred the (status, start_at) index and read every confirmed booking on
 * every booking (300 µs at 6,000 bookings, growing). PostgreSQL has no unary plus on text (and
 * plans from its own statistics), so there it is plain `status`.
 */
function statements(engine: SqlExecutor['engine']) {
  const st = engine === 'sqlite' ? '+status' : 'status';
  return {
    insert: `INSERT INTO bookings (code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, name,
      email, plate, email_key, plate_key, lang, created_by, created_at, updated_at, subject_key, pending_until)
      VALUES (:code, :tokenHash, :lotId, :cameraId, :slotId, :startAt, :endAt, 'confirmed', :name, :email, :plate,
      :emailKey, :plateKey, :lang, :createdBy, :now, :now, :subjectKey, :pendingUntil) RETURNING ${COLUMNS}`,
    // Bounded below by the longest possible booking (`:floor`), so the index range stays small
    // however many bookings lie in the future.
    slotBusy: `SELECT 1 AS hit FROM bookings WHERE camera_id = :cameraId AND slot_id = :slotId
      AND start_at < :end AND start_at > :floor AND end_at > :start
      AND status IN ${HOLDING} AND id != :exceptId LIMIT 1`,
    lotBusy: `SELECT camera_id, slot_id FROM bookings WHERE lot_id = :lotId
      AND start_at < :end AND start_at > :start - ${LOT_SPAN} AND end_at > :start
      AND status IN ${HOLDING} AND id != :exceptId`,
    // A UNION of two indexed lookups: an OR across two columns would scan the table.
    dayByPerson: `SELECT count(*) AS n FROM (
      SELECT id FROM bookings WHERE email_key = :email AND start_at >= :from AND start_at < :to
        AND status != 'cancelled' AND id != :exceptId
      UNION SELECT id FROM bookings WHERE plate_key = :plate AND start_at >= :from AND start_at < :to
        AND status != 'cancelled' AND id != :exceptId) AS mine`,
    // A lapsed pending booking gives its space back: cancelled without a cancellation mail. The
    // partial index on pending_until reads only the holds that ran out. On PostgreSQL, rows another
    // transaction has locked are skipped rather than waited for: that one is expiring or changing
    // them already, and a wait here (inside a group commit) could deadlock with it.
    expirePending:
      engine === 'sqlite'
        ? `UPDATE bookings SET status = 'cancelled', cancelled_at = :now, updated_at = :now
           WHERE pending_until IS NOT NULL AND pending_until <= :now AND +status = 'confirmed' RETURNING lot_id`
        : `UPDATE bookings SET status = 'cancelled', cancelled_at = :now, updated_at = :now
           WHERE id IN (SELECT id FROM bookings WHERE pending_until IS NOT NULL AND pending_until <= :now
             AND status = 'confirmed' FOR UPDATE SKIP LOCKED) RETURNING lot_id`,
    setStatus: `UPDATE bookings SET status = :status, updated_at = :now,
      checked_in_at = CASE WHEN :status = 'checked_in' THEN :at ELSE checked_in_at END,
      released_at = CASE WHEN :status = 'no_show' THEN :now ELSE released_at END,
      cancelled_at = CASE WHEN :status = 'cancelled' THEN :now ELSE cancelled_at END
      WHERE id = :id AND status = :from`,
    // The lot's own (lot_id, start_at) range, not every lot's confirmed bookings in start order.
    held: `SELECT camera_id, slot_id, end_at FROM bookings WHERE lot_id = :lotId AND start_at <= :holdEdge
      AND start_at > :now - ${LOT_SPAN} AND end_at > :now AND ${st} = 'confirmed'`,
    nextHold: `SELECT start_at FROM bookings WHERE lot_id = $1 AND start_at > $2 AND ${st} = 'confirmed'
      ORDER BY start_at LIMIT 1`,
  };
}

/**
 * SQL of bookings and blocks, on either engine. Callers own transactions: `on(tx)` gives the same
 * store on a transaction's handle. Nothing here logs.
 */
export class BookingStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(readonly sql: SqlExecutor) {
    this.s = statements(sql.engine);
  }

  /** This store on `tx` (a transaction's handle), to join the caller's transaction. */
  on(tx: SqlExecutor): BookingStore {
    return tx === this.sql ? this : new BookingStore(tx);
  }

  /** Inserts a confirmed booking and returns it as stored (one statement: no second read by id). */
  async insert(b: NewBooking): Promise<Booking> {
    return (await this.sql.one<Booking>(this.s.insert, { ...b }))!;
  }

  byId(id: number): Promise<Booking | undefined> {
    return this.sql.one<Booking>(`SELECT ${COLUMNS} FROM bookings WHERE id = $1`, [id]);
  }

  byToken(hash: Buffer): Promise<Booking | undefined> {
    return this.sql.one<Booking>(`SELECT ${COLUMNS} FROM bookings WHERE token_hash = $1`, [hash]);
  }

  async codeTaken(code: string): Promise<boolean> {
    return (await this.sql.one('SELECT 1 AS hit FROM bookings WHERE code = $1', [code])) !== undefined;
  }

  /** Whether the slot is booked (a holding booking other than `exceptId`) or blocked in [start, end). */
  async slotTaken(
    lotId: string,
    cameraId: string,
    slotId: string,
    start: number,
    end: number,
    exceptId = 0,
  ): Promise<boolean> {
    const busy = { cameraId, slotId, start, end, exceptId, floor: start - MAX_BOOKING_MS };
    if ((await this.sql.one(this.s.slotBusy, busy)) !== undefined) return true;
    const blocked = await this.sql.one(
      `SELECT 1 AS hit FROM reservation_blocks WHERE lot_id = $1 AND end_at > $2 AND start_at < $3
       AND (slot_id IS NULL OR (camera_id = $4 AND slot_id = $5)) LIMIT 1`,
      [lotId, start, end, cameraId, slotId],
    );
    return blocked !== undefined;
  }

  /**
   * Slots of a lot booked (by a holding booking other than `exceptId`) or blocked in [start, end),
   * as `camera/slot` keys; `all` when the whole lot is blocked. Two indexed queries for the lot
   * instead of two per slot.
   */
  async takenSlots(lotId: string, start: number, end: number, exceptId = 0): Promise<Set<string> | 'all'> {
    const taken = new Set<string>();
    const blocks = await this.sql.all<{ camera_id: string | null; slot_id: string | null }>(
      'SELECT camera_id, slot_id FROM reservation_blocks WHERE lot_id = $1 AND end_at > $2 AND start_at < $3',
      [lotId, start, end],
    );
    for (const b of blocks) {
      if (b.slot_id === null) return 'all';
      taken.add(`${b.camera_id}/${b.slot_id}`);
    }
    const busy = await this.sql.all<{ camera_id: string; slot_id: string }>(this.s.lotBusy, {
      lotId,
      start,
      end,
      exceptId,
    });
    for (const r of busy) taken.add(`${r.camera_id}/${r.slot_id}`);
    return taken;
  }

  /** Holding bookings of `column` = key that end after `now`, other than `exceptId`. */
  private async activeBy(
    column: 'email_key' | 'plate_key' | 'subject_key',
    key: string,
    now: number,
    exceptId: number,
  ) {
    const r = await this.sql.one<{ n: number }>(
      `SELECT count(*) AS n FROM bookings WHERE ${column} = $1 AND status IN ${HOLDING} AND end_at > $2 AND id != $3`,
      [key, now, exceptId],
    );
    return r!.n;
  }

  activeByEmail(key: string, now: number, exceptId = 0): Promise<number> {
    return this.activeBy('email_key', key, now, exceptId);
  }

  activeByPlate(key: string, now: number, exceptId = 0): Promise<number> {
    return this.activeBy('plate_key', key, now, exceptId);
  }

  activeBySubject(key: string, now: number, exceptId = 0): Promise<number> {
    return this.activeBy('subject_key', key, now, exceptId);
  }

  async onDayByPerson(
    emailKey: string,
    plateKey: string | null,
    dayStart: number,
    dayEnd: number,
    exceptId = 0,
  ): Promise<number> {
    const params = { email: emailKey, plate: plateKey, from: dayStart, to: dayEnd, exceptId };
    return (await this.sql.one<{ n: number }>(this.s.dayByPerson, params))!.n;
  }

  async onDayBySubject(key: string, dayStart: number, dayEnd: number, exceptId = 0): Promise<number> {
    const r = await this.sql.one<{ n: number }>(
      `SELECT count(*) AS n FROM bookings WHERE subject_key = $1 AND start_at >= $2 AND start_at < $3
       AND status != 'cancelled' AND id != $4`,
      [key, dayStart, dayEnd, exceptId],
    );
    return r!.n;
  }

  /** Cancels pending bookings whose hold ran out; returns the lots that changed. */
  async expirePending(now: number): Promise<string[]> {
    const rows = await this.sql.all<{ lot_id: string }>(this.s.expirePending, { now });
    return [...new Set(rows.map((r) => r.lot_id))];
  }

  /** Confirms a pending booking still within its hold; false when it was not pending or had lapsed. */
  async confirmPending(id: number, now: number): Promise<boolean> {
    const r = await this.sql.run(
      `UPDATE bookings SET pending_until = NULL, updated_at = $2
       WHERE id = $1 AND status = 'confirmed' AND pending_until > $2`,
      [id, now],
    );
    return r.changes === 1;
  }

  async setWindow(id: number, start: number, end: number, cameraId: string, slotId: string, now: number) {
    await this.sql.run(
      'UPDATE bookings SET start_at = $1, end_at = $2, camera_id = $3, slot_id = $4, updated_at = $5 WHERE id = $6',
      [start, end, cameraId, slotId, now, id],
    );
  }

  /** Moves a booking from one status to another; false when it was no longer in `from`. */
  async setStatus(id: number, from: BookingStatus, status: BookingStatus, now: number, at = now): Promise<boolean> {
    return (await this.sql.run(this.s.setStatus, { id, from, status, now, at })).changes === 1;
  }

  /**
   * Slots of a lot kept for a confirmed booking at `now` (hold starts `holdMs` before the start),
   * and the next instant that set changes by time alone.
   */
  async held(lotId: string, now: number, holdMs: number): Promise<{ keys: Set<string>; until: number }> {
    const keys = new Set<string>();
    let until = Infinity;
    const rows = await this.sql.all<{ camera_id: string; slot_id: string; end_at: number }>(this.s.held, {
      lotId,
      now,
      holdEdge: now + holdMs,
    });
    for (const r of rows) {
      keys.add(`${r.camera_id}/${r.slot_id}`);
      until = Math.min(until, r.end_at);
    }
    const next = await this.sql.one<{ start_at: number }>(this.s.nextHold, [lotId, now + holdMs]);
    return { keys, until: next === undefined ? until : Math.min(until, next.start_at - holdMs) };
  }

  list(f: BookingFilter): Promise<Booking[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.lotId !== undefined) add('lot_id = ?', f.lotId);
    if (f.status !== undefined) add('status = ?', f.status);
    if (f.from !== undefined) add('end_at > ?', f.from);
    if (f.to !== undefined) add('start_at < ?', f.to);
    if (f.q !== undefined && f.q !== '') {
      // Both sides lower-cased (keys upper-cased): LIKE is case-sensitive on PostgreSQL, not on SQLite.
      const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const n = args.length;
      where.push(
        `(lower(code) LIKE $${n + 1} ESCAPE '\\' OR lower(name) LIKE $${n + 1} ESCAPE '\\'` +
          ` OR email_key LIKE $${n + 1} ESCAPE '\\' OR plate_key LIKE $${n + 2} ESCAPE '\\')`,
      );
      args.push(like, like.toUpperCase().replace(/[\s-]/g, ''));
    }
    args.push(f.limit);
    const sql = `SELECT ${COLUMNS} FROM bookings ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY start_at DESC, id DESC LIMIT $${args.length}`;
    return this.sql.all<Booking>(sql, args);
  }

  async insertBlock(b: {
    lotId: string;
    cameraId: string | null;
    slotId: string | null;
    startAt: number;
    endAt: number;
    reason: string | null;
    createdBy: string;
    now: number;
  }): Promise<number> {
    const row = await this.sql.one<{ id: number }>(
      `INSERT INTO reservation_blocks (lot_id, camera_id, slot_id, start_at, end_at, reason, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [b.lotId, b.cameraId, b.slotId, b.startAt, b.endAt, b.reason, b.createdBy, b.now],
    );
    return row!.id;
  }

  blocks(now: number): Promise<BlockRow[]> {
    return this.sql.all<BlockRow>(
      `SELECT id, lot_id, camera_id, slot_id, start_at, end_at, reason, created_by, created_at
       FROM reservation_blocks WHERE end_at > $1 ORDER BY start_at LIMIT 500`,
      [now],
    );
  }

  async deleteBlock(id: number): Promise<boolean> {
    return (await this.sql.run('DELETE FROM reservation_blocks WHERE id = $1', [id])).changes === 1;
  }
}

export interface BlockRow {
  id: number;
  lot_id: string;
  camera_id: string | null;
  slot_id: string | null;
  start_at: number;
  end_at: number;
  reason: string | null;
  created_by: string;
  created_at: number;
}
