import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { SlotRow } from '../core/storage/catalog.ts';
import { sqlErrorKind, type SqlExecutor } from '../core/storage/sql/port.ts';
import { WriteBatch } from '../core/storage/write-batch.ts';
import type { ReservationRules } from './config.ts';
import { ReservationError } from './errors.ts';
import type { EmailVerifications } from './identity.ts';
import { checkLimits, type PersonKeys } from './limits.ts';
import { resolveWindow, type ResolvedWindow, type WindowRequest } from './rules.ts';
import type { Booking, BookingStore } from './store.ts';
import { MINUTE_MS } from './time.ts';
import { emailKey, hashToken, newBookingCode, newManageToken, plateKey } from './token.ts';

export interface Person {
  name: string;
  email: string;
  plate?: string;
}

export interface BookOptions {
  lang: 'cs' | 'en';
  /** `public`, or `staff:<username>` for a booking made on someone's behalf. */
  by: string;
  /** Staff bookings skip the per-person limits and may name the slot. */
  staff?: { slot?: { cameraId: string; slotId: string } };
  /** The signed-in person (identity `oidc`): the booking is bound to them and limits count them. */
  subjectKey?: string;
}

/** Hooks into the same transaction as the booking (the e-mail outbox): `tx` is its handle. */
export interface BookingHooks {
  created(tx: SqlExecutor, b: Booking, token: string, now: number): Promise<void>;
  changed(tx: SqlExecutor, b: Booking, now: number): Promise<void>;
  cancelled(tx: SqlExecutor, b: Booking, now: number): Promise<void>;
}

/** What the booking path asks of the service that owns it (ReservationService). */
export interface BookingHost {
  /** Read at each booking: the outbox sets it after construction. */
  readonly hooks: BookingHooks | undefined;
  rulesOf(lotId: string): ReservationRules;
  reservableSlots(lotId: string): SlotRow[];
  changed(lots: string[]): void;
}

/** A booking as checked before its transaction: what the insert needs. */
interface BookingRequest {
  lotId: string;
  rules: ReservationRules;
  now: number;
  window: ResolvedWindow;
  token: string;
  keys: PersonKeys;
  visitor: boolean;
  pending: boolean;
  person: Person;
  o: BookOptions;
}

/** Tries of one booking that lost a race on PostgreSQL (a slot taken meanwhile, a deadlock) or drew a code in use. */
const TRIES = 4;

/** The answer to a booking that lost the race for the last space, the same on both engines. */
export const fullError = () =>
  new ReservationError(409, 'VOLNO_RESERVATION_FULL', 'no reservable space is free for this window');

/**
 * Whether `err` is PostgreSQL refusing a booking because another transaction holds an overlapping
 * one: the exclusion constraint bookings_no_overlap (23P01), or a deadlock or serialization failure
 * between two racing exclusion checks (40P01, 40001). SQLite never raises these: its write lock
 * orders the checks, and the loser sees the winner's row.
 */
export function lostRace(err: unknown): boolean {
  const kind = sqlErrorKind(err);
  return kind === 'exclusion' || kind === 'conflict';
}

/**
 * The path of a new booking: the checks that need no database, then the checks that depend on
 * other bookings and the insert, inside one write transaction; either its own (book) or a group
 * commit shared with the other bookings of this event-loop turn (bookBatched).
 */
export class BookingPath {
  /** Group commit of public bookings; lots it changed, told to listeners once per commit. */
  private readonly batch: WriteBatch;
  private readonly batchLots = new Set<string>();

  constructor(
    private readonly host: BookingHost,
    private readonly store: BookingStore,
    private readonly verifications: EmailVerifications,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timezone: string,
  ) {
    this.batch = new WriteBatch(store.sql, {
      // Once per batch instead of once per booking; lapsed holds free their spaces for this batch.
      begin: async (tx) => {
        for (const lot of await this.store.on(tx).expirePending(this.clock.now())) this.batchLots.add(lot);
      },
      committed: () => {
        const lots = [...this.batchLots];
        this.batchLots.clear();
        if (lots.length > 0) this.host.changed(lots);
      },
      rolledBack: () => this.batchLots.clear(),
    });
  }

  /** Books a slot in a transaction of its own; returns the booking and its manage token. */
  async book(
    lotId: string,
    w: WindowRequest,
    person: Person,
    o: BookOptions,
  ): Promise<{ booking: Booking; token: string }> {
    const req = this.bookingRequest(lotId, w, person, o);
    let expired: string[] = [];
    const booking = await tryAgain(() =>
      this.store.sql.transaction(async (tx) => {
        expired = await this.store.on(tx).expirePending(req.now);
        return this.insertChecked(tx, req);
      }),
    );
    this.logCreated(booking, o);
    this.host.changed([...new Set([lotId, ...expired])]);
    return { booking, token: req.token };
  }

