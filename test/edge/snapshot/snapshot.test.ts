import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeSnapshot } from '../../../edge/snapshot/encode.ts';
import { pixelateMasks } from '../../../edge/snapshot/privacy.ts';
import { imageFrame } from '../support/frames.ts';
import { labelledFrames } from '../support/ufpr05.ts';

/** Distinct RGB triples inside a pixel box. */
function colours(data: Uint8Array, width: number, x0: number, y0: number, x1: number, y1: number): Set<string> {
  const out = new Set<string>();
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) out.add(String(data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)));
  return out;
}

describe('snapshots', () => {
  it('pixelate privacy masks into coarse blocks and leave the rest untouched', async (ctx) => {
    const frame = await imageFrame(labelledFrames(ctx)[0]!.path);
    const data = Uint8Array.from(frame.data);
    // Top-left quarter of the picture, as a triangle-free rectangle mask.
    pixelateMasks(data, frame.width, frame.height, [
      [
        [0, 0],
        [0.25, 0],
        [0.25, 0.25],
        [0, 0.25],
      ],
    ]);
    // One 32x32 block inside the mask holds one colour; the original had hundreds.
    expect(colours(frame.data, frame.width, 0, 0, 32, 32).size).toBeGreaterThan(50);
    expect(colours(data, frame.width, 0, 0, 32, 32).size).toBe(1);
    expect(Buffer.compare(data.subarray(frame.width * 3 * 400), frame.data.subarray(frame.width * 3 * 400))).toBe(0);
  });

  it('encode a masked, downscaled JPEG and never touch the shared frame', async (ctx) => {
    const frame = await imageFrame(labelledFrames(ctx)[0]!.path);
    const before = Buffer.from(frame.data);
    const shot = await encodeSnapshot(
      frame,
      [
        [
          [0, 0],
          [1, 0],
          [1, 0.1],
        ],
      ],
      640,
    );
    expect(shot).toMatchObject({ width: 640, height: 360 });
    const meta = await sharp(shot.jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 640, height: 360 });
    expect(Buffer.compare(before, Buffer.from(frame.data))).toBe(0);
  });
});
