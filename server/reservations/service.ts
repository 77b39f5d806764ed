import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Catalog, SlotRow } from '../core/storage/catalog.ts';
import { BookingPath, pickSlot, type BookingHooks, type BookOptions, type Person } from './booking.ts';
import type { ReservationRules } from './config.ts';
import { ReservationError, ruleError } from './errors.ts';
import { beforeCutoff, resolveWindow, type ResolvedWindow, type WindowRequest } from './rules.ts';
import { EmailVerifications } from './identity.ts';
import { checkLimits } from './limits.ts';
import type { BookingStore, Booking } from './store.ts';
import { MINUTE_MS } from './time.ts';
import { emailKey, hashToken, plateKey } from './token.ts';

/** Told after every committed change, so availability and live updates follow. */
export type ChangeListener = (lots: string[]) => void;

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
  /** New bookings: their checks, the insert, and the group commit of public ones. */
  private readonly booking: BookingPath;

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
    this.booking = new BookingPath(this, store, this.verifications, clock, log, timezone);
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
    return this.booking.book(lotId, w, person, o);
  }

  /** Like book(), committed with the other bookings of this event-loop turn: see BookingPath. */
  bookBatched(
    lotId: string,
    w: WindowRequest,
    person: Person,
    o: BookOptions,
  ): Promise<{ booking: Booking; token: string }> {
    return this.booking.bookBatched(lotId, w, person, o);
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
          ? pickSlot(this.store, this.reservableSlots(cur.lotId), cur.lotId, window, cur.id)
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

  /** When the slot of a booking is kept for it: from `hold_before_min` before the start. */
  holdMs(lotId: string): number {
    return (this.rules.get(lotId)?.hold_before_min ?? 0) * MINUTE_MS;
  }
}
