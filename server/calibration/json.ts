import {
  canonicalCalibration,
  checkCalibrationDocument,
  type CalibrationDiff,
  type CalibrationDocument,
  type Movement,
} from '../../calibration/index.ts';
import { calibrationError } from './errors.ts';
import type { VersionRow } from './versions-store.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export type VersionStatus = 'draft' | 'pending' | 'applied' | 'rejected';

export function versionStatus(r: VersionRow): VersionStatus {
  // A version recorded from the agent's file was never published: the agent ran it first.
  if (r.publishedAt === null) return r.origin === 'agent_file' ? (r.ack?.result ?? 'applied') : 'draft';
  return r.ack?.result ?? 'pending';
}

export function ackJson(r: VersionRow) {
  return r.ack === null ? null : { result: r.ack.result, reason: r.ack.reason, at: iso(r.ack.at) };
}

export function versionJson(r: VersionRow) {
  return {
    version: r.version,
    author: r.author,
    created_at: iso(r.createdAt),
    note: r.note,
    slot_count: r.slotCount,
    base_version: r.baseVersion,
    published_at: isoOrNull(r.publishedAt),
    ack: ackJson(r),
    status: versionStatus(r),
    origin: r.origin,
    content_sha256: r.contentSha256,
  };
}

const movement = (m: Movement) => ({
  id: m.id,
  max_shift_px: m.maxShiftPx,
  mean_shift_px: m.meanShiftPx,
  point_count_changed: m.pointCountChanged,
});

/** calibration/'s diff with snake_case keys (only the movements have camelCase ones). */
export function diffJson(d: CalibrationDiff) {
  return {
    identical: d.identical,
    frame: d.frame,
    slots: { ...d.slots, moved: d.slots.moved.map(movement) },
    masks: { ...d.masks, moved: d.masks.moved.map(movement) },
  };
}

/**
 * A document from an HTTP body, checked by the calibration core; 400 with its `path: message`
 * lines when it does not match the format. The camera id is the route's.
 */
export function documentFromBody(value: unknown, cameraId: string): CalibrationDocument {
  const checked = checkCalibrationDocument(value);
  if (!checked.ok)
    throw calibrationError(400, checked.error.code, `document: ${checked.error.message.split('\n')[0]}`, [
      ...checked.error.issues.map((i) => `/document${i.startsWith('/') ? '' : '/'}${i}`),
    ]);
  const doc = checked.value;
  if (doc.camera_id !== undefined && doc.camera_id !== cameraId)
    throw calibrationError(400, 'VOLNO_BAD_REQUEST', `document: camera_id is "${doc.camera_id}", not "${cameraId}"`);
  return canonicalCalibration({ ...doc, camera_id: cameraId });
}
