import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  emptyCalibration,
  fromCalibrationPayload,
  type CalibrationDocument,
  type CalibrationSlot,
} from '../../calibration/index.ts';
import type { CalibrationOrigin, CalibrationRunningPayload } from '../../protocol/index.ts';
import type { Counter } from '../core/metrics/registry.ts';
import { syncCatalog } from './catalog-sync.ts';
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
  db: Database;
  versions: VersionsStore;
  log: Logger;
  /** Reports of a published version whose hash is not the one published (server_version null). */
  unverified: Counter;
  /** The catalog changed under the camera's lot (called inside the ingest transaction). */
  catalogChanged(lot: string | null): void;
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
  private readonly upsert: Statement;
  private readonly getStmt: Statement;

  constructor(private readonly d: RunningDeps) {
    this.upsert = d.db.prepare(
      `INSERT INTO calibration_running (camera_id, agent_id, origin, agent_version, content_sha256, server_version, reported_at)
       VALUES (@cameraId, @agentId, @origin, @agentVersion, @sha256, @serverVersion, @reportedAt)
       ON CONFLICT (camera_id) DO UPDATE SET agent_id = excluded.agent_id, origin = excluded.origin,
         agent_version = excluded.agent_version, content_sha256 = excluded.content_sha256,
         server_version = excluded.server_version, reported_at = excluded.reported_at`,
    );
    this.getStmt = d.db.prepare(
      `SELECT camera_id, agent_id, origin, agent_version, content_sha256, server_version, reported_at
       FROM calibration_running WHERE camera_id = ?`,
    );
  }

  get(cameraId: string): RunningRow | undefined {
    const r = this.getStmt.get(cameraId) as Record<string, unknown> | undefined;
    if (r === undefined) return undefined;
    return {
      cameraId: r['camera_id'] as string,
      agentId: r['agent_id'] as string,
      origin: r['origin'] as CalibrationOrigin,
      agentVersion: r['agent_version'] as number,
      sha256: r['content_sha256'] as string,
      serverVersion: r['server_version'] as number | null,
      reportedAt: r['reported_at'] as number,
    };
  }

  /** Ingest hook, inside the write transaction. `at` is the server's receive time. */
  report(p: CalibrationRunningPayload, at: number): RunningOutcome {
    return this.d.db.transaction(() => {
      const cameraId = p.camera_id;
      let outcome: RunningOutcome = 'known';
      let serverVersion: number | null;
      if (p.origin === 'file') {
        const published = this.d.versions.latestStaffPublished(cameraId);
        const known = this.d.versions.latestFromAgentFile(cameraId);
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
          serverVersion = this.record(p, at);
          outcome = 'recorded';
        }
      } else {
        serverVersion = this.publishedVersion(p);
      }
      this.upsert.run({
        cameraId,
        agentId: p.agent_id,
        origin: p.origin,
        agentVersion: p.version,
        sha256: p.sha256,
        serverVersion,
        reportedAt: at,
      });
      return outcome;
    })();
  }

  /**
   * The version number of a `published`/`cache` report, when the server published that version with
   * that content: the agent's word alone would let a stale cache or an edited state file pass as it.
   */
  private publishedVersion(p: CalibrationRunningPayload): number | null {
    const stored = this.d.versions.publishedSha256(p.camera_id, p.version);
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

  private record(p: CalibrationRunningPayload, at: number): number {
    const cameraId = p.camera_id;
    const doc = fromCalibrationPayload(
      { camera_id: cameraId, version: p.version, issued_at: p.issued_at, ...p.calibration },
      { previous: this.catalogDocument(cameraId, p.calibration.frame_width, p.calibration.frame_height) },
    );
    const { version } = this.d.versions.addFromAgentFile(cameraId, doc, {
      author: `agent ${p.agent_id}`,
      note: fileNote(p.sha256),
      sha256: p.sha256,
      at,
      // The agent's clock, as on its acknowledgements: `latestApplied` orders the two by this time.
      ackAt: Date.parse(p.sent_at),
    });
    // The agent runs it already: the catalog (and the public page) follow, as after an `applied`.
    this.d.catalogChanged(syncCatalog(this.d.db, cameraId, doc));
    this.d.log.info(
      { camera: cameraId, version, sha256: p.sha256, slots: doc.slots.length },
      "recorded the agent's calibration file as a version",
    );
    return version;
  }

  /**
   * What the wire does not carry (labels, types, reservable flags), from the camera's slots as the
   * catalog has them: server.yaml, or the last applied version.
   */
  private catalogDocument(cameraId: string, width: number, height: number): CalibrationDocument {
    const rows = this.d.db
      .prepare('SELECT slot_id, label, type, reservable FROM slots WHERE camera_id = ? AND configured = 1')
      .all(cameraId) as { slot_id: string; label: string | null; type: CalibrationSlot['type']; reservable: number }[];
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
