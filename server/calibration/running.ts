import type { Logger } from 'pino';
import {
  emptyCalibration,
  fromCalibrationPayload,
  type CalibrationDocument,
  type CalibrationSlot,
} from '../../calibration/index.ts';
import type { CalibrationOrigin, CalibrationRunningPayload } from '../../protocol/index.ts';
import type { Counter } from '../core/metrics/registry.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { syncCatalog } from './catalog-sync.ts';
import { CalibrationStoreError } from './errors.ts';
import { retryOnUnique } from './retry-unique.ts';
import type { VersionsStore } from './versions-store.ts';

/** What the server knows a camera runs, from the agent's latest `calibration_running` report. */
export interface RunningRow {
  cameraId: string;
  agentId: string;
  origin: CalibrationOrigin;
  /** The version number the agent has (for a file: whatever the file says). */
  agentVersion: number;
  sha256: string;
  /**
   * The server's version with this content; null while a published version overrides the agent's
   * file, and when the content is not what the server published as the version the agent names.
   */
  serverVersion: number | null;
  reportedAt: number;
}

/** What a report did: recorded a new version, matched one, or lost to a staff-published version. */
export type RunningOutcome = 'recorded' | 'known' | 'superseded';

export interface RunningDeps {
  sql: SqlExecutor;
  versions: VersionsStore;
  log: Logger;
  /** Reports of a published version whose hash is not the one published (server_version null). */
  unverified: Counter;
  /**
   * The catalog changed under the camera's lot: called once the report's writes are done, still inside
   * the ingest transaction.
   */
  catalogChanged(lot: string | null, tx: SqlExecutor): Promise<void>;
}

/** Shown in the version list; the hash lets staff match a version to the file on the agent. */
export const fileNote = (sha256: string) => `from the agent's file (sha256 ${sha256.slice(0, 12)})`;

/**
 * One source of truth for calibration (issue 15, docs/calibration-editor.md "Which calibration is in
 * force"). An agent reports the calibration it runs. A calibration from the agent's own file is
 * recorded as a version (origin `agent_file`, its hash kept, marked applied) when it differs from the
 * last file version the server recorded, so the editor opens what the camera really uses. Once staff
 * have published a version of the camera the server's version wins: a file report is then only noted
 * (the agent takes the published version from the retained topic) and never recorded over it.
 * The report's hash was checked by ingest (server/ingest/validate.ts) before it got here.
 */
export class RunningCalibrations {
  constructor(private readonly d: RunningDeps) {}

  async get(cameraId: string): Promise<RunningRow | undefined> {
    const r = await this.d.sql.one<DbRow>(`SELECT ${COLUMNS} FROM calibration_running WHERE camera_id = $1`, [
      cameraId,
    ]);
    return r === undefined ? undefined : toRow(r);
  }

  /** Every camera's latest report, for pages that list all cameras: one query, not one per camera. */
  async all(): Promise<Map<string, RunningRow>> {
    const rows = await this.d.sql.all<DbRow>(`SELECT ${COLUMNS} FROM calibration_running`);
    return new Map(rows.map((r) => [r.camera_id, toRow(r)]));
  }

  /**
   * Ingest hook, inside the write transaction `tx`. `at` is the server's receive time. The decision
   * and its writes are one savepoint, tried again when another instance recorded a version of the
   * camera at the same moment ('unique' on its number): the next try sees that version, so the same
   * file is not recorded twice, and a version published meanwhile wins.
   */
  async report(p: CalibrationRunningPayload, at: number, tx: SqlExecutor): Promise<RunningOutcome> {
    const out = await retryOnUnique(tx, (sp) => this.decide(p, at, sp));
    if (out === undefined)
      throw new CalibrationStoreError(
        'VOLNO_CALIBRATION_NUMBER_RACE',
        `camera ${p.camera_id}: another writer kept taking the next version number; the report is not recorded`,
      );
    if (out.lot !== undefined) await this.d.catalogChanged(out.lot, tx);
    return out.outcome;
  }

