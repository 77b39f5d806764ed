import type { Logger } from '../log.ts';
import type { PooledFrame } from '../source/frame-pool.ts';
import { FrameHolder } from './frame-holder.ts';

/**
 * Runs `process` on one frame at a time; while it runs only the newest frame waits (older ones are
 * dropped and counted). A frame that fails is logged and the loop goes on with the next.
 */
export class FrameLoop {
  private readonly holder = new FrameHolder();
  private halted = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly process: (frame: PooledFrame) => Promise<void>,
    /** Called after every frame, processed or failed. */
    private readonly afterEach: () => void,
    private readonly log: Logger,
  ) {}

  /** The newest frame offered, kept for snapshots. */
  get latest(): PooledFrame | null {
    return this.holder.latest;
  }

  /** Frames that waited and were replaced by a newer one before they were processed. */
  get dropped(): number {
    return this.holder.dropped;
  }

  offer(frame: PooledFrame): void {
    this.holder.keepLatest(frame);
    const now = this.holder.offer(frame);
    if (now) this.idle = this.drain(now);
  }

  /** Stopping: the frame in progress finishes; a frame still waiting is released instead of processed. */
  halt(): void {
    this.halted = true;
  }

  /** Waits for the frame in progress, then lets go of every frame held. */
  async drained(): Promise<void> {
    await this.idle;
    this.holder.clear();
  }

  private async drain(first: PooledFrame): Promise<void> {
    let frame: PooledFrame | null = first;
    while (frame) {
      try {
        await this.process(frame);
      } catch (err) {
        this.log.error({ err }, 'processing a frame failed');
      }
      this.afterEach();
      frame = this.holder.done(frame);
      if (this.halted && frame) {
        this.holder.done(frame); // stopping: release what waits instead of judging it
        frame = null;
      }
    }
  }
}
