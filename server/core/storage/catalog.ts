import type { SlotType } from '../config/schema.ts';
import { slotLabel, type LotConfig } from '../config/schema.ts';
import { ServerError } from '../errors.ts';
import type { SqlExecutor } from './sql/port.ts';

export interface LotRow {
  lotId: string;
  name: string;
  nameEn: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface SlotRow {
  cameraId: string;
  slotId: string;
  lotId: string | null;
  label: string;
  type: SlotType;
  reservable: boolean;
  row: number | null;
  col: number | null;
  configured: boolean;
}

interface LotDbRow {
  lot_id: string;
  name: string;
  name_en: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
}

interface SlotDbRow {
  camera_id: string;
  slot_id: string;
  lot_id: string | null;
  label: string;
  type: SlotType;
  reservable: number;
  map_row: number | null;
  map_col: number | null;
  configured: number;
  sort_order: number;
}

const key = (cameraId: string, slotId: string) => `${cameraId}\u0000${slotId}`;

const SELECT_LOTS = `SELECT lot_id, name, name_en, address, latitude, longitude FROM lots WHERE configured = 1
  ORDER BY sort_order, lot_id`;
// One ordered list of every slot, grouped per lot in memory: slots are few (hundreds) and change only
// with the config, a calibration or an agent's first report, so one query beats one per lot.
const SELECT_SLOTS = `SELECT camera_id, slot_id, lot_id, label, type, reservable, map_row, map_col, configured,
    sort_order FROM slots ORDER BY sort_order, camera_id, slot_id`;
const UPSERT_LOT = `INSERT INTO lots (lot_id, name, name_en, address, latitude, longitude, sort_order, configured)
  VALUES (:lot_id, :name, :name_en, :address, :latitude, :longitude, :sort_order, 1)
  ON CONFLICT (lot_id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, address = excluded.address,
    latitude = excluded.latitude, longitude = excluded.longitude, sort_order = excluded.sort_order, configured = 1`;
const UPSERT_CAMERA = `INSERT INTO cameras (camera_id, lot_id, name, configured, first_seen_at) VALUES ($1, $2, $3, 1, NULL)
  ON CONFLICT (camera_id) DO UPDATE SET lot_id = excluded.lot_id, name = excluded.name, configured = 1`;
const UPSERT_SLOT = `INSERT INTO slots (camera_id, slot_id, lot_id, label, type, reservable, map_row, map_col, sort_order,
    configured)
  VALUES (:camera_id, :slot_id, :lot_id, :label, :type, :reservable, :row, :col, :sort_order, 1)
  ON CONFLICT (camera_id, slot_id) DO UPDATE SET lot_id = excluded.lot_id, label = excluded.label,
    type = excluded.type, reservable = excluded.reservable, map_row = excluded.map_row,
    map_col = excluded.map_col, sort_order = excluded.sort_order, configured = 1`;
const INSERT_SEEN_SLOT = `INSERT INTO slots (camera_id, slot_id, lot_id, label, type, reservable, configured, first_seen_at)
  VALUES ($1, $2, NULL, $2, 'standard', 0, 0, $3) ON CONFLICT DO NOTHING`;
const INSERT_SEEN_CAMERA = `INSERT INTO cameras (camera_id, configured, first_seen_at) VALUES ($1, 0, $2)
  ON CONFLICT DO NOTHING`;

const UNASSIGNED = '\u0000unassigned';

/**
 * Lots, cameras and slots: the configured ones (upserted from the config file at start) and the
 * ones first seen over MQTT, which are recorded as unassigned rather than dropped, so staff can
 * see an agent reporting slots nobody configured.
 *
 * Reads are synchronous from memory (every page and SSE tick asks; the catalog is small and changes
 * rarely); `refresh()` loads it and must have resolved once before the first read. Writes are async
 * and take an executor to join a caller's transaction. The memory follows a write as soon as its
 * statement ran: when the caller's transaction then rolls back, the memory is ahead of the database
 * until the next `refresh()` (a slot believed known is not inserted again; its lot reads as null,
 * which is what an unassigned slot reads as anyway).
 */
export class Catalog {
  private loaded = false;
  /** What the last refresh() read, to tell a real change from a refresh that found nothing new. */
  private signature = '';
  /** Every slot in the database with its lot (null: unassigned). */
  private readonly knownSlots = new Map<string, string | null>();
  private readonly knownCameras = new Set<string>();
  /** Each slot's sort_order, to place a newly seen slot where the database would list it. */
  private readonly sortOrder = new Map<string, number>();
  private cachedLots: LotRow[] = [];
  /** Slots per lot id (UNASSIGNED for null), in config order; arrays are replaced, never mutated. */
  private slotsByLot = new Map<string, SlotRow[]>();
  /** Bumped whenever the catalog changes, so readers can drop what they derived from it. */
  version = 0;

