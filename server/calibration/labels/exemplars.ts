import type { CalibrationDocument } from '../../../calibration/index.ts';
import { EXEMPLAR_MAX_DISTANCE } from '../../../calibration/tune/exemplars.ts';
import { decodeFeatures, MAX_EXEMPLARS, type SlotExemplars } from '../../../protocol/index.ts';
import type { LabelStore } from './label-store.ts';

/**
 * Exemplars per slot: the newest few labelled looks of a slot (light, weather, the car parked there)
 * are what the agent matches against; older ones mostly repeat them and only cost message size.
 */
export const EXEMPLARS_PER_SLOT = 3;

/**
 * Base64 of feature rows one calibration may carry. The calibration message is limited to 12 MiB
 * (protocol/messages.ts) and its reference JPEG may take 8 MB of base64; 3 MiB leaves room for the
 * slots and masks (protocol test "fits the message limit … 3 MiB of exemplars"). At 1,286 features a
 * row is 6,860 characters, so about 458 rows: 3 exemplars each for 150 slots.
 */
export const EXEMPLAR_BUDGET_BASE64 = 3 * 1024 * 1024;

/**
 * The staff-labelled slots a calibration carries as per-slot exemplars (issue 12), or null when there
 * are none. Only slots of `doc` (the document being published); at most {@link EXEMPLARS_PER_SLOT}
 * per slot, newest label sets first; the oldest are left out first to stay within MAX_EXEMPLARS and
 * {@link EXEMPLAR_BUDGET_BASE64}. Call it after headForPublish, which deletes labels of a moved view
 * and of slots whose outline changed, so what remains describes `doc`'s slots as the agent sees them.
 */
export async function exemplarsForPublish(
  labels: LabelStore,
  cameraId: string,
  doc: CalibrationDocument,
): Promise<SlotExemplars | null> {
  const stored = await labels.exemplarRows(cameraId);
  if (!stored) return null;
  const slots = new Set(doc.slots.map((s) => s.id));
  const perSlot = new Map<string, number>();
  const exemplars: SlotExemplars['exemplars'] = [];
  let budget = EXEMPLAR_BUDGET_BASE64;
  // Newest first, so whatever the limits cut is the oldest.
  for (const row of stored.rows) {
    if (exemplars.length >= MAX_EXEMPLARS) break;
    const n = perSlot.get(row.slotId) ?? 0;
    if (!slots.has(row.slotId) || n >= EXEMPLARS_PER_SLOT) continue;
    // A row that is not `dim` finite numbers would make the agent refuse the whole calibration.
    const base64 = row.features.toString('base64'); // the stored bytes are already the wire's Float32 LE
    if (!decodeFeatures(base64, stored.dim)) continue;
    if (base64.length > budget) break;
    budget -= base64.length;
    perSlot.set(row.slotId, n + 1);
    exemplars.push({ slot_id: row.slotId, occupied: row.occupied, features_base64: base64 });
  }
  if (exemplars.length === 0) return null;
  return { model_id: stored.modelId, dim: stored.dim, max_distance: EXEMPLAR_MAX_DISTANCE, exemplars };
}
