import type { Database } from 'better-sqlite3';
import type { CalibrationDocument } from '../../calibration/index.ts';

/**
 * Makes the slot catalog of one camera follow a calibration the agent has applied.
 *
 * How this coexists with server.yaml (docs/calibration-api.md, "Published calibrations and server.yaml"): the
 * config decides lots, which lot a camera belongs to, camera names and map positions. For a camera
 * with an applied calibration, the calibration is the slot list: each of its slots is in the
 * camera's lot with the calibration's label, type and reservable flag, in drawing order, keeping
 * the map row/column the config gave that slot id; the camera's other slots leave the lot
 * (`configured = 0`, kept for history), as slots removed from the config do. `applyConfig` at start
 * resets every slot to the file, so the service re-applies the newest applied calibration per
 * camera right after it. Slots of type `disabled` are not sent to the agent
 * (calibration/document/wire.ts), so they get no state; they leave the lot instead of counting as
 * unknown forever. Returns the camera's lot (null when the config assigns the camera to none).
 */
export function syncCatalog(db: Database, cameraId: string, doc: CalibrationDocument): string | null {
  return db.transaction(() => {
    const camera = db.prepare('SELECT lot_id FROM cameras WHERE camera_id = ?').get(cameraId) as
      { lot_id: string | null } | undefined;
    const lotId = camera?.lot_id ?? null;
    const base =
      (
        db.prepare('SELECT MIN(sort_order) AS o FROM slots WHERE camera_id = ? AND configured = 1').get(cameraId) as {
          o: number | null;
        }
      ).o ??
      (lotId === null
        ? 0
        : ((db.prepare('SELECT MAX(sort_order) AS o FROM slots WHERE lot_id = ?').get(lotId) as { o: number | null })
            .o ?? -1) + 1);
    db.prepare('UPDATE slots SET configured = 0, lot_id = NULL WHERE camera_id = ?').run(cameraId);
    const upsert = db.prepare(
      `INSERT INTO slots (camera_id, slot_id, lot_id, label, type, reservable, sort_order, configured, first_seen_at)
       VALUES (@camera_id, @slot_id, @lot_id, @label, @type, @reservable, @sort_order, 1, NULL)
       ON CONFLICT (camera_id, slot_id) DO UPDATE SET lot_id = excluded.lot_id, label = excluded.label,
         type = excluded.type, reservable = excluded.reservable, sort_order = excluded.sort_order, configured = 1`,
    );
    doc.slots
      .filter((s) => s.closed !== true)
      .forEach((s, i) =>
        upsert.run({
          camera_id: cameraId,
          slot_id: s.id,
          lot_id: lotId,
          label: s.label.trim() || s.id,
          type: s.type,
          reservable: s.reservable ? 1 : 0,
          sort_order: base + i,
        }),
      );
    if (camera === undefined)
      db.prepare('INSERT INTO cameras (camera_id, configured, first_seen_at) VALUES (?, 0, NULL)').run(cameraId);
    return lotId;
  })();
}
