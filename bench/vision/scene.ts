import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { PixelPolygon } from '../../edge/vision/index.ts';

/**
 * A 1080p JPEG made from a real UFPR05 frame (upscaled 1.5×, so it decodes like a camera snapshot)
 * and 100 slots: 10 rows of 10 slightly skewed quads, 100–190 px wide, as a wide lot would have.
 */
export async function makeScene(source: string, dir: string): Promise<{ jpeg: string; slots: PixelPolygon[] }> {
  const jpeg = join(dir, 'frame-1080p.jpg');
  await writeFile(jpeg, await sharp(source).resize(1920, 1080).jpeg({ quality: 90 }).toBuffer());
  const slots: PixelPolygon[] = [];
  for (let row = 0; row < 10; row++) {
    const y = 60 + row * 100;
    const w = 100 + row * 10; // nearer rows are bigger
    for (let col = 0; col < 10; col++) {
      const x = 20 + col * 188;
      const skew = (col - 4.5) * 3;
      slots.push([
        [x + skew, y],
        [x + w + skew, y + 4],
        [x + w - skew, y + 90],
        [x - skew, y + 86],
      ]);
    }
  }
  return { jpeg, slots };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
