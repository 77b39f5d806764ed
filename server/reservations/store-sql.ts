// The SQL text of the booking store (store.ts), one text for both engines except where noted.
import type { SqlEngine } from '../core/storage/sql/port.ts';

/** The schema's longest max_duration_min (7 days): no booking is longer. */
export const MAX_BOOKING_MS = 10_080 * 60_000;
/** Statuses that hold a slot: a no-show or a cancellation gives it back. */
export const HOLDING = "('confirmed', 'checked_in')";
/**
 * The longest booking of lot `:lotId` (index bookings_lot_span, one lookup): no booking that starts
 * more than this before an instant can still run at it. Overlap queries bound their index range
 * with it rather than with MAX_BOOKING_MS, which read a week of the lot's bookings per check.
 * Evaluated inside the statement, so it sees the same snapshot as the rows it bounds.
 */
const LOT_SPAN = `(SELECT coalesce(max(end_at - start_at), 0) FROM bookings WHERE lot_id = :lotId)`;

export const COLUMNS = `id, code, lot_id AS "lotId", camera_id AS "cameraId", slot_id AS "slotId", start_at AS "startAt",
  end_at AS "endAt", status, name, email, plate, lang, created_by AS "createdBy", created_at AS "createdAt",
  updated_at AS "updatedAt", checked_in_at AS "checkedInAt", released_at AS "releasedAt",
  cancelled_at AS "cancelledAt", purged_at AS "purgedAt", pending_until AS "pendingUntil", subject_key AS "subjectKey"`;

/**
 * The statements, per engine. `+status` is SQLite's way to keep its planner off an index: without
 * ANALYZE statistics it preferred the (status, start_at) index and read every confirmed booking on
 * every booking (300 µs at 6,000 bookings, growing). PostgreSQL has no unary plus on text (and
 * plans from its own statistics), so there it is plain `status`.
 */
export function statements(engine: SqlEngine) {
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
    // Blocks and bookings of the lot in one statement (one round trip to PostgreSQL, not two).
    taken: `SELECT camera_id, slot_id FROM reservation_blocks WHERE lot_id = :lotId AND end_at > :start
        AND start_at < :end
      UNION ALL SELECT camera_id, slot_id FROM bookings WHERE lot_id = :lotId
        AND start_at < :end AND start_at > :start - ${LOT_SPAN} AND end_at > :start
        AND status IN ${HOLDING} AND id != :exceptId`,
    // Every per-person count in one statement. The day count is a UNION of two indexed lookups: an
    // OR across two columns would scan the table. A null key matches nothing (counts 0).
    counts: `SELECT
      (SELECT count(*) FROM bookings WHERE subject_key = :subject AND status IN ${HOLDING} AND end_at > :now
        AND id != :exceptId) AS "activeBySubject",
      (SELECT count(*) FROM bookings WHERE subject_key = :subject AND start_at >= :from AND start_at < :to
        AND status != 'cancelled' AND id != :exceptId) AS "onDayBySubject",
      (SELECT count(*) FROM bookings WHERE email_key = :email AND status IN ${HOLDING} AND end_at > :now
        AND id != :exceptId) AS "activeByEmail",
      (SELECT count(*) FROM bookings WHERE plate_key = :plate AND status IN ${HOLDING} AND end_at > :now
        AND id != :exceptId) AS "activeByPlate",
      (SELECT count(*) FROM (
        SELECT id FROM bookings WHERE email_key = :email AND start_at >= :from AND start_at < :to
          AND status != 'cancelled' AND id != :exceptId
        UNION SELECT id FROM bookings WHERE plate_key = :plate AND start_at >= :from AND start_at < :to
          AND status != 'cancelled' AND id != :exceptId) AS mine) AS "onDayByPerson"`,
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
