import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { COLUMNS, MAX_BOOKING_MS, statements } from './store-sql.ts';

export const BOOKING_STATUSES = ['confirmed', 'checked_in', 'no_show', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export { HOLDING } from './store-sql.ts';

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

/** Who a booking counts against: e-mail and plate keys, and the verified person (null: none). */
export interface PersonKeyValues {
  email: string;
  plate: string | null;
  subject: string | null;
}

export interface PersonCounts {
  activeBySubject: number;
  onDayBySubject: number;
  activeByEmail: number;
  activeByPlate: number;
  onDayByPerson: number;
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
   * as `camera/slot` keys; `all` when the whole lot is blocked. One statement of two indexed
   * lookups for the lot instead of two per slot.
   */
  async takenSlots(lotId: string, start: number, end: number, exceptId = 0): Promise<Set<string> | 'all'> {
    const rows = await this.sql.all<{ camera_id: string | null; slot_id: string | null }>(this.s.taken, {
      lotId,
      start,
      end,
      exceptId,
    });
    // A block of the whole lot has no slot (bookings always have one).
    if (rows.some((r) => r.slot_id === null)) return 'all';
    return new Set(rows.map((r) => `${r.camera_id}/${r.slot_id}`));
  }

  /**
   * What the per-person limits count (limits.ts), other than `exceptId`: holding bookings that end
   * after `now` by subject, e-mail and plate, and bookings starting on the day [from, to) by
   * subject and by e-mail or plate.
   */
  async personCounts(
    keys: PersonKeyValues,
    now: number,
    from: number,
    to: number,
    exceptId = 0,
  ): Promise<PersonCounts> {
    const params = { subject: keys.subject, email: keys.email, plate: keys.plate, now, from, to, exceptId };
    return (await this.sql.one<PersonCounts>(this.s.counts, params))!;
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
