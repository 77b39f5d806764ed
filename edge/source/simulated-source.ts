import type { Logger } from '../log.ts';
import { layoutLot, type LotLayout } from '../simulator/lot.ts';
import { LotOccupancy } from '../simulator/occupancy.ts';
import { LotRenderer } from '../simulator/render.ts';
import { FramePool } from './frame-pool.ts';
import { newCounters, type FrameSource, type SourceListener, type SourceStatus } from './types.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

export interface SimulatedSourceOptions {
  slots: number;
  perRow: number;
  seed: number;
  meanStayS: number;
  meanGapS: number;
  width: number;
  height: number;
  sampleRateFps: number;
  listener: SourceListener;
  log: Logger;
  /** Milliseconds since the epoch; injectable so tests control simulated time. */
  now?: () => number;
}

/**
 * A camera looking at a rendered car park. The frames go through the same pipeline as a real
 * camera's (warp, model, smoothing, MQTT); only the pixels are made up, because no real footage may
 * ship with Volno. Also the load generator: N of these sources size a deployment.
 */
export class SimulatedSource implements FrameSource {
  readonly counters = newCounters();
  status: SourceStatus = 'starting';
  readonly frameSize: { width: number; height: number };
  readonly layout: LotLayout;
  readonly occupancy: LotOccupancy;
  private readonly renderer: LotRenderer;
  private readonly pool: FramePool;
  private readonly startedAt: number;
  private timer: PeriodicTimer | undefined;

  constructor(private readonly opts: SimulatedSourceOptions) {
    this.frameSize = { width: opts.width, height: opts.height };
    this.layout = layoutLot(opts.slots, opts.perRow, opts.width, opts.height);
    this.occupancy = new LotOccupancy(opts.slots, {
      seed: opts.seed,
      meanStaySeconds: opts.meanStayS,
      meanGapSeconds: opts.meanGapS,
    });
    this.renderer = new LotRenderer(this.layout);
    this.pool = new FramePool(opts.width, opts.height);
    this.startedAt = this.now();
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = new PeriodicTimer(() => this.tick(), {
      everyMs: 1000 / this.opts.sampleRateFps,
      name: 'simulated frame',
      log: this.opts.log,
      immediate: true,
      keepAlive: true,
    });
    this.timer.start();
  }

  async stop(): Promise<void> {
    this.timer?.stop();
    this.timer = undefined;
  }

  /** Renders the lot as it is now and hands the frame to the listener. */
  tick(): void {
    const now = this.now();
    this.occupancy.advanceTo((now - this.startedAt) / 1000);
    const frame = this.pool.acquire();
    if (!frame) {
      this.counters.droppedTotal++;
      return;
    }
    try {
      // The light drifts slowly, as clouds pass, so consecutive frames are never identical.
      const light = 0.95 + 0.05 * Math.sin((now - this.startedAt) / 60_000);
      this.renderer.render(this.occupancy, frame.data, light);
      this.counters.framesTotal++;
      frame.index = this.counters.framesTotal;
      frame.capturedAt = now;
      if (this.status !== 'ok') this.setStatus('ok');
      try {
        this.opts.listener.onFrame(frame);
      } catch (err) {
        this.opts.log.error({ err }, 'frame listener threw');
      }
    } finally {
      frame.release();
    }
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private setStatus(status: SourceStatus): void {
    this.status = status;
    try {
      this.opts.listener.onStatus(status, undefined);
    } catch (err) {
      this.opts.log.error({ err }, 'status listener threw');
    }
  }
}
