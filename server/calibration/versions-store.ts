import type { Database, Statement } from 'better-sqlite3';
import { checkCalibrationDocument, type CalibrationDocument, type PrivacyMask } from '../../calibration/index.ts';

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

interface DbRow {
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

const COLUMNS = `camera_id, version, author, created_at, note, slot_count, base_version, published_at, published_by,
  ack_result, ack_reason, ack_at, origin, content_sha256`;

/**
 * Calibration versions and privacy masks in SQLite (migration 0005). Versions are append-only: a
 * save or a rollback adds a row numbered one above the camera's latest, inside an IMMEDIATE
 * transaction so two staff saving at once cannot get the same number.
 */
export class VersionsStore {
  private readonly listStmt: Statement;
  private readonly getStmt: Statement;
  private readonly latestStmt: Statement;
  private readonly insertStmt: Statement;

  constructor(private readonly db: Database) {
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM calibration_versions WHERE camera_id = ? ORDER BY version DESC`);
    this.getStmt = db.prepare(
      `SELECT ${COLUMNS}, document FROM calibration_versions WHERE camera_id = ? AND version = ?`,
    );
    this.latestStmt = db.prepare('SELECT MAX(version) AS v FROM calibration_versions WHERE camera_id = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO calibration_versions (camera_id, version, document, author, created_at, note, slot_count, base_version)
       VALUES (@cameraId, @version, @document, @author, @createdAt, @note, @slotCount, @baseVersion)`,
    );
  }

  list(cameraId: string): VersionRow[] {
    return (this.listStmt.all(cameraId) as DbRow[]).map(toRow);
  }

  get(cameraId: string, version: number): (VersionRow & { document: CalibrationDocument }) | undefined {
    const r = this.getStmt.get(cameraId, version) as DbRow | undefined;
    if (r === undefined) return undefined;
    return { ...toRow(r), document: readDocument(r.document!) };
  }

  latestVersion(cameraId: string): number | null {
    return (this.latestStmt.get(cameraId) as { v: number | null }).v;
  }

  /**
   * Adds a version. `expectBase` (when not undefined) must equal the latest version, else
   * `{ conflict: latest }` comes back and nothing is written.
   */
  add(
    cameraId: string,
    doc: CalibrationDocument,
    meta: { author: string; note: string; at: number; expectBase?: number | null },
  ): { version: number } | { conflict: number | null } {
    return this.db
      .transaction(() => {
        const latest = this.latestVersion(cameraId);
        if (meta.expectBase !== undefined && meta.expectBase !== latest) return { conflict: latest };
        const version = (latest ?? 0) + 1;
        this.insertStmt.run({
          cameraId,
          version,
          document: JSON.stringify(doc),
          author: meta.author,
          createdAt: meta.at,
          note: meta.note,
          slotCount: doc.slots.length,
          baseVersion: latest,
        });
        return { version };
      })
      .immediate();
  }

  /**
   * Adds a version recorded from the agent's calibration file: numbered like any save, and already
   * `applied` (the agent runs it), so the catalog follows it at the next start too.
   */
  addFromAgentFile(
    cameraId: string,
    doc: CalibrationDocument,
    meta: { author: string; note: string; sha256: string; at: number; ackAt: number },
  ): { version: number } {
    return this.db.transaction(() => {
      const added = this.add(cameraId, doc, meta) as { version: number };
      this.db
        .prepare(
          `UPDATE calibration_versions SET origin = 'agent_file', content_sha256 = ?, ack_result = 'applied', ack_at = ?
           WHERE camera_id = ? AND version = ?`,
        )
        .run(meta.sha256, meta.ackAt, cameraId, added.version);
      return added;
    })();
  }

  /** The newest version recorded from the agent's file, with its hash. */
  latestFromAgentFile(cameraId: string): { version: number; sha256: string } | null {
    const r = this.db
      .prepare(
        `SELECT version, content_sha256 FROM calibration_versions WHERE camera_id = ? AND origin = 'agent_file'
         ORDER BY version DESC LIMIT 1`,
      )
      .get(cameraId) as { version: number; content_sha256: string } | undefined;
    return r === undefined ? null : { version: r.version, sha256: r.content_sha256 };
  }

  /** The newest version staff published (any origin: publishing is a staff act), or null. */
  latestStaffPublished(cameraId: string): number | null {
    return (
      this.db
        .prepare('SELECT MAX(version) AS v FROM calibration_versions WHERE camera_id = ? AND published_at IS NOT NULL')
        .get(cameraId) as { v: number | null }
    ).v;
  }

