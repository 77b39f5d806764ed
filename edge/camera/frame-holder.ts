import type { PooledFrame } from '../source/frame-pool.ts';

/**
 * The pipeline's hold on frames: one being processed, at most one waiting (always the newest; an
 * older waiting frame is dropped and counted), and the last one seen, kept for snapshots. Frames are
 * retained here and released when replaced, so the source never writes into a frame still in use.
 */
export class FrameHolder {
  private pending: PooledFrame | null = null;
  private latestFrame: PooledFrame | null = null;
  busy = false;
  /** Frames that waited and were replaced by a newer one before the pipeline got to them. */
  dropped = 0;

  get latest(): PooledFrame | null {
    return this.latestFrame;
  }

  /** Keeps `frame` as the latest (for snapshots). */
  keepLatest(frame: PooledFrame): void {
    frame.retain();
    this.latestFrame?.release();
    this.latestFrame = frame;
  }

  /** Offers a frame; returns it (retained) when the pipeline is idle and should process it now. */
  offer(frame: PooledFrame): PooledFrame | null {
    if (!this.busy) {
      this.busy = true;
      return frame.retain();
    }
    if (this.pending) {
      this.pending.release();
      this.dropped++;
    }
    this.pending = frame.retain();
    return null;
  }

  /** Called when processing of a frame ended; returns the next frame to process, if any. */
  done(frame: PooledFrame): PooledFrame | null {
    frame.release();
    const next = this.pending;
    this.pending = null;
    this.busy = next !== null;
    return next;
  }

  clear(): void {
    this.pending?.release();
    this.pending = null;
    this.latestFrame?.release();
    this.latestFrame = null;
  }
}
