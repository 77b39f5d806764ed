import type { CalibrationDocument, PrivacyMask } from '../../calibration/index.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { retryOnUnique } from './retry-unique.ts';
import {
  COLUMNS,
  readDocument,
  toRow,
  type AckResult,
  type DbRow,
  type MasksRow,
  type VersionRow,
} from './version-row.ts';

export type { AckResult, MasksRow, VersionRow } from './version-row.ts';

interface Published {
  at: number | null;
  by: string | null;
  sha256: string | null;
}

/**
 * Calibration versions and privacy masks (migrations 0005, 0009). Versions are append-only: a save
 * or a rollback adds a row numbered one above the camera's latest. The number is read and used in
 * one transaction, and the (camera_id, version) primary key is the arbiter: a writer that loses the
 * race (another instance inserted the same number first) gets 'unique', rolls its attempt back and
 * reads the latest again. No number is kept in memory, so any number of instances may save at once.
 */
export class VersionsStore {
  constructor(private readonly sql: SqlExecutor) {}

  async list(cameraId: string): Promise<VersionRow[]> {
    const rows = await this.sql.all<DbRow>(
      `SELECT ${COLUMNS} FROM calibration_versions WHERE camera_id = $1 ORDER BY version DESC`,
      [cameraId],
    );
    return rows.map(toRow);
  }

  async get(
    cameraId: string,
    version: number,
    ex: SqlExecutor = this.sql,
  ): Promise<(VersionRow & { document: CalibrationDocument }) | undefined> {
    const r = await ex.one<DbRow>(
      `SELECT ${COLUMNS}, document FROM calibration_versions WHERE camera_id = $1 AND version = $2`,
      [cameraId, version],
    );
    if (r === undefined) return undefined;
    return { ...toRow(r), document: readDocument(r.document!) };
  }

  async latestVersion(cameraId: string, ex: SqlExecutor = this.sql): Promise<number | null> {
    const r = await ex.one<{ v: number | null }>(
      'SELECT MAX(version) AS v FROM calibration_versions WHERE camera_id = $1',
      [cameraId],
    );
    return r?.v ?? null;
  }

  /** The newest version's document, or undefined when the camera has none. */
  async latestDocument(cameraId: string): Promise<CalibrationDocument | undefined> {
    const latest = await this.latestVersion(cameraId);
    return latest === null ? undefined : (await this.get(cameraId, latest))?.document;
  }

  /**
   * Adds a version. `expectBase` (when not undefined) must equal the latest version, else
   * `{ conflict: latest }` comes back and nothing is written; so does a save that lost the number
   * race NUMBER_TRIES times (retry-unique.ts). `ex` joins a caller's transaction (each try is a savepoint).
   */
  async add(
    cameraId: string,
    doc: CalibrationDocument,
    meta: { author: string; note: string; at: number; expectBase?: number | null },
    ex: SqlExecutor = this.sql,
  ): Promise<{ version: number } | { conflict: number | null }> {
    const out = await retryOnUnique(ex, async (tx) => {
      const latest = await this.latestVersion(cameraId, tx);
      if (meta.expectBase !== undefined && meta.expectBase !== latest) return { conflict: latest };
      const version = (latest ?? 0) + 1;
      await tx.run(
        `INSERT INTO calibration_versions (camera_id, version, document, author, created_at, note, slot_count, base_version)
         VALUES (:cameraId, :version, :document, :author, :createdAt, :note, :slotCount, :baseVersion)`,
        {
          cameraId,
          version,
          document: JSON.stringify(doc),
          author: meta.author,
          createdAt: meta.at,
          note: meta.note,
          slotCount: doc.slots.length,
          baseVersion: latest,
        },
      );
      return { version };
    });
    return out ?? { conflict: await this.latestVersion(cameraId, ex) };
  }

  /**
   * Adds a version recorded from the agent's calibration file: numbered like any save, and already
   * `applied` (the agent runs it), so the catalog follows it at the next start too. Runs in `ex`
   * (the ingest transaction); the caller retries on 'unique' (running.ts decides again then).
   */
  async addFromAgentFile(
    cameraId: string,
    doc: CalibrationDocument,
    meta: { author: string; note: string; sha256: string; at: number; ackAt: number },
    ex: SqlExecutor,
  ): Promise<{ version: number }> {
    const latest = await this.latestVersion(cameraId, ex);
    const version = (latest ?? 0) + 1;
    await ex.run(
      `INSERT INTO calibration_versions (camera_id, version, document, author, created_at, note, slot_count,
         base_version, origin, content_sha256, ack_result, ack_at)
       VALUES (:cameraId, :version, :document, :author, :createdAt, :note, :slotCount, :baseVersion, 'agent_file',
         :sha256, 'applied', :ackAt)`,
      {
        cameraId,
        version,
        document: JSON.stringify(doc),
        author: meta.author,
        createdAt: meta.at,
        note: meta.note,
        slotCount: doc.slots.length,
        baseVersion: latest,
        sha256: meta.sha256,
        ackAt: meta.ackAt,
      },
    );
    return { version };
  }

  /** The newest version recorded from the agent's file, with its hash. */
  async latestFromAgentFile(
    cameraId: string,
    ex: SqlExecutor = this.sql,
  ): Promise<{ version: number; sha256: string } | null> {
    const r = await ex.one<{ version: number; content_sha256: string }>(
      `SELECT version, content_sha256 FROM calibration_versions WHERE camera_id = $1 AND origin = 'agent_file'
       ORDER BY version DESC LIMIT 1`,
      [cameraId],
    );
    return r === undefined ? null : { version: r.version, sha256: r.content_sha256 };
  }