  constructor(private readonly sql: SqlExecutor) {}

  /** Reloads everything from the database; also for a write another instance may have made (shared database). */
  async refresh(tx: SqlExecutor = this.sql): Promise<void> {
    const lots = await tx.all<LotDbRow>(SELECT_LOTS);
    const slots = await tx.all<SlotDbRow>(SELECT_SLOTS);
    const cameras = await tx.all<{ camera_id: string }>('SELECT camera_id FROM cameras');
    // The live hub refreshes on every write another instance made (states, mostly): readers drop
    // their caches only when the catalog itself changed.
    const signature = JSON.stringify([lots, slots, cameras]);
    if (this.loaded && signature === this.signature) return;
    this.signature = signature;
    this.cachedLots = lots.map((r) => ({
      lotId: r.lot_id,
      name: r.name,
      nameEn: r.name_en,
      address: r.address,
      latitude: r.latitude,
      longitude: r.longitude,
    }));
    this.knownSlots.clear();
    this.knownCameras.clear();
    this.sortOrder.clear();
    const byLot = new Map<string, SlotRow[]>();
    for (const r of slots) {
      this.knownSlots.set(key(r.camera_id, r.slot_id), r.lot_id);
      this.sortOrder.set(key(r.camera_id, r.slot_id), r.sort_order);
      const k = r.lot_id ?? UNASSIGNED;
      let list = byLot.get(k);
      if (list === undefined) byLot.set(k, (list = []));
      list.push(toSlotRow(r));
    }
    for (const r of cameras) this.knownCameras.add(r.camera_id);
    this.slotsByLot = byLot;
    this.loaded = true;
    this.version++;
  }

  /** Makes the database match the configuration; removed items stay (history refers to them) but unconfigured. */
  async applyConfig(lots: readonly LotConfig[], tx?: SqlExecutor): Promise<void> {
    if (tx === undefined) return this.sql.transaction((t) => this.applyConfig(lots, t));
    await tx.run('UPDATE lots SET configured = 0');
    await tx.run('UPDATE cameras SET configured = 0, lot_id = NULL');
    await tx.run('UPDATE slots SET configured = 0, lot_id = NULL, map_row = NULL, map_col = NULL');
    for (const [i, lot] of lots.entries()) {
      await tx.run(UPSERT_LOT, {
        lot_id: lot.lot_id,
        name: lot.name,
        name_en: lot.name_en ?? null,
        address: lot.address ?? null,
        latitude: lot.latitude ?? null,
        longitude: lot.longitude ?? null,
        sort_order: i,
      });
      let order = 0;
      for (const cam of lot.cameras) {
        await tx.run(UPSERT_CAMERA, [cam.camera_id, lot.lot_id, cam.name ?? null]);
        for (const s of cam.slots) {
          await tx.run(UPSERT_SLOT, {
            camera_id: cam.camera_id,
            slot_id: s.slot_id,
            lot_id: lot.lot_id,
            label: slotLabel(s),
            type: s.type,
            reservable: s.reservable ? 1 : 0,
            row: s.row ?? null,
            col: s.col ?? null,
            sort_order: order++,
          });
        }
      }
    }
    await this.refresh(tx);
  }

