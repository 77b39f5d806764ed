import { checkCalibrationDocument, type CalibrationDocument, type PrivacyMask } from '../../calibration/index.ts';

// The row shapes of calibration_versions and calibration_masks, and their mapping to TypeScript.

export type AckResult = 'applied' | 'rejected';

/** One saved calibration of a camera; `document` is loaded only when asked for. */
export interface VersionRow {
  cameraId: string;
  version: number;
  author: string;
  createdAt: number;
  note: string;
  slotCount: number;
  baseVersion: number | null;
  publishedAt: number | null;
  publishedBy: string | null;
  ack: { result: AckResult; reason: string | null; at: number } | null;
  /** `agent_file`: recorded from the calibration file the agent runs (server/calibration/running.ts). */
  origin: 'staff' | 'agent_file';
  /**
   * For `agent_file`: the SHA-256 the agent reported for its content; once published: the hash of
   * the content last published (masks and tuned head included), which a running report must match.
   */
  contentSha256: string | null;
}

export interface MasksRow {
  masks: PrivacyMask[];
  updatedAt: number;
  updatedBy: string;
}

export interface DbRow {
  camera_id: string;
  version: number;
  author: string;
  created_at: number;
  note: string;
  slot_count: number;
  base_version: number | null;
  published_at: number | null;
  published_by: string | null;
  ack_result: AckResult | null;
  ack_reason: string | null;
  ack_at: number | null;
  origin: 'staff' | 'agent_file';
  content_sha256: string | null;
  document?: string;
}

export const COLUMNS = `camera_id, version, author, created_at, note, slot_count, base_version, published_at, published_by,
  ack_result, ack_reason, ack_at, origin, content_sha256`;

export function toRow(r: DbRow): VersionRow {
  return {
    cameraId: r.camera_id,
    version: r.version,
    author: r.author,
    createdAt: r.created_at,
    note: r.note,
    slotCount: r.slot_count,
    baseVersion: r.base_version,
    publishedAt: r.published_at,
    publishedBy: r.published_by,
    ack:
      r.ack_result === null || r.ack_at === null ? null : { result: r.ack_result, reason: r.ack_reason, at: r.ack_at },
    origin: r.origin,
    contentSha256: r.content_sha256,
  };
}

/** Stored documents were checked before saving; re-checking runs format migrations written since. */
export function readDocument(text: string): CalibrationDocument {
  const checked = checkCalibrationDocument(JSON.parse(text) as unknown);
  if (!checked.ok) throw checked.error;
  return checked.value;
}
