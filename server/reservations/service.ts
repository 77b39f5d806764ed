import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Catalog, SlotRow } from '../core/storage/catalog.ts';
import type { ReservationRules } from './config.ts';
import { ReservationError, ruleError } from './errors.ts';
import { beforeCutoff, resolveWindow, type ResolvedWindow, type WindowRequest } from './rules.ts';
import { EmailVerifications } from './identity.ts';
import { checkLimits, type PersonKeys } from './limits.ts';
import type { BookingStore, Booking } from './store.ts';
import { MINUTE_MS } from './time.ts';
import { emailKey, hashToken, newBookingCode, newManageToken, plateKey } from './token.ts';
import { WriteBatch } from '../core/storage/write-batch.ts';

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

/** Told after every committed change, so availability and live updates follow. */
export type ChangeListener = (lots: string[]) => void;

/** Hooks into the same transaction as the booking (the e-mail outbox). */
export interface BookingHooks {
  created(b: Booking, token: string, now: number): void;
  changed(b: Booking, now: number): void;
  cancelled(b: Booking, now: number): void;
}

/**
 * Bookings: rules, capacity and per-person limits. Every check and the write that depends on it
 * run in ONE `BEGIN IMMEDIATE` transaction, so no two requests (nor two server processes sharing
 * the file) can both take the last space: the second waits for the write lock, then sees the first
 * one's row.
 */
export class ReservationService {
  readonly store: BookingStore;
  private readonly listeners: ChangeListener[] = [];
  hooks: BookingHooks | undefined;
  private readonly verifications: EmailVerifications;
  /** Group commit of public bookings; lots it changed, told to listeners once per commit. */
  private readonly batch: WriteBatch;
  private readonly batchLots = new Set<string>();

  constructor(
    store: BookingStore,
    private readonly catalog: Catalog,
    private readonly rules: ReadonlyMap<string, ReservationRules>,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly timezone: string,
  ) {
    this.store = store;
    this.verifications = new EmailVerifications(store.db);
    this.batch = new WriteBatch(store.db, {
      // Once per batch instead of once per booking; lapsed holds free their spaces for this batch.
      begin: () => {
        for (const lot of this.store.expirePending(this.clock.now())) this.batchLots.add(lot);
      },
      committed: () => {
        const lots = [...this.batchLots];
        this.batchLots.clear();
        if (lots.length > 0) this.changed(lots);
      },
      rolledBack: () => this.batchLots.clear(),
    });
  }

  onChange(l: ChangeListener): void {
    this.listeners.push(l);
  }

  changed(lots: string[]): void {
    for (const l of this.listeners) {
      try {
        l(lots);
      } catch (err) {
        this.log.error({ err }, 'a reservation change listener threw');
      }
    }
  }

  /** Rules of a lot that takes bookings, or a 404/422. */
  rulesOf(lotId: string): ReservationRules {
    if (this.catalog.lot(lotId) === undefined)
      throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', `no lot "${lotId}"`);
    const r = this.rules.get(lotId);
    if (r === undefined || !r.enabled) throw ruleError('this lot takes no bookings');
    return r;
  }

  /** Lots that take bookings, with their rules. */
  lots(): { lotId: string; rules: ReservationRules }[] {
    return this.catalog
      .lots()
      .filter((l) => this.rules.get(l.lotId)?.enabled === true)
      .map((l) => ({ lotId: l.lotId, rules: this.rules.get(l.lotId)! }));
  }

  reservableSlots(lotId: string): SlotRow[] {
    return this.catalog.slotsOf(lotId).filter((s) => s.reservable && s.configured);
  }

  /** How many reservable slots are free for the window (no write). */
  options(lotId: string, w: WindowRequest): { window: ResolvedWindow; reservable: number; available: number } {
    const rules = this.rulesOf(lotId);
    const window = resolveWindow(rules, w, this.clock.now(), this.timezone);
    this.expirePending();
    const slots = this.reservableSlots(lotId);
    const taken = this.store.takenSlots(lotId, window.startMs, window.endMs);
    const available = taken === 'all' ? 0 : slots.filter((s) => !taken.has(`${s.cameraId}/${s.slotId}`)).length;
    return { window, reservable: slots.length, available };
  }

