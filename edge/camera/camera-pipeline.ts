import type { CalibrationPayload, Polygon, SnapshotClassified } from '../../protocol/index.ts';
import { fitsFrame, prepareCalibration, toPixels, type PreparedCalibration } from '../calibration/prepare.ts';
import type { CameraConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { CameraSlots } from '../occupancy/camera-slots.ts';
import type { UnknownReason } from '../occupancy/slot-tracker.ts';
import type { CameraState } from '../occupancy/state-store.ts';
import { LumaSampler } from '../quality/luma.ts';
import type { QualityMonitor } from '../quality/quality-monitor.ts';
import type { ShiftMonitor } from '../shift/shift-monitor.ts';
import { encodeSnapshot, type EncodedSnapshot } from '../snapshot/encode.ts';
import type { PooledFrame } from '../source/frame-pool.ts';
import type { FrameSource, SourceListener, SourceStatus } from '../source/types.ts';
import type { LinearHead } from '../vision/head.ts';
import type { OccupancyModel, PixelPolygon } from '../vision/types.ts';
import { CameraHead } from './camera-head.ts';
import { CameraFiles } from './camera-files.ts';
import { qualityMonitorFor, shiftMonitorFor } from './monitors.ts';
import { planCalibration } from './calibration-plan.ts';
import { FrameHolder } from './frame-holder.ts';
import { DurationSample, RateMeter } from './meters.ts';
import { ReferenceView } from './reference-view.ts';
import { streamHealth, type StreamStatus } from './stream-health.ts';
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
  private readonly holder = new FrameHolder();
  private readonly sampler = new LumaSampler();
  private readonly quality: QualityMonitor;
  private readonly shift: ShiftMonitor;
  private readonly reference: ReferenceView;
  readonly files: CameraFiles;
  /** Generic or tuned head (issue 12). */
  readonly head: CameraHead;
  private calibration: PreparedCalibration | null = null;
  private polygons: { width: number; height: number; list: PixelPolygon[] } | null = null;
  private restored: CameraState | undefined;
  private lastFrameAt: number | null = null;
  private judgedAt: number | null = null;
  private lastShiftCheck = -Infinity;
  private fits = true;
  private sourceDetail: string | undefined;
  private ttlTimer: PeriodicTimer | undefined;
  private startedAt = 0;
  private lastSummaryKey = '';
  private inferenceErrors = 0;
  private readonly rate = new RateMeter();
  readonly inferenceMs = new DurationSample();
  /** Frames analysed to a verdict since start. */
  framesJudged = 0;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();
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
    this.source = opts.createSource({
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status, detail) => this.onSourceStatus(status, detail),
    });
  }

  get model(): OccupancyModel {
    return this.opts.model;
  }

  get calibrationVersion(): number {
    return this.calibration?.payload.version ?? 0;
  }

  get privacyMasks(): readonly Polygon[] {
    return (this.calibration?.payload.privacy_masks ?? []) as unknown as Polygon[];
  }

  get sourceCounters() {
    return this.source.counters;
  }

  get droppedTotal(): number {
    return this.source.counters.droppedTotal + this.source.counters.corruptTotal + this.holder.dropped;
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
    this.ttlTimer?.stop();
    await this.source.stop();
    await this.idle;
    this.holder.clear();
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
      hasCalibration: this.calibration !== null,
      calibrationFits: this.fits,
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
    const cur = this.calibration?.payload;
    if (cur && cur.version === next.version && sameCalibration(cur, next))
      return { result: 'unchanged', version: next.version };
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
  async snapshot(
    maxWidth?: number,
  ): Promise<
    ({ ok: true; capturedAt: number; classified?: SnapshotClassified } & EncodedSnapshot) | { ok: false; error: string }
  > {
    const frame = this.holder.latest;
    const ttl = this.opts.camera.frame_ttl_s * 1000;
    if (!frame || this.now() - frame.capturedAt > ttl) {
      const h = this.health();
      return { ok: false, error: `no recent frame (stream ${h.status}${h.detail ? `: ${h.detail}` : ''})` };
    }
    frame.retain();
    try {
      const capturedAt = frame.capturedAt;
      const encoded = await encodeSnapshot(frame, this.privacyMasks, maxWidth);
      const classified = await this.classifySnapshot(frame);
      return { ok: true, capturedAt, ...encoded, ...(classified && { classified }) };
    } finally {
      frame.release();
    }
  }

  /** The model's verdict and features on the snapshot's own frame, for staff labelling; never fatal. */
  private async classifySnapshot(frame: PooledFrame): Promise<SnapshotClassified | null> {
    const cal = this.calibration;
    if (!cal || !this.head.featuresAvailable || cal.payload.slots.length === 0 || !fitsFrame(cal.payload, frame))
      return null;
    try {
      const polygons = this.pixelPolygons(cal.payload, frame.width, frame.height);
      const ids = cal.payload.slots.map((s) => s.slot_id);
      return await this.head.classified(frame, polygons, ids, cal.payload.version);
    } catch (err) {
      this.opts.log.warn({ err }, 'could not classify the snapshot; sending it without features');
      return null;
    }
  }

  private async install(prepared: PreparedCalibration): Promise<void> {
    const p = prepared.payload;
    const plan = planCalibration(this.calibration?.payload, p, this.opts.camera.delays, this.restored);
    this.restored = undefined; // continuity from the state file is offered to the first calibration only
    await this.reference.reset(p, prepared.reference);
    this.calibration = prepared;
    this.head.configure(p);
    this.polygons = null;
    this.lastShiftCheck = -Infinity;
    this.fits = this.source.frameSize ? fitsFrame(p, this.source.frameSize) : true;
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
    this.holder.keepLatest(frame);
    const now = this.holder.offer(frame);
    if (now) this.idle = this.drain(now);
  }

  private async drain(first: PooledFrame): Promise<void> {
    let frame: PooledFrame | null = first;
    while (frame) {
      try {
        await this.process(frame);
      } catch (err) {
        this.opts.log.error({ err }, 'processing a frame failed');
      }
      this.publishSummaryIfChanged();
      frame = this.holder.done(frame);
      if (this.stopped && frame) {
        this.holder.done(frame); // stopping: release what waits instead of judging it
        frame = null;
      }
    }
  }

  private async process(frame: PooledFrame): Promise<void> {
    const t = frame.capturedAt;
    const grid = this.sampler.sample(frame);
    this.reference.prepare(grid);
    const verdict = this.quality.check(grid, t);
    if (!verdict.usable) return this.judgeAll(t, verdict.problem ?? 'covered');
    const cal = this.calibration;
    if (!cal) return;
    this.fits = fitsFrame(cal.payload, frame);
    if (!this.fits) return this.judgeAll(t, 'no_calibration');
    this.reference.captureIfNeeded(grid);
    if (this.opts.camera.shift.enabled && t - this.lastShiftCheck >= this.opts.camera.shift.interval_s * 1000) {
      this.lastShiftCheck = t;
      this.shift.check(grid);
    }
    if (this.shift.current.moved) {
      this.head.viewMoved();
      return this.judgeAll(t, 'camera_moved');
    }
    const polygons = this.pixelPolygons(cal.payload, frame.width, frame.height);
    const started = performance.now();
    let probabilities: Float32Array;
    try {
      probabilities = await this.head.classify(frame, polygons);
    } catch (err) {
      // Logged every time at first, then every 100th: a broken model must not flood the journal.
      if (this.inferenceErrors++ % 100 === 0)
        this.opts.log.error({ err, failures: this.inferenceErrors }, 'inference failed');
      return;
    }
    this.inferenceMs.add(performance.now() - started);
    if (this.calibration !== cal || this.stopped) return; // a new calibration arrived meanwhile
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

  private pixelPolygons(cal: CalibrationPayload, width: number, height: number): PixelPolygon[] {
    if (!this.polygons || this.polygons.width !== width || this.polygons.height !== height) {
      this.polygons = {
        width,
        height,
        list: cal.slots.map((s) => toPixels(s.polygon as unknown as Polygon, width, height)),
      };
    }
    return this.polygons.list;
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
    const h = this.health();
    const c = this.slots.counts();
    // Details carry live numbers (luma, seconds); keying on them would publish a summary per frame.
    const sourceSide = h.status === 'down' || h.status === 'stalled' ? (this.sourceDetail ?? '') : '';
    const key = `${c.free}/${c.occupied}/${c.unknown}/${c.total}|${h.status}|${sourceSide}|${this.calibrationVersion}`;
    if (!force && key === this.lastSummaryKey) return;
    this.lastSummaryKey = key;
    this.opts.events.summaryChanged(this);
  }
}

function sameCalibration(a: CalibrationPayload, b: CalibrationPayload): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