  /** Records a slot first seen over MQTT (and its camera). Returns true when the slot was new. */
  async ensureSlot(cameraId: string, slotId: string, now: number, tx: SqlExecutor = this.sql): Promise<boolean> {
    this.assertLoaded();
    await this.ensureCamera(cameraId, now, tx);
    const k = key(cameraId, slotId);
    if (this.knownSlots.has(k)) return false;
    const { changes } = await tx.run(INSERT_SEEN_SLOT, [cameraId, slotId, now]);
    // Another call may have recorded it while this one awaited; the memory already has it then.
    if (this.knownSlots.has(k)) return false;
    this.knownSlots.set(k, null);
    this.signature = ''; // memory moved ahead of the last load: the next refresh() reloads whatever it finds
    if (changes === 0) return false; // another instance recorded it first; refresh() will bring its row
    this.sortOrder.set(k, 0); // the column's default
    const unassigned = [...(this.slotsByLot.get(UNASSIGNED) ?? []), seenSlot(cameraId, slotId)];
    unassigned.sort(this.byDatabaseOrder);
    this.slotsByLot.set(UNASSIGNED, unassigned);
    this.version++;
    return true;
  }

  /** Records a camera first seen over MQTT. Returns true when it was new. */
  async ensureCamera(cameraId: string, now: number, tx: SqlExecutor = this.sql): Promise<boolean> {
    this.assertLoaded();
    if (this.knownCameras.has(cameraId)) return false;
    const { changes } = await tx.run(INSERT_SEEN_CAMERA, [cameraId, now]);
    if (this.knownCameras.has(cameraId)) return false;
    this.knownCameras.add(cameraId);
    this.signature = '';
    return changes > 0;
  }

  /** The lot of a slot, from memory (slots are few and change only with the config). */
  lotOf(cameraId: string, slotId: string): string | null {
    this.assertLoaded();
    return this.knownSlots.get(key(cameraId, slotId)) ?? null;
  }

  /** Configured lots in config order. */
  lots(): LotRow[] {
    this.assertLoaded();
    return this.cachedLots;
  }

  lot(lotId: string): LotRow | undefined {
    return this.lots().find((l) => l.lotId === lotId);
  }

  /** Slots of a lot in config order; `null` lists the unassigned ones. */
  slotsOf(lotId: string | null): SlotRow[] {
    this.assertLoaded();
    return this.slotsByLot.get(lotId ?? UNASSIGNED) ?? [];
  }

  /** SELECT_SLOTS' order: sort_order, then camera and slot id. */
  private readonly byDatabaseOrder = (a: SlotRow, b: SlotRow): number => {
    const d =
      (this.sortOrder.get(key(a.cameraId, a.slotId)) ?? 0) - (this.sortOrder.get(key(b.cameraId, b.slotId)) ?? 0);
    if (d !== 0) return d;
    if (a.cameraId !== b.cameraId) return a.cameraId < b.cameraId ? -1 : 1;
    return a.slotId < b.slotId ? -1 : a.slotId > b.slotId ? 1 : 0;
  };

  private assertLoaded(): void {
    // A read before the first refresh would answer "no lots" and look like an empty config.
    if (!this.loaded)
      throw new ServerError('VOLNO_CATALOG_NOT_LOADED', 'the catalog is read before its first refresh()');
  }
}

function seenSlot(cameraId: string, slotId: string): SlotRow {
  return {
    cameraId,
    slotId,
    lotId: null,
    label: slotId,
    type: 'standard',
    reservable: false,
    row: null,
    col: null,
    configured: false,
  };
}

function toSlotRow(r: SlotDbRow): SlotRow {
  return {
    cameraId: r.camera_id,
    slotId: r.slot_id,
    lotId: r.lot_id,
    label: r.label,
    type: r.type,
    reservable: r.reservable === 1,
    row: r.map_row,
    col: r.map_col,
    configured: r.configured === 1,
  };
}