  /** Books a slot; returns the booking and its manage token (shown once, never stored). */
  book(lotId: string, w: WindowRequest, person: Person, o: BookOptions): { booking: Booking; token: string } {
    const req = this.bookingRequest(lotId, w, person, o);
    let expired: string[] = [];
    const booking = this.store.db
      .transaction(() => {
        expired = this.store.expirePending(req.now);
        return this.insertChecked(req);
      })
      .immediate();
    this.logCreated(booking, o);
    this.changed([...new Set([lotId, ...expired])]);
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
    const booking = await this.batch.run(() => {
      const b = this.insertChecked(req);
      this.batchLots.add(lotId);
      return b;
    });
    this.logCreated(booking, o);
    return { booking, token: req.token };
  }

  /** Everything about a booking that needs no database: rules, window, token, person keys. */
  private bookingRequest(lotId: string, w: WindowRequest, person: Person, o: BookOptions): BookingRequest {
    const rules = this.rulesOf(lotId);
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

  /** The checks that depend on other bookings, and the insert. Inside the caller's write transaction. */
  private insertChecked(req: BookingRequest): Booking {
    const { lotId, rules, now, window, token, keys, visitor, pending, person, o } = req;
    if (visitor) checkLimits(this.store, rules, keys, window, now, 0, this.timezone);
    if (pending) this.verifications.mayMail(person.email, now);
    const slot = this.pickSlot(lotId, window, 0, o.staff?.slot);
    const b = this.store.insert({
      code: this.freshCode(),
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
    this.hooks?.created(b, token, now);
    // The confirmation link is the one mail this address gets until it is confirmed.
    if (pending) this.verifications.sent(person.email, now);
    return b;
  }

  private logCreated(booking: Booking, o: BookOptions): void {
    // Ids and codes only: names, e-mails and plates never reach the log.
    this.log.info(
      { booking_id: booking.id, lot_id: booking.lotId, by: o.by.split(':')[0], pending: booking.pendingUntil !== null },
      'booking created',
    );
  }

  byToken(token: string): Booking {
    const b = this.store.byToken(hashToken(token));
    if (b === undefined) throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'no such booking');
    return b;
  }

  byId(id: number): Booking {
    const b = this.store.byId(id);
    if (b === undefined) throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'no such booking');
    return b;
  }

  /** A visitor's change of window through the manage link, until the cut-off. */
  modify(token: string, w: WindowRequest): Booking {
    const before = this.byToken(token);
    const rules = this.rulesOf(before.lotId);
    const now = this.clock.now();
    const window = resolveWindow(rules, w, now, this.timezone);
    const b = this.store.db
      .transaction(() => {
        const cur = this.store.byId(before.id)!;
        if (cur.status !== 'confirmed')
          throw new ReservationError(409, 'VOLNO_RESERVATION_STATE', `the booking is ${cur.status}`);
        if (!beforeCutoff(rules, cur.startAt, now))
          throw new ReservationError(409, 'VOLNO_RESERVATION_CUTOFF', 'it is too late to change this booking');
        if (cur.createdBy === 'public' && cur.purgedAt === null) {
          const keys = {
            email: emailKey(cur.email ?? ''),
            plate: cur.plate ? plateKey(cur.plate) : null,
            subject: cur.subjectKey,
          };
          checkLimits(this.store, rules, keys, window, now, cur.id, this.timezone);
        }
        const same = { cameraId: cur.cameraId, slotId: cur.slotId };
        const slot = this.store.slotTaken(cur.lotId, same.cameraId, same.slotId, window.startMs, window.endMs, cur.id)
          ? this.pickSlot(cur.lotId, window, cur.id)
          : same;
        this.store.setWindow(cur.id, window.startMs, window.endMs, slot.cameraId, slot.slotId, now);
        const next = this.store.byId(cur.id)!;
        this.hooks?.changed(next, now);
        return next;
      })
      .immediate();
    this.log.info({ booking_id: b.id, lot_id: b.lotId }, 'booking changed');
    this.changed([b.lotId]);
    return b;
  }

  /** Cancels through the manage link (until the cut-off) or by staff (`staff: true`, any time). */
  cancel(b: Booking, o: { staff: boolean }): Booking {
    const now = this.clock.now();
    const rules = this.rules.get(b.lotId);
    const out = this.store.db
      .transaction(() => {
        const cur = this.store.byId(b.id)!;
        const allowed = o.staff ? ['confirmed', 'checked_in'] : ['confirmed'];
        if (!allowed.includes(cur.status))
          throw new ReservationError(409, 'VOLNO_RESERVATION_STATE', `the booking is ${cur.status}`);
        if (!o.staff && rules !== undefined && !beforeCutoff(rules, cur.startAt, now))
          throw new ReservationError(409, 'VOLNO_RESERVATION_CUTOFF', 'it is too late to cancel this booking');
        this.store.setStatus(cur.id, cur.status, 'cancelled', now);
        const next = this.store.byId(cur.id)!;
        this.hooks?.cancelled(next, now);
        return next;
      })
      .immediate();
    this.log.info({ booking_id: b.id, lot_id: b.lotId, by: o.staff ? 'staff' : 'visitor' }, 'booking cancelled');
    this.changed([b.lotId]);
    return out;
  }

  /** Cancels pending bookings whose hold ran out (identity `email`), telling listeners. */
  expirePending(): void {
    const lots = this.store.db.transaction(() => this.store.expirePending(this.clock.now())).immediate();
    if (lots.length > 0) {
      this.log.info({ lots }, 'unconfirmed bookings lapsed');
      this.changed(lots);
    }
  }

  /**
   * The owner opened the mailed link and confirmed: the booking stops being pending and the address
   * counts as confirmed. 409 once the hold has run out.
   */
  confirm(token: string): Booking {
    this.expirePending();
    const b = this.byToken(token);
    // Confirmed already (a second click), or never pending: nothing to do.
    if (b.pendingUntil === null) return b;
    const now = this.clock.now();
    if (b.status !== 'confirmed')
      throw new ReservationError(409, 'VOLNO_RESERVATION_PENDING_EXPIRED', 'the time to confirm this booking ran out');
    this.store.db
      .transaction(() => {
        if (!this.store.confirmPending(b.id, now))
          throw new ReservationError(
            409,
            'VOLNO_RESERVATION_PENDING_EXPIRED',
            'the time to confirm this booking ran out',
          );
        if (b.email !== null) this.verifications.verified(b.email, now);
      })
      .immediate();
    this.log.info({ booking_id: b.id, lot_id: b.lotId }, 'booking confirmed by e-mail link');
    this.changed([b.lotId]);
    return this.byId(b.id);
  }

  /** The first free reservable slot in config order (or the one staff named). Inside a transaction. */
  private pickSlot(
    lotId: string,
    w: ResolvedWindow,
    exceptId: number,
    wanted?: { cameraId: string; slotId: string },
  ): { cameraId: string; slotId: string } {
    const slots = this.reservableSlots(lotId).filter(
      (s) => wanted === undefined || (s.cameraId === wanted.cameraId && s.slotId === wanted.slotId),
    );
    if (wanted !== undefined && slots.length === 0)
      throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'that slot is not reservable in this lot');
    const taken = this.store.takenSlots(lotId, w.startMs, w.endMs, exceptId);
    const free = taken === 'all' ? undefined : slots.find((s) => !taken.has(`${s.cameraId}/${s.slotId}`));
    if (free === undefined)
      throw new ReservationError(409, 'VOLNO_RESERVATION_FULL', 'no reservable space is free for this window');
    return free;
  }

  private freshCode(): string {
    for (;;) {
      const code = newBookingCode();
      if (!this.store.codeTaken(code)) return code;
    }
  }

  /** When the slot of a booking is kept for it: from `hold_before_min` before the start. */
  holdMs(lotId: string): number {
    return (this.rules.get(lotId)?.hold_before_min ?? 0) * MINUTE_MS;
  }
}
