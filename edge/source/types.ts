import type { PooledFrame } from './frame-pool.ts';

/** Mirrors the wire's stream status for what a source itself can know. */
export type SourceStatus = 'starting' | 'ok' | 'stalled' | 'down';

export interface SourceCounters {
  /** Frames delivered since start. */
  framesTotal: number;
  /** Frames skipped because every pooled buffer was still held (pipeline busy). */
  droppedTotal: number;
  /** Frames discarded as unreadable: partial at a stream's end, undecodable images. */
  corruptTotal: number;
  /** Times the source was reopened after the first open. */
  reconnectsTotal: number;
}

export interface SourceListener {
  /**
   * A new frame. It is valid during this call only; `frame.retain()` to keep it (and `release()`
   * later). Listeners must not throw; a throw is logged and counted, never crashes the source.
   */
  onFrame(frame: PooledFrame): void;
  onStatus(status: SourceStatus, detail: string | undefined): void;
}

/** A camera or a replay: started and stopped by its owner, frames and status pushed to one listener. */
export interface FrameSource {
  readonly counters: SourceCounters;
  readonly status: SourceStatus;
  /** Frame size once known (after the first frame), for calibration checks. */
  readonly frameSize: { width: number; height: number } | null;
  start(): Promise<void>;
  /** Idempotent; resolves once every child process has exited. */
  stop(): Promise<void>;
}

export const newCounters = (): SourceCounters => ({
  framesTotal: 0,
  droppedTotal: 0,
  corruptTotal: 0,
  reconnectsTotal: 0,
});
