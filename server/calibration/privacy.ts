import sharp from 'sharp';
import type { Polygon } from '../../protocol/index.ts';

export interface MaskedImage {
  jpeg: Buffer;
  width: number;
  height: number;
}

/** Frames bigger than the protocol's 16384² limit are refused before libvips allocates them. */
const MAX_PIXELS = 16384 * 16384;

/**
 * Decodes a JPEG (an agent's snapshot: not trusted), pixelates the privacy-mask polygons (0–1 of the
 * frame) and re-encodes it. Re-encoding always, even without masks, also drops EXIF and any bytes
 * after the image, so staff only ever receive pixels the server has looked at.
 *
 * Pixelation, not blur, as the agent does (edge/snapshot/privacy.ts: blocks of 1/40 of the width,
 * because a soft blur is partly invertible). The server cannot import edge/, so it uses libvips:
 * shrink by the block size (area-averaging), grow back with nearest neighbour, and keep that only
 * inside the polygons (an SVG mask composited `dest-in`). Masks are applied here even though the
 * agent already applied its own, because staff may have drawn masks the agent has not received yet.
 * Throws on an undecodable image.
 */
export async function maskJpeg(input: Buffer, masks: readonly Polygon[]): Promise<MaskedImage> {
  const source = sharp(input, { failOn: 'error', limitInputPixels: MAX_PIXELS });
  const { data: rgb, info } = await source
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const raw = { raw: { width, height, channels: info.channels } } as const;
  const drawn = masks.filter((m) => m.length >= 3);
  let out = sharp(rgb, raw);
  if (drawn.length > 0) {
    const block = Math.max(12, Math.round(width / 40));
    const small = await sharp(rgb, raw)
      .resize(Math.max(1, Math.ceil(width / block)), Math.max(1, Math.ceil(height / block)), { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const coarse = await sharp(small.data, {
      raw: { width: small.info.width, height: small.info.height, channels: small.info.channels },
    })
      .resize(width, height, { fit: 'fill', kernel: 'nearest' })
      .ensureAlpha()
      .composite([{ input: Buffer.from(maskSvg(drawn, width, height)), blend: 'dest-in' }])
      .png()
      .toBuffer();
    out = out.composite([{ input: coarse }]);
  }
  const jpeg = await out.jpeg({ quality: 85 }).toBuffer();
  return { jpeg, width, height };
}

/** White polygons on transparency, in pixels; crispEdges so a mask edge pixel is fully in or out. */
export function maskSvg(masks: readonly Polygon[], width: number, height: number): string {
  const paths = masks
    .map((m) => {
      const pts = m.map(([x, y]) => `${round(x * width)},${round(y * height)}`);
      return `<polygon points="${pts.join(' ')}" fill="#fff"/>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" shape-rendering="crispEdges">${paths}</svg>`;
}

const round = (v: number): string => (Number.isFinite(v) ? (Math.round(v * 100) / 100).toString() : '0');
