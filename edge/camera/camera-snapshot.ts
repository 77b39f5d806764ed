import type { SnapshotClassified } from '../../protocol/index.ts';
import { fitsFrame } from '../calibration/prepare.ts';
import type { Logger } from '../log.ts';
import { encodeSnapshot, type EncodedSnapshot } from '../snapshot/encode.ts';
import type { PooledFrame } from '../source/frame-pool.ts';
import type { ActiveCalibration } from './active-calibration.ts';
import type { CameraHead } from './camera-head.ts';

export type SnapshotResult =
  ({ ok: true; capturedAt: number; classified?: SnapshotClassified } & EncodedSnapshot) | { ok: false; error: string };

/** A JPEG of `frame` with privacy masks applied, and the model's features on it when it has them. */
export async function snapshotOf(
  frame: PooledFrame,
  calibration: ActiveCalibration,
  head: CameraHead,
  log: Logger,
  maxWidth?: number,
): Promise<SnapshotResult> {
  frame.retain();
  try {
    const capturedAt = frame.capturedAt;
    const encoded = await encodeSnapshot(frame, calibration.privacyMasks, maxWidth);
    const classified = await classifySnapshot(frame, calibration, head, log);
    return { ok: true, capturedAt, ...encoded, ...(classified && { classified }) };
  } finally {
    frame.release();
  }
}

/** The model's verdict and features on the snapshot's own frame, for staff labelling; never fatal. */
async function classifySnapshot(
  frame: PooledFrame,
  calibration: ActiveCalibration,
  head: CameraHead,
  log: Logger,
): Promise<SnapshotClassified | null> {
  const cal = calibration.current;
  if (!cal || !head.featuresAvailable || cal.payload.slots.length === 0 || !fitsFrame(cal.payload, frame)) return null;
  try {
    const polygons = calibration.pixelPolygons(cal.payload, frame.width, frame.height);
    const ids = cal.payload.slots.map((s) => s.slot_id);
    return await head.classified(frame, polygons, ids, cal.payload.version);
  } catch (err) {
    log.warn({ err }, 'could not classify the snapshot; sending it without features');
    return null;
  }
}
