import type { CameraPipeline } from '../camera/camera-pipeline.ts';
import type { Body } from '../mqtt/link.ts';
import type { SlotReport } from '../occupancy/slot-tracker.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** The wire form of one slot's report (snake_case, RFC 3339 times). */
export function slotStateBody(camera: CameraPipeline, slotId: string, r: Readonly<SlotReport>): Body<'slot_state'> {
  return {
    camera_id: camera.id,
    slot_id: slotId,
    state: r.state,
    ...(r.state === 'unknown' && { reason: r.reason ?? 'starting' }),
    confidence: r.state === 'unknown' ? 0 : r.confidence,
    since: iso(r.since),
    observed_at: iso(r.observedAt),
    model_id: camera.model.id,
    calibration_version: camera.calibrationVersion,
  };
}

export function streamBody(camera: CameraPipeline) {
  const h = camera.health();
  const last = camera.lastFrameTime;
  return {
    status: h.status,
    ...(h.detail !== undefined && { detail: h.detail.slice(0, 500) }),
    last_frame_at: last === null ? null : iso(last),
    fps: camera.fps(),
  };
}

export function summaryBody(camera: CameraPipeline, now: number): Body<'camera_summary'> {
  const c = camera.slots.counts();
  const last = camera.lastFrameTime;
  return {
    camera_id: camera.id,
    ...c,
    observed_at: iso(last ?? now),
    stream: streamBody(camera),
    calibration_version: camera.calibrationVersion,
  };
}
