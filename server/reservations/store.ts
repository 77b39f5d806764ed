import type { Database, Statement } from 'better-sqlite3';

export const BOOKING_STATUSES = ['confirmed', 'checked_in', 'no_show', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
/** The schema's longest max_duration_min (7 days): no booking is longer. */
const MAX_BOOKING_MS = 10_080 * 60_000;
/** Statuses that hold a slot: a no-show or a cancellation gives it back. */
export const HOLDING = "('confirmed', 'checked_in')";
/**
 * The longest booking of lot `@lotId` (index bookings_lot_span, one lookup): no booking that starts
 * more than this before an instant can still run at it. Overlap queries bound their index range
 * with it rather than with MAX_BOOKING_MS, which read a week of the lot's bookings per check.
 * Evaluated inside the statement, so it sees the same snapshot as the rows it bounds.
 */
const LOT_SPAN = `(SELECT coalesce(max(end_at - start_at), 0) FROM bookings WHERE lot_id = @lotId)`;

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

const COLUMNS = `id, code, lot_id AS lotId, camera_id AS cameraId, slot_id AS slotId, start_at AS startAt,
  end_at AS endAt, status, name, email, plate, lang, created_by AS createdBy, created_at AS createdAt,
  updated_at AS updatedAt, checked_in_at AS checkedInAt, released_at AS releasedAt,
  cancelled_at AS cancelledAt, purged_at AS purgedAt, pending_until AS pendingUntil, subject_key AS subjectKey`;

/** SQL of bookings and blocks. Callers own transactions; nothing here logs. */
export class BookingStore {
  private readonly s: Record<string, Statement>;

  constructor(readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(`INSERT INTO bookings (code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, name,
        email, plate, email_key, plate_key, lang, created_by, created_at, updated_at, subject_key, pending_until)
        VALUES (@code, @tokenHash, @lotId, @cameraId, @slotId, @startAt, @endAt, 'confirmed', @name, @email, @plate,
        @emailKey, @plateKey, @lang, @createdBy, @now, @now, @subjectKey, @pendingUntil) RETURNING ${COLUMNS}`),
      byId: p(`SELECT ${COLUMNS} FROM bookings WHERE id = ?`),
      byToken: p(`SELECT ${COLUMNS} FROM bookings WHERE token_hash = ?`),
      byCode: p(`SELECT ${COLUMNS} FROM bookings WHERE code = ?`),
      // Bounded below by the longest possible booking, so the index range stays small however
      // many bookings lie in the future.
      slotBusy: p(`SELECT 1 FROM bookings WHERE camera_id = @cameraId AND slot_id = @slotId
        AND start_at < @end AND start_at > @start - ${MAX_BOOKING_MS} AND end_at > @start
        AND status IN ${HOLDING} AND id != @exceptId LIMIT 1`),
      lotBusy: p(`SELECT camera_id, slot_id FROM bookings WHERE lot_id = @lotId
        AND start_at < @end AND start_at > @start - ${LOT_SPAN} AND end_at > @start
        AND status IN ${HOLDING} AND id != @exceptId`),
      lotBlocks: p(
        `SELECT camera_id, slot_id FROM reservation_blocks WHERE lot_id = ? AND end_at > ? AND start_at < ?`,
      ),
      slotBlocked: p(`SELECT 1 FROM reservation_blocks WHERE lot_id = ? AND end_at > ? AND start_at < ?
        AND (slot_id IS NULL OR (camera_id = ? AND slot_id = ?)) LIMIT 1`),
      activeByEmail: p(`SELECT count(*) FROM bookings WHERE email_key = ? AND status IN ${HOLDING} AND end_at > ?
        AND id != ?`),
      activeByPlate: p(`SELECT count(*) FROM bookings WHERE plate_key = ? AND status IN ${HOLDING} AND end_at > ?
        AND id != ?`),
      // A UNION of two indexed lookups: an OR across two columns would scan the table.
      dayByPerson: p(`SELECT count(*) FROM (
        SELECT id FROM bookings WHERE email_key = @email AND start_at >= @from AND start_at < @to
          AND status != 'cancelled' AND id != @exceptId
        UNION SELECT id FROM bookings WHERE plate_key = @plate AND start_at >= @from AND start_at < @to
          AND status != 'cancelled' AND id != @exceptId)`),
      activeBySubject: p(`SELECT count(*) FROM bookings WHERE subject_key = ? AND status IN ${HOLDING}
        AND end_at > ? AND id != ?`),
      dayBySubject: p(`SELECT count(*) FROM bookings WHERE subject_key = ? AND start_at >= ? AND start_at < ?
        AND status != 'cancelled' AND id != ?`),
      // A lapsed pending booking gives its space back: cancelled without a cancellation mail.
      // `+status`: without ANALYZE statistics SQLite preferred the (status, start_at) index and read
      // every confirmed booking on every booking (300 µs at 6,000 bookings, growing); the partial
      // index on pending_until reads only the holds that ran out.
      expirePending: p(`UPDATE bookings SET status = 'cancelled', cancelled_at = @now, updated_at = @now
        WHERE pending_until IS NOT NULL AND pending_until <= @now AND +status = 'confirmed' RETURNING lot_id`),
      confirmPending: p(`UPDATE bookings SET pending_until = NULL, updated_at = @now
        WHERE id = @id AND status = 'confirmed' AND pending_until > @now`),
      setWindow: p(`UPDATE bookings SET start_at = ?, end_at = ?, camera_id = ?, slot_id = ?, updated_at = ?
        WHERE id = ?`),
      setStatus: p(`UPDATE bookings SET status = @status, updated_at = @now,
        checked_in_at = CASE WHEN @status = 'checked_in' THEN @at ELSE checked_in_at END,
        released_at = CASE WHEN @status = 'no_show' THEN @now ELSE released_at END,
        cancelled_at = CASE WHEN @status = 'cancelled' THEN @now ELSE cancelled_at END
        WHERE id = @id AND status = @from`),
      // `+status` here and below: the lot's own (lot_id, start_at) range, not every lot's confirmed
      // bookings in start order, which the planner picked without statistics.
      held: p(`SELECT camera_id, slot_id, end_at FROM bookings WHERE lot_id = @lotId AND start_at <= @holdEdge
        AND start_at > @now - ${LOT_SPAN} AND end_at > @now AND +status = 'confirmed'`),
      nextHold: p(`SELECT start_at FROM bookings WHERE lot_id = ? AND start_at > ? AND +status = 'confirmed'
        ORDER BY start_at LIMIT 1`),
      insertBlock: p(`INSERT INTO reservation_blocks (lot_id, camera_id, slot_id, start_at, end_at, reason, created_by,
        created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      blocks: p(`SELECT id, lot_id, camera_id, slot_id, start_at, end_at, reason, created_by, created_at
        FROM reservation_blocks WHERE end_at > ? ORDER BY start_at LIMIT 500`),
      deleteBlock: p(`DELETE FROM reservation_blocks WHERE id = ?`),
    };
  }

  /** Inserts a confirmed booking and returns it as stored (one statement: no second read by id). */
  insert(b: NewBooking): Booking {
    return this.s['insert']!.get(b) as Booking;
  }

  byId(id: number): Booking | undefined {
    return this.s['byId']!.get(id) as Booking | undefined;
  }

  byToken(hash: Buffer): Booking | undefined {
    return this.s['byToken']!.get(hash) as Booking | undefined;
  }

  codeTaken(code: string): boolean {
    return this.s['byCode']!.get(code) !== undefined;
  }

  /** Whether the slot is booked (a holding booking other than `exceptId`) or blocked in [start, end). */
  slotTaken(lotId: string, cameraId: string, slotId: string, start: number, end: number, exceptId = 0): boolean {
    return (
      this.s['slotBusy']!.get({ cameraId, slotId, start, end, exceptId }) !== undefined ||
      this.s['slotBlocked']!.get(lotId, start, end, cameraId, slotId) !== undefined
    );
  }

  /**
   * Slots of a lot booked (by a holding booking other than `exceptId`) or blocked in [start, end),
   * as `camera/slot` keys; `all` when the whole lot is blocked. Two indexed queries for the lot
   * instead of two per slot.
   */
  takenSlots(lotId: string, start: number, end: number, exceptId = 0): Set<string> | 'all' {
    const taken = new Set<string>();
    for (const b of this.s['lotBlocks']!.all(lotId, start, end) as {
      camera_id: string | null;
      slot_id: string | null;
    }[]) {
      if (b.slot_id === null) return 'all';
      taken.add(`${b.camera_id}/${b.slot_id}`);
    }
    for (const r of this.s['lotBusy']!.all({ lotId, start, end, exceptId }) as { camera_id: string; slot_id: string }[])
      taken.add(`${r.camera_id}/${r.slot_id}`);
    return taken;
  }

  activeByEmail(key: string, now: number, exceptId = 0): number {
    return this.s['activeByEmail']!.pluck().get(key, now, exceptId) as number;
  }

  activeByPlate(key: string, now: number, exceptId = 0): number {
    return this.s['activeByPlate']!.pluck().get(key, now, exceptId) as number;
  }

  onDayByPerson(emailKey: string, plateKey: string | null, dayStart: number, dayEnd: number, exceptId = 0): number {
    return this.s['dayByPerson']!.pluck().get({
      email: emailKey,
      plate: plateKey,
      from: dayStart,
      to: dayEnd,
      exceptId,
    }) as number;
  }

  activeBySubject(key: string, now: number, exceptId = 0): number {
    return this.s['activeBySubject']!.pluck().get(key, now, exceptId) as number;
  }

  onDayBySubject(key: string, dayStart: number, dayEnd: number, exceptId = 0): number {
    return this.s['dayBySubject']!.pluck().get(key, dayStart, dayEnd, exceptId) as number;
  }

  /** Cancels pending bookings whose hold ran out; returns the lots that changed. */
  expirePending(now: number): string[] {
    const rows = this.s['expirePending']!.all({ now }) as { lot_id: string }[];
    return [...new Set(rows.map((r) => r.lot_id))];
  }

  /** Confirms a pending booking still within its hold; false when it was not pending or had lapsed. */
  confirmPending(id: number, now: number): boolean {
    return this.s['confirmPending']!.run({ id, now }).changes === 1;
  }

  setWindow(id: number, start: number, end: number, cameraId: string, slotId: string, now: number): void {
    this.s['setWindow']!.run(start, end, cameraId, slotId, now, id);
  }

  /** Moves a booking from one status to another; false when it was no longer in `from`. */
  setStatus(id: number, from: BookingStatus, status: BookingStatus, now: number, at = now): boolean {
    return this.s['setStatus']!.run({ id, from, status, now, at }).changes === 1;
  }

  /**
   * Slots of a lot kept for a confirmed booking at `now` (hold starts `holdMs` before the start),
   * and the next instant that set changes by time alone.
   */
  held(lotId: string, now: number, holdMs: number): { keys: Set<string>; until: number } {
    const keys = new Set<string>();
    let until = Infinity;
    const rows = this.s['held']!.all({ lotId, now, holdEdge: now + holdMs }) as {
      camera_id: string;
      slot_id: string;
      end_at: number;
    }[];
    for (const r of rows) {
      keys.add(`${r.camera_id}/${r.slot_id}`);
      until = Math.min(until, r.end_at);
    }
    const next = this.s['nextHold']!.pluck().get(lotId, now + holdMs) as number | undefined;
    return { keys, until: next === undefined ? until : Math.min(until, next - holdMs) };
  }

  list(f: BookingFilter): Booking[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      args.push(v);
    };
    if (f.lotId !== undefined) add('lot_id = ?', f.lotId);
    if (f.status !== undefined) add('status = ?', f.status);
    if (f.from !== undefined) add('end_at > ?', f.from);
    if (f.to !== undefined) add('start_at < ?', f.to);
    if (f.q !== undefined && f.q !== '') {
      const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        `(lower(code) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' OR email_key LIKE ? ESCAPE '\\' OR plate_key LIKE ? ESCAPE '\\')`,
      );
      args.push(like, like, like, like.toUpperCase().replace(/[\s-]/g, ''));
    }
    const sql = `SELECT ${COLUMNS} FROM bookings ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY start_at DESC, id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, f.limit) as Booking[];
  }

  insertBlock(b: {
    lotId: string;
    cameraId: string | null;
    slotId: string | null;
    startAt: number;
    endAt: number;
    reason: string | null;
    createdBy: string;
    now: number;
  }): number {
    return Number(
      this.s['insertBlock']!.run(b.lotId, b.cameraId, b.slotId, b.startAt, b.endAt, b.reason, b.createdBy, b.now)
        .lastInsertRowid,
    );
  }

  blocks(now: number): BlockRow[] {
    return this.s['blocks']!.all(now) as BlockRow[];
  }

  deleteBlock(id: number): boolean {
    return this.s['deleteBlock']!.run(id).changes === 1;
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
