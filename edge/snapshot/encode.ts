import sharp from 'sharp';
import type { Polygon } from '../../protocol/index.ts';
import type { RgbFrame } from '../vision/types.ts';
import { pixelateMasks } from './privacy.ts';

export interface EncodedSnapshot {
  jpeg: Buffer;
  width: number;
  height: number;
}

/**
 * A JPEG of `frame` with the privacy masks pixelated before anything else happens to the pixels, then
 * downscaled to `maxWidth`. Works on a copy: the frame is shared with the pipeline.
 */
export async function encodeSnapshot(
  frame: RgbFrame,
  masks: readonly Polygon[],
  maxWidth?: number,
): Promise<EncodedSnapshot> {
  const copy = Buffer.from(frame.data);
  pixelateMasks(copy, frame.width, frame.height, masks);
  let img = sharp(copy, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  if (maxWidth !== undefined && frame.width > maxWidth) img = img.resize({ width: maxWidth });
  const { data, info } = await img.jpeg({ quality: 85, mozjpeg: false }).toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}
