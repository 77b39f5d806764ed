import type { Database, Statement } from 'better-sqlite3';

export interface StreamHealthUpdate {
  cameraId: string;
  agentId: string;
  status: string;
  detail: string | null;
  lastFrameAt: number | null;
  fps: number;
  at: number;
}

export interface SummaryUpdate extends StreamHealthUpdate {
  free: number;
  occupied: number;
  unknown: number;
  total: number;
  calibrationVersion: number;
}

export interface CameraRow {
  cameraId: string;
  lotId: string | null;
  name: string | null;
  configured: boolean;
  agentId: string | null;
  streamStatus: string | null;
  streamDetail: string | null;
  lastFrameAt: number | null;
  fps: number | null;
  healthAt: number | null;
  calibrationVersion: number | null;
  summary: { free: number; occupied: number; unknown: number; total: number; at: number } | null;
  stats: Record<string, unknown> | null;
  statsAt: number | null;
  calibrationAck: { version: number; result: string; reason: string | null; at: number } | null;
}

/** Camera health as the agents report it: stream status, counts, stats and calibration answers. */
export class CamerasStore {
  private readonly health: Statement;
  private readonly summary: Statement;
  private readonly stats: Statement;
  private readonly ack: Statement;

  constructor(private readonly db: Database) {
    // A report older than what is stored (a retained replay) must not overwrite a newer one.
    this.health = db.prepare(
      `UPDATE cameras SET agent_id = @agentId, stream_status = @status, stream_detail = @detail,
         last_frame_at = @lastFrameAt, fps = @fps, health_at = @at
       WHERE camera_id = @cameraId AND (health_at IS NULL OR health_at <= @at)`,
    );
    this.summary = db.prepare(
      `UPDATE cameras SET agent_id = @agentId, stream_status = @status, stream_detail = @detail,
         last_frame_at = @lastFrameAt, fps = @fps, health_at = @at, calibration_version = @calibrationVersion,
         summary_free = @free, summary_occupied = @occupied, summary_unknown = @unknown, summary_total = @total,
         summary_at = @at
       WHERE camera_id = @cameraId AND (summary_at IS NULL OR summary_at <= @at)`,
    );
    this.stats = db.prepare(
      'UPDATE cameras SET stats_json = ?, stats_at = ? WHERE camera_id = ? AND (stats_at IS NULL OR stats_at <= ?)',
    );
    this.ack = db.prepare(
      `UPDATE cameras SET calibration_ack_version = ?, calibration_ack_result = ?, calibration_ack_reason = ?,
         calibration_ack_at = ? WHERE camera_id = ? AND (calibration_ack_at IS NULL OR calibration_ack_at <= ?)`,
    );
  }

  putHealth(u: StreamHealthUpdate): void {
    this.health.run(u);
  }

  putSummary(u: SummaryUpdate): void {
    this.summary.run(u);
  }

  putStats(cameraId: string, stats: Record<string, unknown>, at: number): void {
    this.stats.run(JSON.stringify(stats), at, cameraId, at);
  }

  putCalibrationAck(cameraId: string, version: number, result: string, reason: string | null, at: number): void {
    this.ack.run(version, result, reason, at, cameraId, at);
  }

  all(): CameraRow[] {
    const rows = this.db.prepare('SELECT * FROM cameras ORDER BY lot_id IS NULL, lot_id, camera_id').all() as DbRow[];
    return rows.map((r) => ({
      cameraId: r.camera_id,
      lotId: r.lot_id,
      name: r.name,
      configured: r.configured === 1,
      agentId: r.agent_id,
      streamStatus: r.stream_status,
      streamDetail: r.stream_detail,
      lastFrameAt: r.last_frame_at,
      fps: r.fps,
      healthAt: r.health_at,
      calibrationVersion: r.calibration_version,
      summary:
        r.summary_at === null
          ? null
          : {
              free: r.summary_free ?? 0,
              occupied: r.summary_occupied ?? 0,
              unknown: r.summary_unknown ?? 0,
              total: r.summary_total ?? 0,
              at: r.summary_at,
            },
      stats: r.stats_json === null ? null : (JSON.parse(r.stats_json) as Record<string, unknown>),
      statsAt: r.stats_at,
      calibrationAck:
        r.calibration_ack_at === null
          ? null
          : {
              version: r.calibration_ack_version ?? 0,
              result: r.calibration_ack_result ?? '',
              reason: r.calibration_ack_reason,
              at: r.calibration_ack_at,
            },
    }));
  }
}

interface DbRow {
  camera_id: string;
  lot_id: string | null;
  name: string | null;
  configured: number;
  agent_id: string | null;
  stream_status: string | null;
  stream_detail: string | null;
  last_frame_at: number | null;
  fps: number | null;
  health_at: number | null;
  calibration_version: number | null;
  summary_free: number | null;
  summary_occupied: number | null;
  summary_unknown: number | null;
  summary_total: number | null;
  summary_at: number | null;
  stats_json: string | null;
  stats_at: number | null;
  calibration_ack_version: number | null;
  calibration_ack_result: string | null;
  calibration_ack_reason: string | null;
  calibration_ack_at: number | null;
}
