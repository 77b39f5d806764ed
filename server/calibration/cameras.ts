import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { iso } from './json.ts';
import { accuracyJson } from './labels/accuracy-json.ts';
import { appliedVersion } from './in-force.ts';
import type { CalibrationService } from './service.ts';

interface Row {
  camera_id: string;
  lot_id: string | null;
  name: string | null;
  stream_status: string | null;
  stream_detail: string | null;
  calibration_version: number | null;
  calibration_ack_version: number | null;
  calibration_ack_result: string | null;
  calibration_ack_reason: string | null;
  calibration_ack_at: number | null;
  agent_status: string | null;
}

/**
 * Every camera the server knows (configured or seen over MQTT) with what staff need to calibrate
 * it. `applied_version` is what the agent says it runs ({@link appliedVersion}, the same answer the
 * camera wall draws); `camera_moved` is the agent's stream status.
 */
export async function listCameras(sql: SqlExecutor, service: CalibrationService) {
  const rows = await sql.all<Row>(
    `SELECT c.camera_id, c.lot_id, c.name, c.stream_status, c.stream_detail, c.calibration_version,
         c.calibration_ack_version, c.calibration_ack_result, c.calibration_ack_reason, c.calibration_ack_at,
         a.status AS agent_status
       FROM cameras c LEFT JOIN agents a ON a.agent_id = c.agent_id
       ORDER BY CASE WHEN c.lot_id IS NULL THEN 1 ELSE 0 END, c.lot_id, c.camera_id`,
  );
  const versions = await service.versions.summaries();
  const runningAll = await service.running.all();
  const accuracies = await service.labels.allAccuracy();
  const out = [];
  for (const r of rows) {
    const v = versions.get(r.camera_id);
    const snap = service.snapshots.latest(r.camera_id);
    // The frame size comes from the snapshot when there is one: the document is read only without.
    const doc = v === undefined || snap ? undefined : (await service.versions.get(r.camera_id, v.latest))?.document;
    const frame = snap
      ? { width: snap.width, height: snap.height }
      : doc
        ? { width: doc.frame_width, height: doc.frame_height }
        : null;
    const acc = accuracies.get(r.camera_id);
    const running = runningAll.get(r.camera_id);
    out.push({
      camera_id: r.camera_id,
      lot_id: r.lot_id,
      name: r.name,
      agent_status: r.agent_status,
      frame,
      published_version: v?.published ?? null,
      applied_version: appliedVersion(
        {
          calibrationVersion: r.calibration_version,
          ackVersion: r.calibration_ack_version,
          ackResult: r.calibration_ack_result,
        },
        running,
      ),
      latest_version: v?.latest ?? null,
      last_ack:
        r.calibration_ack_at === null
          ? null
          : {
              version: r.calibration_ack_version ?? 0,
              result: r.calibration_ack_result ?? '',
              reason: r.calibration_ack_reason,
              at: iso(r.calibration_ack_at),
            },
      camera_moved: r.stream_status === 'camera_moved',
      stream_status: r.stream_status,
      stream_detail: r.stream_detail,
      accuracy: acc ? accuracyJson(acc) : null,
      running: running
        ? {
            origin: running.origin,
            agent_version: running.agentVersion,
            sha256: running.sha256,
            server_version: running.serverVersion,
            reported_at: iso(running.reportedAt),
          }
        : null,
    });
  }
  return out;
}