  private async decide(
    p: CalibrationRunningPayload,
    at: number,
    tx: SqlExecutor,
  ): Promise<{ outcome: RunningOutcome; lot?: string | null }> {
    const cameraId = p.camera_id;
    let outcome: RunningOutcome = 'known';
    let serverVersion: number | null;
    let lot: string | null | undefined;
    if (p.origin === 'file') {
      const published = await this.d.versions.latestStaffPublished(cameraId, tx);
      const known = await this.d.versions.latestFromAgentFile(cameraId, tx);
      if (published !== null) {
        outcome = 'superseded';
        serverVersion = null;
        this.d.log.info(
          { camera: cameraId, sha256: p.sha256, published },
          'the agent runs its calibration file; staff published a version, which wins (the agent takes it from the retained topic)',
        );
      } else if (known !== null && known.sha256 === p.sha256) {
        serverVersion = known.version;
      } else {
        ({ version: serverVersion, lot } = await this.record(p, at, tx));
        outcome = 'recorded';
      }
    } else {
      serverVersion = await this.publishedVersion(p, tx);
    }
    await tx.run(
      `INSERT INTO calibration_running (camera_id, agent_id, origin, agent_version, content_sha256, server_version, reported_at)
       VALUES (:cameraId, :agentId, :origin, :agentVersion, :sha256, :serverVersion, :reportedAt)
       ON CONFLICT (camera_id) DO UPDATE SET agent_id = excluded.agent_id, origin = excluded.origin,
         agent_version = excluded.agent_version, content_sha256 = excluded.content_sha256,
         server_version = excluded.server_version, reported_at = excluded.reported_at`,
      {
        cameraId,
        agentId: p.agent_id,
        origin: p.origin,
        agentVersion: p.version,
        sha256: p.sha256,
        serverVersion,
        reportedAt: at,
      },
    );
    return lot === undefined ? { outcome } : { outcome, lot };
  }

  /**
   * The version number of a `published`/`cache` report, when the server published that version with
   * that content: the agent's word alone would let a stale cache or an edited state file pass as it.
   */
  private async publishedVersion(p: CalibrationRunningPayload, tx: SqlExecutor): Promise<number | null> {
    const stored = await this.d.versions.publishedSha256(p.camera_id, p.version, tx);
    // Published before the server kept the hash (published_at set, content_sha256 null): nothing to compare.
    if (stored === p.sha256 || stored === null) return p.version;
    this.d.unverified.inc();
    this.d.log.warn(
      {
        camera: p.camera_id,
        agent: p.agent_id,
        origin: p.origin,
        version: p.version,
        sha256: p.sha256,
        published_sha256: stored ?? 'never published',
        count: this.d.unverified.get(),
      },
      'the agent runs content that is not what the server published as this version; not counted as running it',
    );
    return null;
  }

  private async record(
    p: CalibrationRunningPayload,
    at: number,
    tx: SqlExecutor,
  ): Promise<{ version: number; lot: string | null }> {
    const cameraId = p.camera_id;
    const doc = fromCalibrationPayload(
      { camera_id: cameraId, version: p.version, issued_at: p.issued_at, ...p.calibration },
      { previous: await this.catalogDocument(cameraId, p.calibration.frame_width, p.calibration.frame_height, tx) },
    );
    const { version } = await this.d.versions.addFromAgentFile(
      cameraId,
      doc,
      {
        author: `agent ${p.agent_id}`,
        note: fileNote(p.sha256),
        sha256: p.sha256,
        at,
        // The agent's clock, as on its acknowledgements: `latestApplied` orders the two by this time.
        ackAt: Date.parse(p.sent_at),
      },
      tx,
    );
    // The agent runs it already: the catalog (and the public page) follow, as after an `applied`.
    const lot = await syncCatalog(tx, cameraId, doc);
    this.d.log.info(
      { camera: cameraId, version, sha256: p.sha256, slots: doc.slots.length },
      "recorded the agent's calibration file as a version",
    );
    return { version, lot };
  }

  /**
   * What the wire does not carry (labels, types, reservable flags), from the camera's slots as the
   * catalog has them: server.yaml, or the last applied version.
   */
  private async catalogDocument(
    cameraId: string,
    width: number,
    height: number,
    tx: SqlExecutor,
  ): Promise<CalibrationDocument> {
    const rows = await tx.all<{
      slot_id: string;
      label: string | null;
      type: CalibrationSlot['type'];
      reservable: number;
    }>(
      'SELECT slot_id, label, type, reservable FROM slots WHERE camera_id = $1 AND configured = 1 ORDER BY sort_order, slot_id',
      [cameraId],
    );
    return {
      ...emptyCalibration(width, height, cameraId),
      slots: rows.map((r) => ({
        id: r.slot_id,
        label: r.label ?? r.slot_id,
        type: r.type,
        reservable: r.reservable === 1,
        polygon: [],
      })),
    };
  }
}

interface DbRow {
  camera_id: string;
  agent_id: string;
  origin: CalibrationOrigin;
  agent_version: number;
  content_sha256: string;
  server_version: number | null;
  reported_at: number;
}

const COLUMNS = 'camera_id, agent_id, origin, agent_version, content_sha256, server_version, reported_at';

const toRow = (r: DbRow): RunningRow => ({
  cameraId: r.camera_id,
  agentId: r.agent_id,
  origin: r.origin,
  agentVersion: r.agent_version,
  sha256: r.content_sha256,
  serverVersion: r.server_version,
  reportedAt: r.reported_at,
});
