import type { SqlExecutor } from './sql/port.ts';

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

// A report older than what is stored (a retained replay) must not overwrite a newer one.
const HEALTH = `UPDATE cameras SET agent_id = :agentId, stream_status = :status, stream_detail = :detail,
    last_frame_at = :lastFrameAt, fps = :fps, health_at = :at
  WHERE camera_id = :cameraId AND (health_at IS NULL OR health_at <= :at)`;
const SUMMARY = `UPDATE cameras SET agent_id = :agentId, stream_status = :status, stream_detail = :detail,
    last_frame_at = :lastFrameAt, fps = :fps, health_at = :at, calibration_version = :calibrationVersion,
    summary_free = :free, summary_occupied = :occupied, summary_unknown = :unknown, summary_total = :total,
    summary_at = :at
  WHERE camera_id = :cameraId AND (summary_at IS NULL OR summary_at <= :at)`;
const STATS = `UPDATE cameras SET stats_json = $1, stats_at = $2 WHERE camera_id = $3 AND (stats_at IS NULL OR stats_at <= $2)`;
const ACK = `UPDATE cameras SET calibration_ack_version = $1, calibration_ack_result = $2, calibration_ack_reason = $3,
    calibration_ack_at = $4 WHERE camera_id = $5 AND (calibration_ack_at IS NULL OR calibration_ack_at <= $4)`;

/** Camera health as the agents report it: stream status, counts, stats and calibration answers. */
export class CamerasStore {
  constructor(private readonly sql: SqlExecutor) {}

  async putHealth(u: StreamHealthUpdate): Promise<void> {
    await this.sql.run(HEALTH, u as unknown as Record<string, unknown>);
  }

  async putSummary(u: SummaryUpdate): Promise<void> {
    await this.sql.run(SUMMARY, u as unknown as Record<string, unknown>);
  }

  async putStats(cameraId: string, stats: Record<string, unknown>, at: number): Promise<void> {
    // JSON as text, parsed in TS: no json_* functions, which differ between the engines.
    await this.sql.run(STATS, [JSON.stringify(stats), at, cameraId]);
  }

  async putCalibrationAck(
    cameraId: string,
    version: number,
    result: string,
    reason: string | null,
    at: number,
  ): Promise<void> {
    await this.sql.run(ACK, [version, result, reason, at, cameraId]);
  }

  async all(): Promise<CameraRow[]> {
    // CASE rather than `lot_id IS NULL`: a boolean sort key reads the same on both engines this way.
    const rows = await this.sql.all<DbRow>(
      'SELECT * FROM cameras ORDER BY CASE WHEN lot_id IS NULL THEN 1 ELSE 0 END, lot_id, camera_id',
    );
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
