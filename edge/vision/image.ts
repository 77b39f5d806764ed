import sharp from 'sharp';
import { VisionError } from './errors.ts';
import type { RgbFrame } from './types.ts';

/**
 * Decodes an image file (PNG, JPEG, anything sharp reads) into an `RgbFrame`: alpha dropped,
 * greyscale expanded to RGB. For evaluation, training-patch cutting and tests; live cameras get raw
 * RGB from ffmpeg and never pay for this decode (~30 ms per 1080p JPEG, STACK.md).
 */
export async function loadRgbFrame(path: string, capturedAt = Date.now()): Promise<RgbFrame> {
  try {
    const { data, info } = await sharp(path)
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      capturedAt,
    };
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new VisionError('VOLNO_IMAGE_UNREADABLE', `cannot decode ${path}: ${detail}`, [], { cause });
  }
}
