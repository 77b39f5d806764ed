// A frame source driven by the test: frames and status changes happen when the test says so.
import { FramePool } from '../../../edge/source/frame-pool.ts';
import { newCounters, type FrameSource, type SourceListener, type SourceStatus } from '../../../edge/source/types.ts';
import type { RgbFrame } from '../../../edge/vision/types.ts';

export class ScriptedSource implements FrameSource {
  readonly counters = newCounters();
  status: SourceStatus = 'starting';
  frameSize: { width: number; height: number } | null = null;
  starts = 0;
  private pool: FramePool | undefined;

  constructor(private readonly listener: SourceListener) {}

  async start(): Promise<void> {
    this.starts++;
  }

  async stop(): Promise<void> {}

  setStatus(status: SourceStatus, detail?: string): void {
    this.status = status;
    this.listener.onStatus(status, detail);
  }

  /** Delivers a copy of `frame` captured at `at`, like a real source (pooled, reused buffers). */
  emit(frame: RgbFrame, at: number): void {
    if (this.status !== 'ok') this.setStatus('ok');
    this.frameSize = { width: frame.width, height: frame.height };
    this.pool ??= new FramePool(frame.width, frame.height);
    const f = this.pool.acquire();
    if (!f) {
      this.counters.droppedTotal++;
      return;
    }
    f.data.set(frame.data);
    f.capturedAt = at;
    f.index = ++this.counters.framesTotal;
    try {
      this.listener.onFrame(f);
    } finally {
      f.release();
    }
  }
}
