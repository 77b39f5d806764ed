import type { RgbFrame } from '../vision/types.ts';

/**
 * One preallocated RGB24 frame buffer with a reference count. A source writes into a frame only while
 * nobody holds it; every consumer that keeps a frame past the synchronous `frame` event calls
 * `retain()` and later `release()`. That is how one decoded frame is shared by the pipeline, the
 * snapshot responder and the shift detector without copying it (STACK.md: a per-chunk Buffer.concat
 * burned 4 s of CPU per 20 frames).
 */
export class PooledFrame implements RgbFrame {
  readonly data: Uint8Array;
  capturedAt = 0;
  /** Counts frames this source delivered, from 1; lets consumers tell "same frame again" apart. */
  index = 0;
  private refs = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
  }

  get inUse(): boolean {
    return this.refs > 0;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (this.refs === 0) throw new Error('PooledFrame released more often than retained');
    this.refs--;
  }
}

/** A fixed set of frames of one size. Grows never: when all are held, the newest frame is dropped. */
export class FramePool {
  private readonly frames: PooledFrame[];

  constructor(
    readonly width: number,
    readonly height: number,
    /** writer + pending + processing + last kept for snapshots, see camera pipeline */
    capacity = 4,
  ) {
    this.frames = Array.from({ length: capacity }, () => new PooledFrame(width, height));
  }

  get frameBytes(): number {
    return this.width * this.height * 3;
  }

  /** A free frame, retained once for the writer; null when every frame is held by a consumer. */
  acquire(): PooledFrame | null {
    const free = this.frames.find((f) => !f.inUse);
    return free ? free.retain() : null;
  }
}
