import type { CalibrationDocument } from '../../calibration/index.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';

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
 * unknown forever. Returns the camera's lot (null when the config assigns the camera to none). Runs
 * in `ex`'s transaction (a savepoint inside the ingest one); the caller refreshes the catalog's cache.
 */
export async function syncCatalog(ex: SqlExecutor, cameraId: string, doc: CalibrationDocument): Promise<string | null> {
  return ex.transaction(async (tx) => {
    const camera = await tx.one<{ lot_id: string | null }>('SELECT lot_id FROM cameras WHERE camera_id = $1', [
      cameraId,
    ]);
    const lotId = camera?.lot_id ?? null;
    const own = await tx.one<{ o: number | null }>(
      'SELECT MIN(sort_order) AS o FROM slots WHERE camera_id = $1 AND configured = 1',
      [cameraId],
    );
    const lotEnd =
      lotId === null || (own?.o ?? null) !== null
        ? undefined
        : await tx.one<{ o: number | null }>('SELECT MAX(sort_order) AS o FROM slots WHERE lot_id = $1', [lotId]);
    const base = own?.o ?? (lotId === null ? 0 : (lotEnd?.o ?? -1) + 1);
    await tx.run('UPDATE slots SET configured = 0, lot_id = NULL WHERE camera_id = $1', [cameraId]);
    const slots = doc.slots.filter((s) => s.closed !== true);
    for (const [i, s] of slots.entries())
      await tx.run(
        `INSERT INTO slots (camera_id, slot_id, lot_id, label, type, reservable, sort_order, configured, first_seen_at)
         VALUES (:camera_id, :slot_id, :lot_id, :label, :type, :reservable, :sort_order, 1, NULL)
         ON CONFLICT (camera_id, slot_id) DO UPDATE SET lot_id = excluded.lot_id, label = excluded.label,
           type = excluded.type, reservable = excluded.reservable, sort_order = excluded.sort_order, configured = 1`,
        {
          camera_id: cameraId,
          slot_id: s.id,
          lot_id: lotId,
          label: s.label.trim() || s.id,
          type: s.type,
          reservable: s.reservable ? 1 : 0,
          sort_order: base + i,
        },
      );
    if (camera === undefined)
      await tx.run(
        'INSERT INTO cameras (camera_id, configured, first_seen_at) VALUES ($1, 0, NULL) ON CONFLICT (camera_id) DO NOTHING',
        [cameraId],
      );
    return lotId;
  });
}
