import type { CalibrationPayload } from '../../protocol/index.ts';
import type { SlotDef } from '../occupancy/camera-slots.ts';
import type { KnownSpell } from '../occupancy/slot-tracker.ts';
import type { CameraState } from '../occupancy/state-store.ts';

export interface CalibrationPlan {
  defs: SlotDef[];
  /** Slots whose id and polygon are unchanged: their trackers (and states) carry over. */
  keep: Set<string>;
  /** Spells from the state file, offered only when it was written under this calibration version. */
  restored: ReadonlyMap<string, KnownSpell>;
}

/**
 * What installing `next` means for the slots: per-slot delays (calibration overrides, camera
 * defaults otherwise), which trackers survive, and which persisted spells may be resumed.
 */
export function planCalibration(
  old: CalibrationPayload | undefined,
  next: CalibrationPayload,
  delays: { enter_s: number; exit_s: number },
  restored: CameraState | undefined,
): CalibrationPlan {
  const keep = new Set<string>();
  if (old) {
    const oldPolygons = new Map(old.slots.map((s) => [s.slot_id, JSON.stringify(s.polygon)]));
    for (const s of next.slots) if (oldPolygons.get(s.slot_id) === JSON.stringify(s.polygon)) keep.add(s.slot_id);
  }
  const defs = next.slots.map((s) => ({
    slotId: s.slot_id,
    enterMs: (s.enter_delay_s ?? delays.enter_s) * 1000,
    exitMs: (s.exit_delay_s ?? delays.exit_s) * 1000,
  }));
  const spells =
    restored && restored.calibrationVersion === next.version ? restored.spells : new Map<string, KnownSpell>();
  return { defs, keep, restored: spells };
}
