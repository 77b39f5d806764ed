import type { CameraConfig } from '../config/schema.ts';
import { QualityMonitor } from '../quality/quality-monitor.ts';
import { ShiftMonitor } from '../shift/shift-monitor.ts';

/** The frame-quality checks a camera's config asks for (config is snake_case seconds, code is ms). */
export function qualityMonitorFor(camera: CameraConfig): QualityMonitor {
  const q = camera.quality;
  return new QualityMonitor({
    darkLuma: q.dark_luma,
    coveredStddev: q.covered_stddev,
    blurRatio: q.blur_ratio,
    blurMinEdge: q.blur_min_edge,
    frozenMs: q.frozen_s * 1000,
    confirmFrames: q.confirm_frames,
  });
}

/** The camera-shift check a camera's config asks for. */
export function shiftMonitorFor(camera: CameraConfig): ShiftMonitor {
  const s = camera.shift;
  return new ShiftMonitor({
    tolerance: s.tolerance,
    minCorrelation: s.min_correlation,
    confirmChecks: s.confirm_checks,
  });
}
