import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { ReservationRules } from './config.ts';
import type { ReservationService } from './service.ts';
import { MINUTE_MS } from './time.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

export type LoopEventKind = 'checked_in' | 'no_show' | 'occupied_without_booking';
type Decided = { kind: LoopEventKind; bookingId: number }[];

interface Candidate {
  id: number;
  lot_id: string;
  camera_id: string;
  slot_id: string;
  start_at: number;
  end_at: number;
  state: 'free' | 'occupied' | 'unknown' | null;
  since: number | null;
  observed_at: number | null;
}

/** The longest hold/early check-in the rules allow (240 min): how far ahead bookings are looked at. */
const LOOKAHEAD_MS = 240 * MINUTE_MS;
/** The schema's longest booking (7 days), bounding the index range scanned. */
const MAX_BOOKING_MS = 10_080 * MINUTE_MS;

/**
 * Closes the loop between bookings and what the cameras see:
 * - the slot turned occupied at or after `start − early_checkin` (and before the end): checked in;
 * - still free (and confirmed recently) at `start + grace`: a no-show, and the slot is public again;
 * - occupied since before the check-in window while the slot is kept for a booking: somebody else
 *   parked there, so staff get an alert (an event row, shown on the staff page).
 * It runs after ingest commits (deferred with setImmediate, coalesced, so ingest never waits for
 * it) and on a timer for deadlines that pass without any message. Unknown or stale states decide
 * nothing: a camera outage never turns a visitor into a no-show.
 */
export class ReservationLoop {
  private readonly timer: PeriodicTimer;
  private pending = false;
  /** The pass in progress, and the one asked for meanwhile: one pass at a time. */
  private running: Promise<Decided> | undefined;
  private next: Promise<Decided> | undefined;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly service: ReservationService,
    private readonly rules: ReadonlyMap<string, ReservationRules>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly o: { staleAfterMs: number; intervalMs: number },
  ) {
    this.timer = new PeriodicTimer(() => this.tick(), { everyMs: o.intervalMs, name: 'reservation loop', log });
  }

  start(): void {
    this.timer.start();
  }

  /** Stops the timer; resolves when a pass in flight (and one asked for meanwhile) has ended. */
  async stop(): Promise<void> {
    this.timer.stop();
    await this.next;
    await this.running;
  }

  /** The ingest writer committed: look again soon, after the writer's own turn. */
  committed(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      void this.tick();
    });
  }

  /**
   * One pass now; never rejects. Resolves to what it decided (for tests). Called during a pass, it
   * runs one more pass after it (a commit may have changed what that one read); calls meanwhile
   * share that next pass.
   */
  tick(): Promise<Decided> {
    if (this.running !== undefined)
      return (this.next ??= this.running.then(() => {
        this.next = undefined;
        return this.tick();
      }));
    const pass = this.evaluate(this.clock.now()).catch((err: unknown) => {
      this.log.error({ err }, 'reservation loop failed');
      return [];
    });
    this.running = pass.finally(() => (this.running = undefined));
    return this.running;
  }

  private async evaluate(now: number): Promise<Decided> {
    const decided: Decided = [];
    const lots = new Set<string>();
    // Ordered by id: two instances' passes then lock the same bookings in the same order.
    const rows = await this.sql.all<Candidate>(
      `SELECT b.id, b.lot_id, b.camera_id, b.slot_id, b.start_at, b.end_at, st.state, st.since, st.observed_at
       FROM bookings b LEFT JOIN slot_state st ON st.camera_id = b.camera_id AND st.slot_id = b.slot_id
       WHERE b.status = 'confirmed' AND b.start_at <= $1 AND b.start_at > $2 AND b.end_at > $3 ORDER BY b.id`,
      [now + LOOKAHEAD_MS, now - MAX_BOOKING_MS, now],
    );
    if (rows.length === 0) return decided;
    await this.sql.transaction(async (tx) => {
      const store = this.service.store.on(tx);
      for (const c of rows) {
        const r = this.rules.get(c.lot_id);
        if (r === undefined) continue;
        const kind = this.decide(c, r, now);
        if (kind === undefined) continue;
        if (kind === 'occupied_without_booking') {
          const key = `alert:${c.id}:${c.since}`;
          if (await this.event(tx, now, kind, c, `occupied since ${new Date(c.since!).toISOString()}`, key))
            decided.push({ kind, bookingId: c.id });
          continue;
        }
        const to = kind === 'checked_in' ? 'checked_in' : 'no_show';
        // Conditional: another instance (or a cancellation) that moved it first wins, and this pass skips it.
        if (!(await store.setStatus(c.id, 'confirmed', to, now, c.since ?? now))) continue;
        await this.event(tx, now, kind, c, null, `${kind}:${c.id}`);
        lots.add(c.lot_id);
        decided.push({ kind, bookingId: c.id });
      }
    });
    for (const d of decided) this.log.info({ booking_id: d.bookingId, decision: d.kind }, 'reservation loop');
    if (lots.size > 0) this.service.changed([...lots]);
    return decided;
  }

  private decide(c: Candidate, r: ReservationRules, now: number): LoopEventKind | undefined {
    const checkinFrom = c.start_at - r.early_checkin_min * MINUTE_MS;
    const holdFrom = c.start_at - r.hold_before_min * MINUTE_MS;
    if (now < Math.min(checkinFrom, holdFrom)) return undefined;
    const fresh = c.observed_at !== null && now - c.observed_at <= this.o.staleAfterMs;
    if (!fresh || c.state === null || c.state === 'unknown') return undefined;
    if (c.state === 'occupied') {
      if (c.since! >= checkinFrom && now >= checkinFrom) return 'checked_in';
      if (c.since! < checkinFrom && now >= holdFrom) return 'occupied_without_booking';
      return undefined;
    }
    return now >= c.start_at + r.grace_min * MINUTE_MS ? 'no_show' : undefined;
  }

  private async event(
    tx: SqlExecutor,
    now: number,
    kind: LoopEventKind,
    c: Candidate,
    detail: string | null,
    key: string,
  ): Promise<boolean> {
    const r = await tx.run(
      `INSERT INTO reservation_events (at, kind, lot_id, camera_id, slot_id, booking_id, detail, dedupe_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING`,
      [now, kind, c.lot_id, c.camera_id, c.slot_id, c.id, detail, key],
    );
    return r.changes === 1;
  }
}
