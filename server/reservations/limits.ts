import type { ReservationRules } from './config.ts';
import { ReservationError } from './errors.ts';
import type { ResolvedWindow } from './rules.ts';
import type { BookingStore } from './store.ts';
import { addDays, resolveLocal } from './time.ts';

/** Who a booking counts against: the e-mail and plate keys, and the verified person on `oidc` lots. */
export interface PersonKeys {
  email: string;
  plate: string | null;
  /** SHA-256 of issuer and subject; null when nobody signed in. */
  subject: string | null;
}

const limit = (m: string) => new ReservationError(409, 'VOLNO_RESERVATION_LIMIT', m);

/**
 * The per-person limits of a lot, counted over holding bookings other than `exceptId`. Runs inside
 * the booking's transaction, so two requests cannot both pass them: on SQLite the write lock makes
 * them take turns; on PostgreSQL (READ COMMITTED lets two transactions count the same rows) an
 * advisory lock per person key does, held to the end of the transaction. Keys are locked sorted, so
 * two bookings sharing keys lock them in the same order.
 */
export async function checkLimits(
  store: BookingStore,
  r: ReservationRules,
  keys: PersonKeys,
  w: ResolvedWindow,
  now: number,
  exceptId: number,
  tz: string,
): Promise<void> {
  const l = r.limits;
  const dayStart = resolveLocal(w.date, 0, tz).ms;
  const dayEnd = resolveLocal(addDays(w.date, 1), 0, tz).ms;
  if (store.sql.engine === 'postgres') {
    const named = [
      `email:${keys.email}`,
      keys.plate && `plate:${keys.plate}`,
      keys.subject && `subject:${keys.subject}`,
    ];
    const locks = named.filter((k): k is string => Boolean(k)).map((k) => `booking_person:${k}`);
    // One statement, locking in the order of the (sorted) list: a function's rows come in order.
    await store.sql.run('SELECT pg_advisory_xact_lock(hashtext(k)) FROM string_to_table($1, chr(1)) AS k', [
      locks.sort().join('\u0001'),
    ]);
  }
  const c = await store.personCounts(keys, now, dayStart, dayEnd, exceptId);
  // A verified person is counted as such, whatever e-mail or plate they type this time.
  if (keys.subject !== null) {
    if (c.activeBySubject >= l.max_active_per_email) throw limit(`you already hold ${l.max_active_per_email} bookings`);
    if (c.onDayBySubject >= l.max_per_day_per_person)
      throw limit(`at most ${l.max_per_day_per_person} booking(s) per person and day`);
  }
  if (c.activeByEmail >= l.max_active_per_email)
    throw limit(`this e-mail address already holds ${l.max_active_per_email} bookings`);
  if (keys.plate !== null && c.activeByPlate >= l.max_active_per_plate)
    throw limit(`this licence plate already holds ${l.max_active_per_plate} bookings`);
  if (c.onDayByPerson >= l.max_per_day_per_person)
    throw limit(`at most ${l.max_per_day_per_person} booking(s) per person and day`);
}
