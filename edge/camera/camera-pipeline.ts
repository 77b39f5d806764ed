import type { Polygon } from '../../protocol/index.ts';
import { prepareCalibration, type PreparedCalibration } from '../calibration/prepare.ts';
import type { CameraConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { CameraSlots } from '../occupancy/camera-slots.ts';
import type { UnknownReason } from '../occupancy/slot-tracker.ts';
import type { CameraState } from '../occupancy/state-store.ts';
import type { QualityMonitor } from '../quality/quality-monitor.ts';
import type { ShiftMonitor } from '../shift/shift-monitor.ts';
import type { PooledFrame } from '../source/frame-pool.ts';
import type { FrameSource, SourceListener, SourceStatus } from '../source/types.ts';
import type { LinearHead } from '../vision/head.ts';
import type { OccupancyModel } from '../vision/types.ts';
import { ActiveCalibration } from './active-calibration.ts';
import { CameraHead } from './camera-head.ts';
import { CameraFiles } from './camera-files.ts';
import { snapshotOf, type SnapshotResult } from './camera-snapshot.ts';
import { FrameAnalysis } from './frame-analysis.ts';
import { qualityMonitorFor, shiftMonitorFor } from './monitors.ts';
import { planCalibration } from './calibration-plan.ts';
import { FrameLoop } from './frame-loop.ts';
import { DurationSample, RateMeter } from './meters.ts';
import { ReferenceView } from './reference-view.ts';
import { streamHealth, type StreamStatus } from './stream-health.ts';
import { summaryKey } from './summary-key.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

export interface CameraEvents {
  /** Slots whose published state changed (in calibration order). */
  slotsChanged(camera: CameraPipeline, slotIds: string[]): void;
  /** Counts, stream status or calibration version changed. */
  summaryChanged(camera: CameraPipeline): void;
}

export interface CameraPipelineOptions {
  camera: CameraConfig;
  model: OccupancyModel;
  /** The model's generic linear head, when it has features a per-camera head can be tuned on. */
  genericHead?: LinearHead | null;
  continuityMs: number;
  stateDir: string;
  log: Logger;
  events: CameraEvents;
  createSource(listener: SourceListener): FrameSource;
  /** The camera's part of the state file, for `since` across restarts. */
  restored?: CameraState;
  now?: () => number;
}

export type CalibrationOutcome =
  | { result: 'applied'; version: number }
  | { result: 'rejected'; version: number; reason: string }
  | { result: 'unchanged'; version: number };

/**
 * One camera, end to end: frames → quality → shift → model → hysteresis → events. Frames are processed
 * one at a time; while the model runs only the newest frame waits (older ones are dropped and counted).
 */
export class CameraPipeline {
  readonly id: string;
  readonly slots: CameraSlots;
  private readonly source: FrameSource;
  private readonly frames: FrameLoop;
  private readonly quality: QualityMonitor;
  private readonly shift: ShiftMonitor;
  private readonly reference: ReferenceView;
  readonly files: CameraFiles;
  /** Generic or tuned head (issue 12). */
  readonly head: CameraHead;
  private readonly calibration = new ActiveCalibration();
  private readonly analysis: FrameAnalysis;
  private restored: CameraState | undefined;
  private lastFrameAt: number | null = null;
  private judgedAt: number | null = null;
  private sourceDetail: string | undefined;
  private ttlTimer: PeriodicTimer | undefined;
  private startedAt = 0;
  private lastSummaryKey = '';
  private readonly rate = new RateMeter();
  readonly inferenceMs = new DurationSample();
  /** Frames analysed to a verdict since start. */
  framesJudged = 0;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: CameraPipelineOptions) {
    this.id = opts.camera.id;
    this.now = opts.now ?? Date.now;
    this.restored = opts.restored;
    this.slots = new CameraSlots(opts.continuityMs);
    this.quality = qualityMonitorFor(opts.camera);
    this.shift = shiftMonitorFor(opts.camera);
    this.files = new CameraFiles(opts.stateDir, this.id);
    this.head = new CameraHead(opts.model, opts.genericHead ?? null, opts.log);
    this.reference = new ReferenceView(this.files, this.shift, this.quality, opts.log);
    this.analysis = new FrameAnalysis({
      camera: opts.camera,
      calibration: this.calibration,
      quality: this.quality,
      shift: this.shift,
      reference: this.reference,
      head: this.head,
      inferenceMs: this.inferenceMs,
      log: opts.log,
    });
    this.frames = new FrameLoop(
      (frame) => this.process(frame),
      () => this.publishSummaryIfChanged(),
      opts.log,
    );
    this.source = opts.createSource({
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status, detail) => this.onSourceStatus(status, detail),
    });
  }

  get model(): OccupancyModel {
    return this.opts.model;
  }

  get calibrationVersion(): number {
    return this.calibration.version;
  }

  get privacyMasks(): readonly Polygon[] {
    return this.calibration.privacyMasks;
  }

  get sourceCounters() {
    return this.source.counters;
  }

  get droppedTotal(): number {
    return this.source.counters.droppedTotal + this.source.counters.corruptTotal + this.frames.dropped;
  }

  get lastFrameTime(): number | null {
    return this.lastFrameAt;
  }

  fps(): number {
    return this.rate.rate(this.now());
  }

  async start(): Promise<void> {
    this.startedAt = this.now();
    const tick = Math.min(1000, (this.opts.camera.frame_ttl_s * 1000) / 4);
    this.ttlTimer = new PeriodicTimer(() => this.checkTtl(), {
      everyMs: tick,
      name: 'frame ttl check',
      log: this.opts.log,
      keepAlive: true,
    });
    this.ttlTimer.start();
    await this.source.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.frames.halt();
    this.ttlTimer?.stop();
    await this.source.stop();
    await this.frames.drained();
  }

  health(): { status: StreamStatus; detail?: string } {
    return streamHealth({
      source: this.source.status,
      sourceDetail: this.sourceDetail,
      now: this.now(),
      lastFrameAt: this.lastFrameAt,
      ttlMs: this.opts.camera.frame_ttl_s * 1000,
      quality: this.quality.current,
      shift: this.shift.current,
      hasCalibration: this.calibration.current !== null,
      calibrationFits: this.calibration.fits,
    });
  }

  /** Validates and installs a calibration; the running one stays in force when it is rejected. */
  async applyCalibration(raw: Buffer | string, origin: 'file' | 'topic' | 'cache'): Promise<CalibrationOutcome> {
    const prepared = await prepareCalibration(raw, this.id, this.source.frameSize);
    if (!prepared.ok) {
      this.opts.log.warn(
        { origin, version: prepared.version, reason: prepared.reason },
        'calibration rejected; keeping the current one',
      );
      return { result: 'rejected', version: prepared.version, reason: prepared.reason };
    }
    const next = prepared.value.payload;
    if (this.calibration.isInForce(next)) return { result: 'unchanged', version: next.version };
    await this.install(prepared.value);
    if (origin === 'topic') {
      const text = typeof raw === 'string' ? raw : raw.toString('utf8');
      this.files
        .saveCalibration(text)
        .catch((err: unknown) => this.opts.log.warn({ err }, 'could not cache the calibration'));
    }
    this.opts.log.info(
      { origin, version: next.version, slots: next.slots.length, reference: this.reference.origin },
      'calibration applied',
    );
    return { result: 'applied', version: next.version };
  }

  /** A JPEG of the newest frame with privacy masks applied, or why there is none. */
  async snapshot(maxWidth?: number): Promise<SnapshotResult> {
    const frame = this.frames.latest;
    const ttl = this.opts.camera.frame_ttl_s * 1000;
    if (!frame || this.now() - frame.capturedAt > ttl) {
      const h = this.health();
      return { ok: false, error: `no recent frame (stream ${h.status}${h.detail ? `: ${h.detail}` : ''})` };
    }
    return snapshotOf(frame, this.calibration, this.head, this.opts.log, maxWidth);
  }

  private async install(prepared: PreparedCalibration): Promise<void> {
    const p = prepared.payload;
    const plan = planCalibration(this.calibration.current?.payload, p, this.opts.camera.delays, this.restored);
    this.restored = undefined; // continuity from the state file is offered to the first calibration only
    await this.reference.reset(p, prepared.reference);
    this.calibration.install(prepared, this.source.frameSize);
    this.head.configure(p);
    this.analysis.calibrationChanged();
    const fresh = this.slots.configure(plan.defs, this.now(), plan.keep, plan.restored);
    if (fresh.length > 0) this.opts.events.slotsChanged(this, fresh);
    this.publishSummaryIfChanged(true);
  }

  private onSourceStatus(status: SourceStatus, detail: string | undefined): void {
    this.sourceDetail = detail;
    this.opts.log.info({ status, detail }, 'stream status');
    this.publishSummaryIfChanged();
  }

  private onFrame(frame: PooledFrame): void {
    if (this.stopped) return;
    this.lastFrameAt = frame.capturedAt;
    this.frames.offer(frame);
  }

  private async process(frame: PooledFrame): Promise<void> {
    const t = frame.capturedAt;
    const screened = this.analysis.screen(frame);
    if (screened.kind === 'unknown') return this.judgeAll(t, screened.reason);
    if (screened.kind === 'uncalibrated') return;
    const slotIds = screened.calibration.payload.slots.map((s) => s.slot_id);
    const probabilities = await this.analysis.infer(frame, screened.polygons, slotIds);
    if (!probabilities) return;
    if (this.calibration.current !== screened.calibration || this.stopped) return; // a new calibration arrived meanwhile
    this.judged(t);
    const changed = this.slots.observe(t, probabilities, this.opts.model.threshold, this.opts.model.uncertain);
    if (changed.length > 0) this.opts.events.slotsChanged(this, changed);
  }

  private judged(t: number): void {
    this.judgedAt = t;
    this.framesJudged++;
    this.rate.mark(t);
  }

  private judgeAll(t: number, reason: UnknownReason): void {
    this.judged(t);
    const changed = this.slots.markAll(t, reason);
    if (changed.length > 0) this.opts.events.slotsChanged(this, changed);
  }

  /** No verdict for longer than the TTL: the camera cannot see, so no slot may claim a state. */
  private checkTtl(): void {
    const now = this.now();
    const last = this.judgedAt ?? this.startedAt;
    if (now - last > this.opts.camera.frame_ttl_s * 1000) {
      const reason: UnknownReason = this.source.status === 'ok' ? 'stale_frame' : 'stream_down';
      const changed = this.slots.markAll(now, reason);
      if (changed.length > 0) this.opts.events.slotsChanged(this, changed);
    }
    this.publishSummaryIfChanged();
  }

  /** Emits `summaryChanged` when what a summary says (apart from times and fps) changed. */
  publishSummaryIfChanged(force = false): void {
    const key = summaryKey(this.health(), this.slots.counts(), this.sourceDetail, this.calibrationVersion);
    if (!force && key === this.lastSummaryKey) return;
    this.lastSummaryKey = key;
    this.opts.events.summaryChanged(this);
  }
}
