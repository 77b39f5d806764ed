import type { PreparedCalibration } from '../calibration/prepare.ts';
import type { CameraConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { UnknownReason } from '../occupancy/slot-tracker.ts';
import { LumaSampler } from '../quality/luma.ts';
import type { QualityMonitor } from '../quality/quality-monitor.ts';
import type { ShiftMonitor } from '../shift/shift-monitor.ts';
import type { PooledFrame } from '../source/frame-pool.ts';
import type { PixelPolygon } from '../vision/types.ts';
import type { ActiveCalibration } from './active-calibration.ts';
import type { CameraHead } from './camera-head.ts';
import type { DurationSample } from './meters.ts';
import type { ReferenceView } from './reference-view.ts';

/** What the checks before the model say about a frame. */
export type Screened =
  /** The picture cannot be judged (quality, shape, camera moved): every slot is unknown, for this reason. */
  | { kind: 'unknown'; reason: UnknownReason }
  /** No calibration yet: nothing to judge. */
  | { kind: 'uncalibrated' }
  /** The model may judge the frame: these polygons, drawn by this calibration. */
  | { kind: 'classify'; calibration: PreparedCalibration; polygons: PixelPolygon[] };

export interface FrameAnalysisOptions {
  camera: CameraConfig;
  calibration: ActiveCalibration;
  quality: QualityMonitor;
  shift: ShiftMonitor;
  reference: ReferenceView;
  head: CameraHead;
  /** Where the model's run times are recorded. */
  inferenceMs: DurationSample;
  log: Logger;
}

/**
 * One frame's way to a verdict: quality → calibration fit → reference capture → shift check
 * (`screen`, synchronous), then the model (`infer`).
 */
export class FrameAnalysis {
  private readonly sampler = new LumaSampler();
  private lastShiftCheck = -Infinity;
  private inferenceErrors = 0;

  constructor(private readonly opts: FrameAnalysisOptions) {}

  /** A new calibration is in force: check the shift on the next usable frame. */
  calibrationChanged(): void {
    this.lastShiftCheck = -Infinity;
  }

  /** The checks before the model; synchronous, so an unusable frame marks its slots in the turn it arrived. */
  screen(frame: PooledFrame): Screened {
    const { camera, calibration, quality, shift, reference, head } = this.opts;
    const t = frame.capturedAt;
    const grid = this.sampler.sample(frame);
    reference.prepare(grid);
    const verdict = quality.check(grid, t);
    if (!verdict.usable) return { kind: 'unknown', reason: verdict.problem ?? 'covered' };
    const cal = calibration.current;
    if (!cal) return { kind: 'uncalibrated' };
    if (!calibration.checkFits(cal.payload, frame)) return { kind: 'unknown', reason: 'no_calibration' };
    reference.captureIfNeeded(grid);
    if (camera.shift.enabled && t - this.lastShiftCheck >= camera.shift.interval_s * 1000) {
      this.lastShiftCheck = t;
      shift.check(grid);
    }
    if (shift.current.moved) {
      head.viewMoved();
      return { kind: 'unknown', reason: 'camera_moved' };
    }
    return {
      kind: 'classify',
      calibration: cal,
      polygons: calibration.pixelPolygons(cal.payload, frame.width, frame.height),
    };
  }

  /** P(occupied) per polygon, or null when the model failed (logged). */
  async infer(frame: PooledFrame, polygons: PixelPolygon[], slotIds: readonly string[]): Promise<Float32Array | null> {
    const started = performance.now();
    let probabilities: Float32Array;
    try {
      probabilities = await this.opts.head.classify(frame, polygons, slotIds);
    } catch (err) {
      // Logged every time at first, then every 100th: a broken model must not flood the journal.
      if (this.inferenceErrors++ % 100 === 0)
        this.opts.log.error({ err, failures: this.inferenceErrors }, 'inference failed');
      return null;
    }
    this.opts.inferenceMs.add(performance.now() - started);
    return probabilities;
  }
}
