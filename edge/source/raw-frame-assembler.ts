import type { FramePool, PooledFrame } from './frame-pool.ts';

export interface AssemblerCounters {
  /** Frames completed and handed on. */
  frames: number;
  /** Frames whose bytes were skipped because every pool frame was held (pipeline busy). */
  dropped: number;
  /** Partial frames discarded at the end of a stream. */
  corrupt: number;
}

/**
 * Cuts ffmpeg's `-f rawvideo -pix_fmt rgb24` byte stream into frames, copying each chunk straight into
 * a pooled buffer: no per-chunk allocation, whatever the chunk boundaries. A chunk may end mid-frame
 * or carry the end of one frame and the start of the next.
 */
export class RawFrameAssembler {
  readonly counters: AssemblerCounters = { frames: 0, dropped: 0, corrupt: 0 };
  private current: PooledFrame | null = null;
  /** Bytes of the current frame received so far (also while skipping one). */
  private filled = 0;
  private skipping = false;

  constructor(
    private readonly pool: FramePool,
    /** Called with the writer's reference; the callee must not release it, the assembler does after. */
    private readonly onFrame: (frame: PooledFrame) => void,
  ) {}

  push(chunk: Uint8Array): void {
    const size = this.pool.frameBytes;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.filled === 0) this.begin();
      const take = Math.min(size - this.filled, chunk.length - offset);
      if (!this.skipping) this.current!.data.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === size) this.complete();
    }
  }

  /** Ends the stream: a partial frame is corrupt. Returns true when one was discarded. */
  finish(): boolean {
    const partial = this.filled > 0;
    if (partial) this.counters.corrupt++;
    this.current?.release();
    this.current = null;
    this.filled = 0;
    this.skipping = false;
    return partial;
  }

  private begin(): void {
    this.current = this.pool.acquire();
    this.skipping = this.current === null;
  }

  private complete(): void {
    const frame = this.current;
    this.current = null;
    this.filled = 0;
    if (this.skipping || frame === null) {
      this.counters.dropped++;
      this.skipping = false;
      return;
    }
    this.counters.frames++;
    try {
      this.onFrame(frame);
    } finally {
      frame.release();
    }
  }
}
