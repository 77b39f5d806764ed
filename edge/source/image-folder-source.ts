import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import type { Logger } from '../log.ts';
import { FramePool, type PooledFrame } from './frame-pool.ts';
import { newCounters, type FrameSource, type SourceListener, type SourceStatus } from './types.ts';

export interface ImageFolderSourceOptions {
  folder: string;
  sampleRateFps: number;
  loop: boolean;
  /** Frame size; default: the first image's size. Other sizes are scaled to it. */
  width?: number;
  height?: number;
  listener: SourceListener;
  log: Logger;
  poolFrames?: number;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/**
 * Replays a folder of images (sorted by name) as a camera: for demos, tests and offline evaluation
 * of a whole day. An image that will not decode is counted as corrupt and skipped. Decoding goes
 * through sharp, which allocates per image; that is fine for replay and is not the camera path.
 */
export class ImageFolderSource implements FrameSource {
  readonly counters = newCounters();
  status: SourceStatus = 'starting';
  frameSize: { width: number; height: number } | null = null;
  private files: string[] = [];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private running = false;
  private pool: FramePool | undefined;

  constructor(private readonly opts: ImageFolderSourceOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const names = await readdir(this.opts.folder);
      this.files = names
        .filter((n) => IMAGE_EXT.has(extname(n).toLowerCase()))
        .sort()
        .map((n) => join(this.opts.folder, n));
    } catch (err) {
      this.setStatus('down', `cannot read folder: ${(err as Error).message}`);
      return;
    }
    if (this.files.length === 0) {
      this.setStatus('down', 'no images in folder');
      return;
    }
    const period = 1000 / this.opts.sampleRateFps;
    // A plain interval, not kit/timer.ts: ticks are async and must not overlap, stop() awaits the one in
    // flight, and the last image of a non-looping folder clears the interval from inside a tick.
    this.timer = setInterval(() => {
      // A slow decode must not pile up ticks: skip this one, as a busy camera pipeline would.
      if (this.busy) return;
      this.busy = this.tick().finally(() => (this.busy = undefined));
    }, period);
    this.busy = this.tick().finally(() => (this.busy = undefined));
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    await this.busy;
  }

  private setStatus(status: SourceStatus, detail?: string): void {
    this.status = status;
    try {
      this.opts.listener.onStatus(status, detail);
    } catch (err) {
      this.opts.log.error({ err }, 'status listener threw');
    }
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    if (this.next >= this.files.length) {
      if (!this.opts.loop) {
        clearInterval(this.timer);
        if (this.status !== 'down') this.setStatus('down', 'end of image folder');
        return;
      }
      this.next = 0;
    }
    const file = this.files[this.next++]!;
    let decoded: { data: Buffer; info: OutputInfo };
    try {
      let img = sharp(file, { failOn: 'error' }).removeAlpha().toColourspace('srgb');
      const size =
        this.frameSize ??
        (this.opts.width && this.opts.height ? { width: this.opts.width, height: this.opts.height } : null);
      if (size) img = img.resize(size.width, size.height, { fit: 'fill' });
      decoded = await img.raw().toBuffer({ resolveWithObject: true });
    } catch (err) {
      this.counters.corruptTotal++;
      this.opts.log.warn({ file, err: (err as Error).message }, 'skipping an image that does not decode');
      return;
    }
    if (!this.running) return;
    const { width, height, channels } = decoded.info;
    if (channels !== 3) {
      this.counters.corruptTotal++;
      return;
    }
    this.frameSize ??= { width, height };
    if (!this.pool) this.pool = new FramePool(width, height, this.opts.poolFrames ?? 4);
    const frame = this.pool.acquire();
    if (!frame) {
      this.counters.droppedTotal++;
      return;
    }
    try {
      frame.data.set(decoded.data);
      this.deliver(frame);
    } finally {
      frame.release();
    }
  }

  private deliver(frame: PooledFrame): void {
    this.counters.framesTotal++;
    frame.index = this.counters.framesTotal;
    frame.capturedAt = Date.now();
    if (this.status !== 'ok') this.setStatus('ok');
    try {
      this.opts.listener.onFrame(frame);
    } catch (err) {
      this.opts.log.error({ err }, 'frame listener threw');
    }
  }
}
