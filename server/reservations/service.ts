import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Catalog, SlotRow } from '../core/storage/catalog.ts';
import { answerLostRace, BookingPath, pickSlot, type BookingHooks, type BookOptions, type Person } from './booking.ts';
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
 * run in ONE transaction, so no two requests (nor two server instances) can both take the last
 * space. On SQLite (BEGIN IMMEDIATE) the second waits for the write lock, then sees the first one's
 * row; on PostgreSQL the exclusion constraint bookings_no_overlap refuses the second insert, and
 * the loser gets the same 409 VOLNO_RESERVATION_FULL (booking.ts, lostRace).
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
    this.verifications = new EmailVerifications(store.sql);
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
  async options(
    lotId: string,
    w: WindowRequest,
  ): Promise<{ window: ResolvedWindow; reservable: number; available: number }> {
    const rules = this.rulesOf(lotId);
    const window = resolveWindow(rules, w, this.clock.now(), this.timezone);
    await this.expirePending();
    const slots = this.reservableSlots(lotId);
    const taken = await this.store.takenSlots(lotId, window.startMs, window.endMs);
    const available = taken === 'all' ? 0 : slots.filter((s) => !taken.has(`${s.cameraId}/${s.slotId}`)).length;
    return { window, reservable: slots.length, available };
  }

  /** Books a slot; returns the booking and its manage token (shown once, never stored). */
  book(lotId: string, w: WindowRequest, person: Person, o: BookOptions): Promise<{ booking: Booking; token: string }> {
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

  async byToken(token: string): Promise<Booking> {
    const b = await this.store.byToken(hashToken(token));
    if (b === undefined) throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'no such booking');
    return b;
  }

  async byId(id: number): Promise<Booking> {
    const b = await this.store.byId(id);
    if (b === undefined) throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'no such booking');
    return b;
  }

  /** A visitor's change of window through the manage link, until the cut-off. */
  async modify(token: string, w: WindowRequest): Promise<Booking> {
    const before = await this.byToken(token);
    const rules = this.rulesOf(before.lotId);
    const now = this.clock.now();
    const window = resolveWindow(rules, w, now, this.timezone);
    // A slot taken by another instance between the check and the update: the same 409 as "full".
    const b = await answerLostRace(() =>
      this.store.sql.transaction(async (tx) => {
        const store = this.store.on(tx);
        const cur = (await store.byId(before.id))!;
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
          await checkLimits(store, rules, keys, window, now, cur.id, this.timezone);
        }
        const same = { cameraId: cur.cameraId, slotId: cur.slotId };
        const slot = (await store.slotTaken(
          cur.lotId,
          same.cameraId,
          same.slotId,
          window.startMs,
          window.endMs,
          cur.id,
        ))
          ? await pickSlot(store, this.reservableSlots(cur.lotId), cur.lotId, window, cur.id)
          : same;
        await store.setWindow(cur.id, window.startMs, window.endMs, slot.cameraId, slot.slotId, now);
        const next = (await store.byId(cur.id))!;
        await this.hooks?.changed(tx, next, now);
        return next;
      }),
    );
    this.log.info({ booking_id: b.id, lot_id: b.lotId }, 'booking changed');
    this.changed([b.lotId]);
    return b;
  }

  /** Cancels through the manage link (until the cut-off) or by staff (`staff: true`, any time). */
  async cancel(b: Booking, o: { staff: boolean }): Promise<Booking> {
    const now = this.clock.now();
    const rules = this.rules.get(b.lotId);
    const out = await this.store.sql.transaction(async (tx) => {
      const store = this.store.on(tx);
      const cur = (await store.byId(b.id))!;
      const allowed = o.staff ? ['confirmed', 'checked_in'] : ['confirmed'];
      if (!allowed.includes(cur.status))
        throw new ReservationError(409, 'VOLNO_RESERVATION_STATE', `the booking is ${cur.status}`);
      if (!o.staff && rules !== undefined && !beforeCutoff(rules, cur.startAt, now))
        throw new ReservationError(409, 'VOLNO_RESERVATION_CUTOFF', 'it is too late to cancel this booking');
      // Conditional: another instance's change in between makes this a 409, not a lost update.
      if (!(await store.setStatus(cur.id, cur.status, 'cancelled', now)))
        throw new ReservationError(409, 'VOLNO_RESERVATION_STATE', 'the booking changed meanwhile');
      const next = (await store.byId(cur.id))!;
      await this.hooks?.cancelled(tx, next, now);
      return next;
    });
    this.log.info({ booking_id: b.id, lot_id: b.lotId, by: o.staff ? 'staff' : 'visitor' }, 'booking cancelled');
    this.changed([b.lotId]);
    return out;
  }

  /** Cancels pending bookings whose hold ran out (identity `email`), telling listeners. */
  async expirePending(): Promise<void> {
    const now = this.clock.now();
    const lots = await this.store.sql.transaction((tx) => this.store.on(tx).expirePending(now));
    if (lots.length > 0) {
      this.log.info({ lots }, 'unconfirmed bookings lapsed');
      this.changed(lots);
    }
  }

  /**
   * The owner opened the mailed link and confirmed: the booking stops being pending and the address
   * counts as confirmed. 409 once the hold has run out.
   */
  async confirm(token: string): Promise<Booking> {
    await this.expirePending();
    const b = await this.byToken(token);
    // Confirmed already (a second click), or never pending: nothing to do.
    if (b.pendingUntil === null) return b;
    const now = this.clock.now();
    const expired = () =>
      new ReservationError(409, 'VOLNO_RESERVATION_PENDING_EXPIRED', 'the time to confirm this booking ran out');
    if (b.status !== 'confirmed') throw expired();
    await this.store.sql.transaction(async (tx) => {
      if (!(await this.store.on(tx).confirmPending(b.id, now))) throw expired();
      if (b.email !== null) await this.verifications.on(tx).verified(b.email, now);
    });
    this.log.info({ booking_id: b.id, lot_id: b.lotId }, 'booking confirmed by e-mail link');
    this.changed([b.lotId]);
    return this.byId(b.id);
  }

  /** When the slot of a booking is kept for it: from `hold_before_min` before the start. */
  holdMs(lotId: string): number {
    return (this.rules.get(lotId)?.hold_before_min ?? 0) * MINUTE_MS;
  }
}
