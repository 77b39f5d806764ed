import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
import { SLOT_TYPES, type SlotType } from '../core/config/schema.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { AvailabilityReader, ReservedSource } from '../core/availability/reader.ts';
import type { Counts, Lot, LotAvailability, LotSlots, SlotView } from '../core/availability/schemas.ts';
import type { SlotStateValue } from '../core/storage/state-store.ts';

interface StateLite {
  state: SlotStateValue;
  since: number;
  observedAt: number;
}

const emptyCounts = (): Counts => ({ total: 0, free: 0, occupied: 0, unknown: 0, reserved: 0 });
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Reads current availability. Rows are cached per lot and reloaded only when the data changed:
 * this process's own writes bump `localVersion` (SQLite's data_version does not count them), other
 * processes' writes (shared subscriptions) bump `PRAGMA data_version`. Freshness depends on the
 * clock, so counts are derived from the cached rows on every call.
 */
export class AvailabilityService implements AvailabilityReader {
  private localVersion = 0;
  private readonly dataVersion: Statement;
  private readonly lotStates: Statement;
  private readonly cache = new Map<string, { version: string; states: Map<string, StateLite> }>();
  private readonly availabilityCache = new Map<
    string,
    { version: string; computedAt: number; validUntil: number; value: LotAvailability }
  >();
  private externalChecked = -Infinity;
  private external = 0;

  constructor(
    db: Database,
    readonly catalog: Catalog,
    private readonly clock: Clock,
    private readonly staleAfterMs: number,
    /** Where reserved slots come from (the reservations feature); none without reservations. */
    private readonly reserved?: ReservedSource,
  ) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.lotStates = db.prepare(
      `SELECT st.camera_id, st.slot_id, st.state, st.since, st.observed_at FROM slots s
       JOIN slot_state st ON st.camera_id = s.camera_id AND st.slot_id = s.slot_id WHERE s.lot_id = ?`,
    );
  }

  /** Tells readers that this process wrote new states. */
  markChanged(): void {
    this.localVersion++;
  }

  /**
   * Changes when another process (or connection) committed to the database. Asked at most every
   * 50 ms of real time: another instance's write may show that much later, this process's own
   * writes show at once (markChanged).
   */
  externalVersion(): number {
    const t = performance.now();
    if (t - this.externalChecked >= 50) {
      this.externalChecked = t;
      this.external = this.dataVersion.get() as number;
    }
    return this.external;
  }

  /** Changes whenever any process changed states or the catalog. */
  version(): string {
    return `${this.externalVersion()}:${this.localVersion}:${this.catalog.version}`;
  }

  private states(lotId: string): Map<string, StateLite> {
    const version = this.version();
    const hit = this.cache.get(lotId);
    if (hit !== undefined && hit.version === version) return hit.states;
    const states = new Map<string, StateLite>();
    for (const r of this.lotStates.all(lotId) as {
      camera_id: string;
      slot_id: string;
      state: SlotStateValue;
      since: number;
      observed_at: number;
    }[])
      states.set(`${r.camera_id}/${r.slot_id}`, { state: r.state, since: r.since, observedAt: r.observed_at });
    this.cache.set(lotId, { version, states });
    return states;
  }

  private effective(st: StateLite | undefined, now: number): { state: SlotStateValue; stale: boolean } {
    if (st === undefined) return { state: 'unknown', stale: false };
    const stale = now - st.observedAt > this.staleAfterMs;
    return { state: stale ? 'unknown' : st.state, stale };
  }

  /**
   * Undefined when the lot is not configured. The result is cached until the data changes or the
   * next slot turns stale, whichever comes first; callers must not modify it.
   */
  lotAvailability(lotId: string): LotAvailability | undefined {
    if (this.catalog.lot(lotId) === undefined) return undefined;
    const now = this.clock.now();
    const version = this.version();
    const hit = this.availabilityCache.get(lotId);
    if (hit !== undefined && hit.version === version && now >= hit.computedAt && now < hit.validUntil) return hit.value;
    const states = this.states(lotId);
    let validUntil = Infinity;
    const byType = Object.fromEntries(SLOT_TYPES.map((t) => [t, emptyCounts()])) as Record<SlotType, Counts>;
    const all = emptyCounts();
    let newest: number | undefined;
    let staleSlots = 0;
    const held = this.reserved?.held(lotId, now);
    if (held !== undefined) validUntil = Math.min(validUntil, held.until);
    for (const slot of this.catalog.slotsOf(lotId)) {
      const st = states.get(`${slot.cameraId}/${slot.slotId}`);
      const effective = this.effective(st, now);
      const { stale } = effective;
      const state = held?.keys.has(`${slot.cameraId}/${slot.slotId}`) === true ? 'reserved' : effective.state;
      if (stale) staleSlots++;
      if (st !== undefined && (newest === undefined || st.observedAt > newest)) newest = st.observedAt;
      if (st !== undefined && !stale) validUntil = Math.min(validUntil, st.observedAt + this.staleAfterMs + 1);
      for (const c of [all, byType[slot.type]]) {
        c.total++;
        c[state]++;
      }
    }
    const value = { lot_id: lotId, ...all, by_type: byType, updated_at: iso(newest), stale_slots: staleSlots };
    this.availabilityCache.set(lotId, { version, computedAt: now, validUntil, value });
    return value;
  }

  /** Every configured lot, in config order. */
  allAvailability(): LotAvailability[] {
    return this.catalog.lots().map((l) => this.lotAvailability(l.lotId)!);
  }

  /** Configured lots with their slot totals. */
  lots(): Lot[] {
    return this.catalog.lots().map((l) => {
      const byType = Object.fromEntries(SLOT_TYPES.map((t) => [t, 0])) as Record<SlotType, number>;
      let reservable = 0;
      const slots = this.catalog.slotsOf(l.lotId);
      for (const s of slots) {
        byType[s.type]++;
        if (s.reservable) reservable++;
      }
      return {
        lot_id: l.lotId,
        name: l.name,
        name_en: l.nameEn,
        address: l.address,
        latitude: l.latitude,
        longitude: l.longitude,
        total: slots.length,
        by_type: byType,
        reservable,
      };
    });
  }

  lotSlots(lotId: string): LotSlots | undefined {
    if (this.catalog.lot(lotId) === undefined) return undefined;
    const now = this.clock.now();
    const states = this.states(lotId);
    const held = this.reserved?.held(lotId, now);
    const slots = this.catalog.slotsOf(lotId).map((slot): SlotView => {
      const st = states.get(`${slot.cameraId}/${slot.slotId}`);
      const { state, stale } = this.effective(st, now);
      return {
        camera_id: slot.cameraId,
        slot_id: slot.slotId,
        label: slot.label,
        type: slot.type,
        reservable: slot.reservable,
        reserved: held?.keys.has(`${slot.cameraId}/${slot.slotId}`) === true,
        state,
        stale,
        since: iso(st?.since),
        observed_at: iso(st?.observedAt),
        age_s: st === undefined ? null : Math.max(0, Math.round((now - st.observedAt) / 100) / 10),
        row: slot.row,
        col: slot.col,
      };
    });
    return { lot_id: lotId, slots };
  }
}