  /** The newest version staff published (any origin: publishing is a staff act), or null. */
  async latestStaffPublished(cameraId: string, ex: SqlExecutor = this.sql): Promise<number | null> {
    const r = await ex.one<{ v: number | null }>(
      'SELECT MAX(version) AS v FROM calibration_versions WHERE camera_id = $1 AND published_at IS NOT NULL',
      [cameraId],
    );
    return r?.v ?? null;
  }

  /**
   * Marks a version published, with the SHA-256 of the content that went out (protocol/
   * calibration-digest.ts): what an agent running this version reports. A republished version keeps
   * the answer it already has: the agent answers each (version, result) once (edge/agent/inbound.ts),
   * so no second ack would come. Returns what the row said before, for {@link restorePublished}.
   */
  async markPublished(cameraId: string, version: number, by: string, at: number, sha256: string): Promise<Published> {
    return this.sql.transaction(async (tx) => {
      const r = await tx.one<{
        published_at: number | null;
        published_by: string | null;
        content_sha256: string | null;
      }>(
        'SELECT published_at, published_by, content_sha256 FROM calibration_versions WHERE camera_id = $1 AND version = $2',
        [cameraId, version],
      );
      await tx.run(
        `UPDATE calibration_versions SET published_at = $1, published_by = $2, content_sha256 = $3
         WHERE camera_id = $4 AND version = $5`,
        [at, by, sha256, cameraId, version],
      );
      return { at: r?.published_at ?? null, by: r?.published_by ?? null, sha256: r?.content_sha256 ?? null };
    });
  }

  /**
   * Undoes `markPublished` when the broker did not take the message, only while the row still
   * carries that mark: another instance may have published the version again meanwhile.
   */
  async restorePublished(
    cameraId: string,
    version: number,
    mark: { at: number; by: string; sha256: string },
    before: Published,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE calibration_versions SET published_at = $1, published_by = $2, content_sha256 = $3
       WHERE camera_id = $4 AND version = $5 AND published_at = $6 AND published_by = $7 AND content_sha256 = $8`,
      [before.at, before.by, before.sha256, cameraId, version, mark.at, mark.by, mark.sha256],
    );
  }

  /**
   * The content hash of a published version, as markPublished stored it; null for a version
   * published before hashes were kept; undefined when the server never published that version.
   */
  async publishedSha256(
    cameraId: string,
    version: number,
    ex: SqlExecutor = this.sql,
  ): Promise<string | null | undefined> {
    const r = await ex.one<{ content_sha256: string | null }>(
      'SELECT content_sha256 FROM calibration_versions WHERE camera_id = $1 AND version = $2 AND published_at IS NOT NULL',
      [cameraId, version],
    );
    return r?.content_sha256;
  }

  /**
   * Records an agent's answer to a published version; an older answer never overwrites a newer one
   * (a retained ack replayed after a restart). One conditional UPDATE, so two instances recording
   * answers at once cannot interleave. Returns true when the row changed.
   */
  async recordAck(
    cameraId: string,
    version: number,
    answer: { result: AckResult; reason: string | null; at: number },
    ex: SqlExecutor = this.sql,
  ): Promise<boolean> {
    const { changes } = await ex.run(
      `UPDATE calibration_versions SET ack_result = :result, ack_reason = :reason, ack_at = :at
       WHERE camera_id = :cameraId AND version = :version AND published_at IS NOT NULL
         AND (ack_at IS NULL OR ack_at <= :at)`,
      { ...answer, cameraId, version },
    );
    return changes > 0;
  }

  /**
   * Per camera, the version the agent most recently acknowledged as applied (by the ack's time, not
   * the version number: staff may publish an older version again), for the catalog at start.
   */
  async latestApplied(): Promise<{ cameraId: string; version: number }[]> {
    const rows = await this.sql.all<{ camera_id: string; version: number }>(
      `SELECT camera_id, version FROM (
         SELECT camera_id, version,
           ROW_NUMBER() OVER (PARTITION BY camera_id ORDER BY ack_at DESC, version DESC) AS n
         FROM calibration_versions WHERE ack_result = 'applied') AS ranked
       WHERE n = 1`,
    );
    return rows.map((r) => ({ cameraId: r.camera_id, version: r.version }));
  }

  /** Newest published version per camera, and newest saved one. */
  async summaries(): Promise<Map<string, { published: number | null; latest: number }>> {
    const rows = await this.sql.all<{ camera_id: string; latest: number; published: number | null }>(
      `SELECT camera_id, MAX(version) AS latest, MAX(CASE WHEN published_at IS NOT NULL THEN version END) AS published
       FROM calibration_versions GROUP BY camera_id`,
    );
    return new Map(rows.map((r) => [r.camera_id, { published: r.published, latest: r.latest }]));
  }

  async masks(cameraId: string): Promise<MasksRow | undefined> {
    const r = await this.sql.one<{ masks: string; updated_at: number; updated_by: string }>(
      'SELECT masks, updated_at, updated_by FROM calibration_masks WHERE camera_id = $1',
      [cameraId],
    );
    if (r === undefined) return undefined;
    return { masks: JSON.parse(r.masks) as PrivacyMask[], updatedAt: r.updated_at, updatedBy: r.updated_by };
  }

  async putMasks(cameraId: string, masks: readonly PrivacyMask[], by: string, at: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO calibration_masks (camera_id, masks, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (camera_id) DO UPDATE SET masks = excluded.masks, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by`,
      [cameraId, JSON.stringify(masks), at, by],
    );
  }
}
