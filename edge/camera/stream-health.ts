import type { STREAM_STATUSES } from '../../protocol/index.ts';
import type { QualityVerdict } from '../quality/quality-monitor.ts';
import type { ShiftVerdict } from '../shift/shift-monitor.ts';
import type { SourceStatus } from '../source/types.ts';

export type StreamStatus = (typeof STREAM_STATUSES)[number];

export interface StreamInputs {
  source: SourceStatus;
  sourceDetail: string | undefined;
  now: number;
  lastFrameAt: number | null;
  ttlMs: number;
  quality: QualityVerdict;
  shift: ShiftVerdict;
  hasCalibration: boolean;
  calibrationFits: boolean;
}

/**
 * One camera's stream status for the summary and heartbeat. Order matters: a stream that delivers
 * nothing cannot be judged moved or dark, and a moved camera is reported as moved even if its frames
 * are otherwise fine.
 */
export function streamHealth(i: StreamInputs): { status: StreamStatus; detail?: string } {
  if (i.source === 'down') return { status: 'down', detail: i.sourceDetail ?? 'source cannot be opened' };
  if (i.source === 'stalled') return { status: 'stalled', detail: i.sourceDetail ?? 'no frames; reconnecting' };
  if (i.source === 'starting' || i.lastFrameAt === null)
    return { status: 'starting', detail: i.sourceDetail ?? 'waiting for the first frame' };
  const age = i.now - i.lastFrameAt;
  if (age > i.ttlMs) return { status: 'stalled', detail: `no frame for more than ${Math.round(i.ttlMs / 1000)} s` };
  if (!i.hasCalibration) return { status: 'ok', detail: 'no calibration yet' };
  if (!i.calibrationFits) return { status: 'unusable', detail: 'the calibration was drawn for another picture shape' };
  if (i.shift.moved) return { status: 'camera_moved', detail: i.shift.detail ?? 'view shifted' };
  if (!i.quality.usable)
    return { status: 'unusable', detail: i.quality.detail ?? i.quality.problem ?? 'unusable picture' };
  return { status: 'ok' };
}
