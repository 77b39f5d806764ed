import { Type, type Static } from 'typebox';
import { DEFAULT_OVERLAP, type ValidationOptions } from '../../calibration/index.ts';

const num = (title: string, description: string, def: number, minimum: number, maximum: number) =>
  Type.Number({ minimum, maximum, default: def, title, description });
const int = (title: string, description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ minimum, maximum, default: def, title, description });

/** The `calibration` section of the server configuration: snapshots and validation thresholds. */
export const CalibrationConfigSchema = Type.Object(
  {
    snapshot_ttl_s: num(
      'Snapshot lifetime',
      'Seconds a camera snapshot stays viewable (memory only).',
      600,
      10,
      86_400,
    ),
    // ~100 snapshots of a 1080p view (~300–600 kB each): bounded whatever staff click.
    snapshot_max_bytes: int(
      'Snapshot memory',
      'JPEG bytes kept for all cameras together; the oldest snapshots are dropped beyond it.',
      64 * 1024 * 1024,
      1_000_000,
      2_000_000_000,
    ),
    // The agent answers from the frame it already holds (edge/camera/camera-pipeline.ts snapshot()),
    // so a reply takes one JPEG encode plus two broker hops; 8 s leaves room for a busy box.
    snapshot_timeout_ms: int(
      'Snapshot timeout',
      'How long a snapshot request waits for the agent before answering 504.',
      8000,
      100,
      120_000,
    ),
    overlap_warning: num(
      'Overlap warning',
      'Slot overlap (of the smaller slot) above which staff are warned.',
      DEFAULT_OVERLAP.warning,
      0,
      1,
    ),
    overlap_error: num(
      'Overlap error',
      'Slot overlap above which a calibration cannot be saved.',
      DEFAULT_OVERLAP.error,
      0,
      1,
    ),
    // models/volno-slotnet-v1/model.json input (48 × 48), the model agents ship with.
    model_input_width: int('Model input width', 'Pixels of the classifier input (small-slot rule).', 48, 8, 1024),
    model_input_height: int('Model input height', 'Pixels of the classifier input (small-slot rule).', 48, 8, 1024),
    // A season of light and weather, so the head keeps seeing winter when it is fitted in spring.
    labels_retention_days: int(
      'Label retention',
      'Days a labelled snapshot (masked image, staff labels, model feature rows) is kept for tuning the camera’s head; older ones are deleted.',
      180,
      1,
      3650,
    ),
  },
  {
    additionalProperties: false,
    default: {},
    title: 'Calibration',
    description: 'Camera snapshots for staff and calibration validation thresholds.',
  },
);
/** The `calibration` section, as the file has it (snake_case); also the runtime type. */
export type CalibrationConfig = Static<typeof CalibrationConfigSchema>;

/** The thresholds a calibration is validated against; a warning never above the error. */
export function calibrationThresholds(c: CalibrationConfig): ValidationOptions {
  return {
    overlap: { warning: Math.min(c.overlap_warning, c.overlap_error), error: c.overlap_error },
    model: { width: c.model_input_width, height: c.model_input_height },
  };
}
