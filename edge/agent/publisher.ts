import type { CameraPipeline } from '../camera/camera-pipeline.ts';
import type { EdgeConfig } from '../config/schema.ts';
import type { MqttLink } from '../mqtt/link.ts';
import { slotStateBody, streamBody, summaryBody } from './payloads.ts';
import { ProcessLoad } from './process-load.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

/**
 * Turns pipeline events and clocks into messages: slot states on change, summaries on change, a full
 * refresh every `refresh_s` (so a consumer that lost a retained message heals), heartbeats with the
 * agent's own load, statistics, and periodic state-file saves.
 */
export class Publisher {
  private readonly timers: PeriodicTimer[] = [];
  private readonly load = new ProcessLoad();
  private readonly startedAt: number;
  private dirty = false;
  private lastStats: { at: number; frames: Map<string, number> } | null = null;

  constructor(
    private readonly link: MqttLink,
    private readonly config: EdgeConfig,
    private readonly cameras: ReadonlyMap<string, CameraPipeline>,
    private readonly version: string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  start(saveState: () => Promise<void>): void {
    const i = this.config.intervals;
    const every = (s: number, name: string, fn: () => unknown) => {
      // The agent's own timers keep it alive, as the plain intervals did.
      const t = new PeriodicTimer(fn, { everyMs: s * 1000, name, keepAlive: true });
      t.start();
      this.timers.push(t);
    };
    every(i.heartbeat_s, 'heartbeat', () => this.heartbeat());
    every(i.stats_s, 'stats', () => this.stats());
    every(i.refresh_s, 'refresh', () => this.refreshAll());
    every(i.state_save_s, 'state save', () => {
      if (!this.dirty) return undefined;
      this.dirty = false;
      // Returned, so a failed save is logged by the timer and a slow one is not started twice.
      return saveState();
    });
    this.heartbeat();
  }

  stop(): void {
    for (const t of this.timers) t.stop();
    this.timers.length = 0;
  }

  slots(camera: CameraPipeline, ids: readonly string[]): void {
    this.dirty = true;
    for (const id of ids) {
      const report = camera.slots.report(id);
      if (report) this.link.publish('slot_state', { camera: camera.id, slot: id }, slotStateBody(camera, id, report));
    }
  }

  summary(camera: CameraPipeline): void {
    this.link.publish('camera_summary', { camera: camera.id }, summaryBody(camera, this.now()));
  }

  /** Every slot state and summary, as they are now. */
  refreshAll(): void {
    for (const camera of this.cameras.values()) {
      for (const { slotId, report } of camera.slots.reports()) {
        this.link.publish('slot_state', { camera: camera.id, slot: slotId }, slotStateBody(camera, slotId, report));
      }
      this.summary(camera);
    }
  }

  heartbeat(): void {
    this.link.publish(
      'heartbeat',
      { agent: this.config.agent_id },
      {
        uptime_s: Math.round((this.now() - this.startedAt) / 100) / 10,
        interval_s: this.config.intervals.heartbeat_s,
        version: this.version,
        process: this.load.read(),
        cameras: [...this.cameras.values()].map((c) => ({ camera_id: c.id, stream: streamBody(c) })),
      },
    );
  }

  stats(): void {
    const now = this.now();
    const prev = this.lastStats ?? { at: this.startedAt, frames: new Map<string, number>() };
    const windowS = Math.max(0.001, (now - prev.at) / 1000);
    this.lastStats = { at: now, frames: new Map([...this.cameras.values()].map((c) => [c.id, c.framesJudged])) };
    this.link.publish(
      'stats',
      { agent: this.config.agent_id },
      {
        window_s: Math.round(windowS * 1000) / 1000,
        mqtt_queue_depth: this.link.queueDepth,
        cameras: [...this.cameras.values()].map((c) => ({
          camera_id: c.id,
          frames_per_s: Math.round(((c.framesJudged - (prev.frames.get(c.id) ?? 0)) / windowS) * 100) / 100,
          inference_ms_p50: c.inferenceMs.percentile(50),
          inference_ms_p95: c.inferenceMs.percentile(95),
          frames_total: c.framesJudged,
          dropped_frames_total: c.droppedTotal,
          reconnects_total: c.sourceCounters.reconnectsTotal,
          head: c.head.inUse,
        })),
      },
    );
  }
}
