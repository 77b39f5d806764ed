import type { ModelInput, Thresholds } from '../../calibration/index.ts';
import { DEFAULT_MAX_IMPORT_BYTES, DEFAULT_OVERLAP } from '../../calibration/index.ts';

/** Settings of the calibration API; defaults below, overridable from tests and (later) the config file. */
export interface CalibrationOptions {
  /** How long a snapshot stays viewable, s. Staff draw on it for minutes, not hours. */
  snapshotTtlS: number;
  /** JPEG bytes kept in memory for all cameras together; the oldest snapshots go first. */
  snapshotMaxBytes: number;
  /** How long a snapshot request waits for the agent, ms. */
  snapshotTimeoutMs: number;
  /** Snapshot requests waiting at once, over all cameras. */
  maxPendingSnapshots: number;
  /** Overlap thresholds (intersection / smaller slot). */
  overlap: Thresholds;
  /** The slot classifier's input; slots much smaller than this are flagged. */
  model: ModelInput;
  /** Largest import file, bytes. */
  maxImportBytes: number;
  /** Days a labelled snapshot (image, labels, feature rows) is kept for per-camera tuning. */
  labelsRetentionDays: number;
}

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = {
  snapshotTtlS: 600,
  // ~100 snapshots of a 1080p view (~300–600 kB each): bounded whatever staff click.
  snapshotMaxBytes: 64 * 1024 * 1024,
  // The agent answers from the frame it already holds (edge/camera/camera-pipeline.ts snapshot()),
  // so a reply takes one JPEG encode plus two broker hops; 8 s leaves room for a busy box.
  snapshotTimeoutMs: 8000,
  maxPendingSnapshots: 16,
  overlap: DEFAULT_OVERLAP,
  // models/volno-slotnet-v1/model.json input (48 × 48), the model agents ship with.
  model: { width: 48, height: 48 },
  maxImportBytes: DEFAULT_MAX_IMPORT_BYTES,
  // A season of light and weather, so the head keeps seeing winter when it is fitted in spring.
  labelsRetentionDays: 180,
};
