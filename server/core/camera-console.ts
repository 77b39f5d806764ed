/**
 * What the staff camera wall (server/staff) reads from features it must not import: the calibration
 * (outlines, accuracy, snapshots) and the alerts. server/main implements both over the features.
 */

/** A slot's outline in 0–1 frame coordinates, as calibration documents store it. */
export interface SlotOutline {
  slotId: string;
  polygon: readonly (readonly [number, number])[];
}

/** The slots of the calibration in force on a camera, as the wall draws them. */
export interface CameraOutlines {
  version: number;
  /** Whether the agent confirmed it runs this version (else it is published and not yet confirmed). */
  applied: boolean;
  frameWidth: number;
  frameHeight: number;
  slots: SlotOutline[];
}

export interface CameraCalibrationView {
  /**
   * Outlines of the calibration in force on every camera that has one (server/calibration decides
   * which version that is, the same answer as the cameras API's `applied_version`); read once per page.
   */
  outlines(): Promise<ReadonlyMap<string, CameraOutlines>>;
  /** Accuracy on staff labels (issue 12): generic head vs tuned head, over `labels` labelled slots. */
  accuracy(
    cameraId: string,
  ): Promise<{ labels: number; generic: number; tuned: number; shippedVersion: number | null } | null>;
  /** The newest masked snapshot still in memory. */
  latestSnapshot(cameraId: string): { id: string; width: number; height: number; capturedAt: number } | null;
  /** Asks the agent for a fresh frame, masks it and keeps it (the editor's snapshot flow); throws ApiErrors. */
  takeSnapshot(cameraId: string, maxWidth: number): Promise<{ id: string }>;
}

/** Open alerts about a camera or an agent, for badges on the wall. */
export interface OpenAlertsView {
  /** Every open alert, grouped by its subject (a camera or an agent id); one read per page. */
  openBySubject(): Promise<ReadonlyMap<string, { kind: string; detail: string | null }[]>>;
}