  /**
   * Like book(), but commits together with the other bookings of this turn of the event loop (one
   * transaction, a savepoint each: see WriteBatch). Settles after the commit. The public routes use
   * it: under a burst of requests one commit per booking was most of a booking's cost.
   */
  async bookBatched(
    lotId: string,
    w: WindowRequest,
    person: Person,
    o: BookOptions,
  ): Promise<{ booking: Booking; token: string }> {
    const req = this.bookingRequest(lotId, w, person, o);
    const booking = await tryAgain(() =>
      this.batch.run(async (tx) => {
        const b = await this.insertChecked(tx, req);
        this.batchLots.add(lotId);
        return b;
      }),
    );
    this.logCreated(booking, o);
    return { booking, token: req.token };
  }

  /** Everything about a booking that needs no database: rules, window, token, person keys. */
  private bookingRequest(lotId: string, w: WindowRequest, person: Person, o: BookOptions): BookingRequest {
    const rules = this.host.rulesOf(lotId);
    const now = this.clock.now();
    const window = resolveWindow(rules, w, now, this.timezone);
    const keys = {
      email: emailKey(person.email),
      plate: person.plate ? plateKey(person.plate) : null,
      subject: o.subjectKey ?? null,
    };
    const visitor = o.staff === undefined;
    if (visitor && rules.identity === 'oidc' && keys.subject === null)
      throw new ReservationError(401, 'VOLNO_RESERVATION_SIGN_IN', 'sign in to book at this car park');
    const pending = visitor && rules.identity === 'email';
    return { lotId, rules, now, window, token: newManageToken(), keys, visitor, pending, person, o };
  }

  /**
   * The checks that depend on other bookings, and the insert, inside the caller's write
   * transaction. On PostgreSQL another instance may take the slot picked here between the read and
   * the insert (READ COMMITTED: the read did not see its uncommitted row); the exclusion constraint
   * then refuses the insert, the transaction (or the batch job's savepoint) rolls back, and tryAgain
   * runs it again: the next try reads the winner's row and picks another slot, or answers "full" as
   * SQLite's loser does.
   */
  private async insertChecked(tx: SqlExecutor, req: BookingRequest): Promise<Booking> {
    const { lotId, rules, now, window, token, keys, visitor, pending, person, o } = req;
    const store = this.store.on(tx);
    const verifications = this.verifications.on(tx);
    if (visitor) await checkLimits(store, rules, keys, window, now, 0, this.timezone);
    if (pending) await verifications.mayMail(person.email, now);
    const slot = await pickSlot(store, this.host.reservableSlots(lotId), lotId, window, 0, o.staff?.slot);
    const b = await store.insert({
      // 40 random bits: a code in use is so rare that the unique constraint finds it, and tryAgain draws anew.
      code: newBookingCode(),
      tokenHash: hashToken(token),
      lotId,
      cameraId: slot.cameraId,
      slotId: slot.slotId,
      startAt: window.startMs,
      endAt: window.endMs,
      name: person.name.trim(),
      email: person.email.trim(),
      plate: person.plate?.trim() || null,
      emailKey: keys.email,
      plateKey: keys.plate,
      lang: o.lang,
      createdBy: o.by,
      now,
      subjectKey: keys.subject,
      pendingUntil: pending ? now + rules.pending_min * MINUTE_MS : null,
    });
    await this.host.hooks?.created(tx, b, token, now);
    // The confirmation link is the one mail this address gets until it is confirmed.
    if (pending) await verifications.sent(person.email, now);
    return b;
  }

  private logCreated(booking: Booking, o: BookOptions): void {
    // Ids and codes only: names, e-mails and plates never reach the log.
    this.log.info(
      { booking_id: booking.id, lot_id: booking.lotId, by: o.by.split(':')[0], pending: booking.pendingUntil !== null },
      'booking created',
    );
  }
}

/**
 * Runs one try of a booking (its own transaction, or a job of the group commit) again when it lost
 * a race on PostgreSQL or drew a booking code already in use; after the last try a lost race is the
 * same 409 "full" a loser gets on SQLite, never a 500.
 */
async function tryAgain<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const again = lostRace(err) || sqlErrorKind(err) === 'unique';
      if (!again || i >= TRIES) throw lostRace(err) ? fullError() : err;
    }
  }
}

/**
 * A transaction (or a batch) that failed on a lost race as a whole, not inside a try's savepoint
 * (a deadlock in the batch's first statements, say), answers "full" too: never a 500.
 */
export async function answerLostRace<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw lostRace(err) ? fullError() : err;
  }
}

/**
 * The first free slot of `reservable` (the lot's reservable slots, in config order), or the one staff
 * named. Inside a transaction. Also used when a change of window no longer fits the booking's slot.
 */
export async function pickSlot(
  store: BookingStore,
  reservable: SlotRow[],
  lotId: string,
  w: ResolvedWindow,
  exceptId: number,
  wanted?: { cameraId: string; slotId: string },
): Promise<{ cameraId: string; slotId: string }> {
  const slots = reservable.filter(
    (s) => wanted === undefined || (s.cameraId === wanted.cameraId && s.slotId === wanted.slotId),
  );
  if (wanted !== undefined && slots.length === 0)
    throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'that slot is not reservable in this lot');
  const taken = await store.takenSlots(lotId, w.startMs, w.endMs, exceptId);
  const free = taken === 'all' ? undefined : slots.find((s) => !taken.has(`${s.cameraId}/${s.slotId}`));
  if (free === undefined) throw fullError();
  return free;
}
