import type { Clock } from '../core/clock.ts';
import { SLOT_TYPES, type SlotType } from '../core/config/schema.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { SqlDatabase } from '../core/storage/sql/port.ts';
import type { AvailabilityReader, ReservedSource } from '../core/availability/reader.ts';
import type { Counts, Lot, LotAvailability, LotSlots, SlotView } from '../core/availability/schemas.ts';
import type { SlotStateValue } from '../core/storage/state-store.ts';
import { ChangeProbe } from './change-probe.ts';

interface StateLite {
  state: SlotStateValue;
  since: number;
  observedAt: number;
}

interface StateDbRow {
  camera_id: string;
  slot_id: string;
  state: SlotStateValue;
  since: number;
  observed_at: number;
}

const LOT_STATES = `SELECT st.camera_id, st.slot_id, st.state, st.since, st.observed_at FROM slots s
  JOIN slot_state st ON st.camera_id = s.camera_id AND st.slot_id = s.slot_id WHERE s.lot_id = $1`;

const emptyCounts = (): Counts => ({ total: 0, free: 0, occupied: 0, unknown: 0, reserved: 0 });
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Reads current availability. Rows are cached per lot and reloaded only when the data changed:
 * this process's own writes bump `localVersion`, other processes' writes (several instances behind
 * one database, shared subscriptions) change the probe's `externalVersion`. Freshness depends on
 * the clock, so counts are derived from the cached rows on every call.
 */
export class AvailabilityService implements AvailabilityReader {
  private localVersion = 0;
  private readonly probe: ChangeProbe;
  private readonly cache = new Map<string, { version: string; states: Map<string, StateLite> }>();
  private readonly availabilityCache = new Map<
    string,
    { version: string; computedAt: number; validUntil: number; value: LotAvailability }
  >();

  constructor(
    private readonly sql: SqlDatabase,
    readonly catalog: Catalog,
    private readonly clock: Clock,
    private readonly staleAfterMs: number,
    /** Where reserved slots come from (the reservations feature); none without reservations. */
    private readonly reserved?: ReservedSource,
  ) {
    this.probe = new ChangeProbe(sql);
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
  externalVersion(): Promise<number> {
    return this.probe.version();
  }

  /** Changes whenever any process changed states or the catalog. */
  async version(): Promise<string> {
    return `${await this.externalVersion()}:${this.localVersion}:${this.catalog.version}`;
  }

  private async states(lotId: string, version: string): Promise<Map<string, StateLite>> {
    const hit = this.cache.get(lotId);
    if (hit !== undefined && hit.version === version) return hit.states;
    const states = new Map<string, StateLite>();
    for (const r of await this.sql.all<StateDbRow>(LOT_STATES, [lotId]))
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
  async lotAvailability(lotId: string): Promise<LotAvailability | undefined> {
    if (this.catalog.lot(lotId) === undefined) return undefined;
    const now = this.clock.now();
    // The key is taken before any await: a change that lands meanwhile makes the next call reload.
    const version = await this.version();
    const hit = this.availabilityCache.get(lotId);
    if (hit !== undefined && hit.version === version && now >= hit.computedAt && now < hit.validUntil) return hit.value;
    const [states, held] = await Promise.all([this.states(lotId, version), this.reserved?.held(lotId, now)]);
    let validUntil = Infinity;
    const byType = Object.fromEntries(SLOT_TYPES.map((t) => [t, emptyCounts()])) as Record<SlotType, Counts>;
    const all = emptyCounts();
    let newest: number | undefined;
    let staleSlots = 0;
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
  async allAvailability(): Promise<LotAvailability[]> {
    const all = await Promise.all(this.catalog.lots().map((l) => this.lotAvailability(l.lotId)));
    // A lot dropped from the catalog while this awaited is left out rather than reported as undefined.
    return all.filter((a): a is LotAvailability => a !== undefined);
  }

  /** Configured lots with their slot totals. */
  lots(): Promise<Lot[]> {
    return Promise.resolve(this.lotsNow());
  }

  private lotsNow(): Lot[] {
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

  async lotSlots(lotId: string): Promise<LotSlots | undefined> {
    if (this.catalog.lot(lotId) === undefined) return undefined;
    const now = this.clock.now();
    const version = await this.version();
    const [states, held] = await Promise.all([this.states(lotId, version), this.reserved?.held(lotId, now)]);
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
