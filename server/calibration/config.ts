import { Type, type Static } from 'typebox';
import { DEFAULT_CALIBRATION_OPTIONS as D, type CalibrationOptions } from './options.ts';

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
      D.snapshotTtlS,
      10,
      86_400,
    ),
    snapshot_max_bytes: int(
      'Snapshot memory',
      'JPEG bytes kept for all cameras together; the oldest snapshots are dropped beyond it.',
      D.snapshotMaxBytes,
      1_000_000,
      2_000_000_000,
    ),
    snapshot_timeout_ms: int(
      'Snapshot timeout',
      'How long a snapshot request waits for the agent before answering 504.',
      D.snapshotTimeoutMs,
      100,
      120_000,
    ),
    overlap_warning: num(
      'Overlap warning',
      'Slot overlap (of the smaller slot) above which staff are warned.',
      D.overlap.warning,
      0,
      1,
    ),
    overlap_error: num(
      'Overlap error',
      'Slot overlap above which a calibration cannot be saved.',
      D.overlap.error,
      0,
      1,
    ),
    model_input_width: int(
      'Model input width',
      'Pixels of the classifier input (small-slot rule).',
      D.model.width,
      8,
      1024,
    ),
    model_input_height: int(
      'Model input height',
      'Pixels of the classifier input (small-slot rule).',
      D.model.height,
      8,
      1024,
    ),
    labels_retention_days: int(
      'Label retention',
      'Days a labelled snapshot (masked image, staff labels, model feature rows) is kept for tuning the camera’s head; older ones are deleted.',
      D.labelsRetentionDays,
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
export type CalibrationConfigFile = Static<typeof CalibrationConfigSchema>;

export function toCalibrationOptions(c: CalibrationConfigFile): CalibrationOptions {
  return {
    ...D,
    snapshotTtlS: c.snapshot_ttl_s,
    snapshotMaxBytes: c.snapshot_max_bytes,
    snapshotTimeoutMs: c.snapshot_timeout_ms,
    overlap: { warning: Math.min(c.overlap_warning, c.overlap_error), error: c.overlap_error },
    model: { width: c.model_input_width, height: c.model_input_height },
    labelsRetentionDays: c.labels_retention_days,
  };
}