  /**
   * Marks a version published, with the SHA-256 of the content that went out (protocol/
   * calibration-digest.ts): what an agent running this version reports. A republished version keeps
   * the answer it already has: the agent answers each (version, result) once (edge/agent/inbound.ts),
   * so no second ack would come.
   */
  markPublished(cameraId: string, version: number, by: string, at: number, sha256: string): void {
    this.db
      .prepare(
        `UPDATE calibration_versions SET published_at = ?, published_by = ?, content_sha256 = ?
         WHERE camera_id = ? AND version = ?`,
      )
      .run(at, by, sha256, cameraId, version);
  }

  /** Undoes `markPublished` when the broker did not take the message. */
  restorePublished(
    cameraId: string,
    version: number,
    before: { at: number | null; by: string | null; sha256: string | null },
  ): void {
    this.db
      .prepare(
        `UPDATE calibration_versions SET published_at = ?, published_by = ?, content_sha256 = ?
         WHERE camera_id = ? AND version = ?`,
      )
      .run(before.at, before.by, before.sha256, cameraId, version);
  }

  /**
   * The content hash of a published version, as markPublished stored it; null for a version
   * published before hashes were kept; undefined when the server never published that version.
   */
  publishedSha256(cameraId: string, version: number): string | null | undefined {
    const r = this.db
      .prepare(
        'SELECT content_sha256 FROM calibration_versions WHERE camera_id = ? AND version = ? AND published_at IS NOT NULL',
      )
      .get(cameraId, version) as { content_sha256: string | null } | undefined;
    return r?.content_sha256;
  }

  /**
   * Records an agent's answer to a published version; an older answer never overwrites a newer one
   * (a retained ack replayed after a restart). Returns true when the row changed.
   */
  recordAck(cameraId: string, version: number, result: AckResult, reason: string | null, at: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE calibration_versions SET ack_result = ?, ack_reason = ?, ack_at = ?
           WHERE camera_id = ? AND version = ? AND published_at IS NOT NULL AND (ack_at IS NULL OR ack_at <= ?)`,
        )
        .run(result, reason, at, cameraId, version, at).changes > 0
    );
  }

  /**
   * Per camera, the version the agent most recently acknowledged as applied (by the ack's time, not
   * the version number: staff may publish an older version again), for the catalog at start.
   */
  latestApplied(): { cameraId: string; version: number }[] {
    return (
      this.db
        .prepare(
          `SELECT camera_id, version FROM (
             SELECT camera_id, version,
               ROW_NUMBER() OVER (PARTITION BY camera_id ORDER BY ack_at DESC, version DESC) AS n
             FROM calibration_versions WHERE ack_result = 'applied')
           WHERE n = 1`,
        )
        .all() as { camera_id: string; version: number }[]
    ).map((r) => ({ cameraId: r.camera_id, version: r.version }));
  }

  /** Newest published version per camera, and newest saved one. */
  summaries(): Map<string, { published: number | null; latest: number }> {
    const rows = this.db
      .prepare(
        `SELECT camera_id, MAX(version) AS latest, MAX(CASE WHEN published_at IS NOT NULL THEN version END) AS published
         FROM calibration_versions GROUP BY camera_id`,
      )
      .all() as { camera_id: string; latest: number; published: number | null }[];
    return new Map(rows.map((r) => [r.camera_id, { published: r.published, latest: r.latest }]));
  }

  masks(cameraId: string): MasksRow | undefined {
    const r = this.db
      .prepare('SELECT masks, updated_at, updated_by FROM calibration_masks WHERE camera_id = ?')
      .get(cameraId) as { masks: string; updated_at: number; updated_by: string } | undefined;
    if (r === undefined) return undefined;
    return { masks: JSON.parse(r.masks) as PrivacyMask[], updatedAt: r.updated_at, updatedBy: r.updated_by };
  }

  putMasks(cameraId: string, masks: readonly PrivacyMask[], by: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO calibration_masks (camera_id, masks, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (camera_id) DO UPDATE SET masks = excluded.masks, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      )
      .run(cameraId, JSON.stringify(masks), at, by);
  }
}

function toRow(r: DbRow): VersionRow {
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
function readDocument(text: string): CalibrationDocument {
  const checked = checkCalibrationDocument(JSON.parse(text) as unknown);
  if (!checked.ok) throw checked.error;
  return checked.value;
}
