import type { Database, Statement } from 'better-sqlite3';
import type { SlotType } from '../config/schema.ts';
import { slotLabel, type LotConfig } from '../config/schema.ts';

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
}

const key = (cameraId: string, slotId: string) => `${cameraId}\u0000${slotId}`;

/**
 * Lots, cameras and slots: the configured ones (upserted from the config file at start) and the
 * ones first seen over MQTT, which are recorded as unassigned rather than dropped, so staff can
 * see an agent reporting slots nobody configured.
 */
export class Catalog {
  /** Every slot in the database with its lot (null: unassigned); loaded on first use. */
  private readonly knownSlots = new Map<string, string | null>();
  private readonly knownCameras = new Set<string>();
  private loaded = false;
  private readonly insertSlot: Statement;
  private readonly insertCamera: Statement;
  private cachedLots: LotRow[] | undefined;
  private readonly cachedSlots = new Map<string, SlotRow[]>();
  /** Bumped whenever the catalog changes, so readers can drop what they derived from it. */
  version = 0;

  constructor(private readonly db: Database) {
    this.insertSlot = db.prepare(
      `INSERT INTO slots (camera_id, slot_id, lot_id, label, type, reservable, configured, first_seen_at)
       VALUES (?, ?, NULL, ?, 'standard', 0, 0, ?) ON CONFLICT DO NOTHING`,
    );
    this.insertCamera = db.prepare(
      `INSERT INTO cameras (camera_id, configured, first_seen_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING`,
    );
  }

  private ensureLoaded(): void {
    if (!this.loaded) this.reloadKnown();
  }

  private reloadKnown(): void {
    this.loaded = true;
    this.knownSlots.clear();
    this.knownCameras.clear();
    const rows = this.db.prepare('SELECT camera_id, slot_id, lot_id FROM slots').all() as {
      camera_id: string;
      slot_id: string;
      lot_id: string | null;
    }[];
    for (const r of rows) this.knownSlots.set(key(r.camera_id, r.slot_id), r.lot_id);
    for (const r of this.db.prepare('SELECT camera_id FROM cameras').all() as { camera_id: string }[])
      this.knownCameras.add(r.camera_id);
  }

  private invalidate(): void {
    this.cachedLots = undefined;
    this.cachedSlots.clear();
    this.version++;
  }

  /** Makes the database match the configuration; removed items stay (history refers to them) but unconfigured. */
  applyConfig(lots: readonly LotConfig[]): void {
    const db = this.db;
    db.transaction(() => {
      db.prepare('UPDATE lots SET configured = 0').run();
      db.prepare('UPDATE cameras SET configured = 0, lot_id = NULL').run();
      db.prepare('UPDATE slots SET configured = 0, lot_id = NULL, map_row = NULL, map_col = NULL').run();
      const upsertLot = db.prepare(
        `INSERT INTO lots (lot_id, name, name_en, address, latitude, longitude, sort_order, configured)
         VALUES (@lot_id, @name, @name_en, @address, @latitude, @longitude, @sort_order, 1)
         ON CONFLICT (lot_id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, address = excluded.address,
           latitude = excluded.latitude, longitude = excluded.longitude, sort_order = excluded.sort_order, configured = 1`,
      );
      const upsertCamera = db.prepare(
        `INSERT INTO cameras (camera_id, lot_id, name, configured, first_seen_at) VALUES (?, ?, ?, 1, NULL)
         ON CONFLICT (camera_id) DO UPDATE SET lot_id = excluded.lot_id, name = excluded.name, configured = 1`,
      );
      const upsertSlot = db.prepare(
        `INSERT INTO slots (camera_id, slot_id, lot_id, label, type, reservable, map_row, map_col, sort_order, configured)
         VALUES (@camera_id, @slot_id, @lot_id, @label, @type, @reservable, @row, @col, @sort_order, 1)
         ON CONFLICT (camera_id, slot_id) DO UPDATE SET lot_id = excluded.lot_id, label = excluded.label,
           type = excluded.type, reservable = excluded.reservable, map_row = excluded.map_row,
           map_col = excluded.map_col, sort_order = excluded.sort_order, configured = 1`,
      );
      lots.forEach((lot, i) => {
        upsertLot.run({
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
          upsertCamera.run(cam.camera_id, lot.lot_id, cam.name ?? null);
          for (const s of cam.slots) {
            upsertSlot.run({
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
      });
    }).immediate();
    this.reloadKnown();
    this.invalidate();
  }

  /** Records a slot first seen over MQTT. Returns true when it was new. Call inside a write transaction. */
  ensureSlot(cameraId: string, slotId: string, now: number): boolean {
    this.ensureCamera(cameraId, now);
    this.ensureLoaded();
    const k = key(cameraId, slotId);
    if (this.knownSlots.has(k)) return false;
    this.knownSlots.set(k, null);
    const inserted = this.insertSlot.run(cameraId, slotId, slotId, now).changes > 0;
    if (inserted) this.invalidate();
    return inserted;
  }

  /** The lot of a slot, from memory (slots are few and change only with the config). */
  lotOf(cameraId: string, slotId: string): string | null {
    this.ensureLoaded();
    return this.knownSlots.get(key(cameraId, slotId)) ?? null;
  }

  /** Records a camera first seen over MQTT. Returns true when it was new. */
  ensureCamera(cameraId: string, now: number): boolean {
    this.ensureLoaded();
    if (this.knownCameras.has(cameraId)) return false;
    this.knownCameras.add(cameraId);
    return this.insertCamera.run(cameraId, now).changes > 0;
  }

  /** Forgets what was cached; for a write that another instance may have made (shared database). */
  refresh(): void {
    this.reloadKnown();
    this.invalidate();
  }

  /** Configured lots in config order. */
  lots(): LotRow[] {
    if (this.cachedLots !== undefined) return this.cachedLots;
    this.cachedLots = (
      this.db
        .prepare(
          `SELECT lot_id, name, name_en, address, latitude, longitude FROM lots WHERE configured = 1 ORDER BY sort_order, lot_id`,
        )
        .all() as LotDbRow[]
    ).map((r) => ({
      lotId: r.lot_id,
      name: r.name,
      nameEn: r.name_en,
      address: r.address,
      latitude: r.latitude,
      longitude: r.longitude,
    }));
    return this.cachedLots;
  }

  lot(lotId: string): LotRow | undefined {
    return this.lots().find((l) => l.lotId === lotId);
  }

  /** Slots of a lot in config order; `null` lists the unassigned ones. */
  slotsOf(lotId: string | null): SlotRow[] {
    const cacheKey = lotId ?? '\u0000unassigned';
    let rows = this.cachedSlots.get(cacheKey);
    if (rows === undefined) {
      const sql = `SELECT camera_id, slot_id, lot_id, label, type, reservable, map_row, map_col, configured FROM slots
         WHERE ${lotId === null ? 'lot_id IS NULL' : 'lot_id = ?'} ORDER BY sort_order, camera_id, slot_id`;
      const stmt = this.db.prepare(sql);
      rows = ((lotId === null ? stmt.all() : stmt.all(lotId)) as SlotDbRow[]).map(toSlotRow);
      this.cachedSlots.set(cacheKey, rows);
    }
    return rows;
  }
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
