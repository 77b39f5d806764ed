import { VisionError } from './errors.ts';
import type { RgbFrame } from './types.ts';

/** Throws `VOLNO_FRAME_INVALID` unless the buffer holds width × height RGB pixels. */
export function assertFrame(frame: RgbFrame): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new VisionError('VOLNO_FRAME_INVALID', `frame size ${width}x${height} is not a positive integer size`);
  }
  if (data.length < width * height * 3) {
    throw new VisionError(
      'VOLNO_FRAME_INVALID',
      `frame buffer has ${data.length} bytes; ${width}x${height} RGB needs ${width * height * 3}`,
    );
  }
}

/**
 * Runs tasks one at a time. A model owns one preallocated input buffer, so two overlapping
 * `classify()` calls (two cameras sharing a model) must not interleave.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
