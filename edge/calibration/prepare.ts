import sharp from 'sharp';
import { decodeMessage, type CalibrationPayload, type Polygon } from '../../protocol/index.ts';
import { slotPolygonProblem } from '../vision/index.ts';
import type { PixelPolygon } from '../vision/types.ts';

/** A decoded reference image, RGB24. */
export interface ReferenceImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A calibration that passed every check, ready to apply. */
export interface PreparedCalibration {
  payload: CalibrationPayload;
  reference: ReferenceImage | null;
}

export type PrepareResult = { ok: true; value: PreparedCalibration } | { ok: false; version: number; reason: string };

/** Aspect ratios further apart than this mean the polygons were drawn on another view. */
const ASPECT_TOLERANCE = 0.02;

const aspect = (w: number, h: number) => w / h;
const aspectDiffers = (a: number, b: number) => Math.abs(a - b) / b > ASPECT_TOLERANCE;

/** The version field of an invalid payload, when it has one, so the ack answers the right version. */
function versionOf(raw: Buffer | Uint8Array | string): number {
  try {
    const v = (JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8')) as { version?: unknown })
      .version;
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
  } catch {
    return 0;
  }
}

/** Normalised polygon → pixels of a frame of the given size. */
export function toPixels(polygon: Polygon, width: number, height: number): PixelPolygon {
  return polygon.map(([x, y]) => [x * width, y * height] as const);
}

/**
 * Validates a calibration for `cameraId` with the protocol's codec plus what only the agent can
 * check: the camera id, every slot polygon as the model will warp it, the reference image decodes,
 * and the aspect ratio fits the stream. Never throws; a rejection carries `path: message` lines for
 * the acknowledgement.
 */
export async function prepareCalibration(
  raw: Buffer | Uint8Array | string,
  cameraId: string,
  frameSize: { width: number; height: number } | null,
): Promise<PrepareResult> {
  const decoded = decodeMessage('calibration', raw);
  if (!decoded.ok) {
    const lines = decoded.error.issues.length > 0 ? decoded.error.issues : [`/: ${decoded.error.message}`];
    return { ok: false, version: versionOf(raw), reason: lines.join('\n') };
  }
  const p = decoded.value;
  const issues: string[] = [];
  if (p.camera_id !== cameraId) issues.push(`/camera_id: is "${p.camera_id}" but this topic is camera "${cameraId}"`);
  p.slots.forEach((slot, i) => {
    const problem = slotPolygonProblem(toPixels(slot.polygon as unknown as Polygon, p.frame_width, p.frame_height));
    if (problem) issues.push(`/slots/${i}/polygon: ${problem}`);
  });
  const calAspect = aspect(p.frame_width, p.frame_height);
  if (frameSize && aspectDiffers(aspect(frameSize.width, frameSize.height), calAspect)) {
    issues.push(
      `/frame_width: the calibration is ${p.frame_width}x${p.frame_height} but the stream is ${frameSize.width}x${frameSize.height}; the aspect ratios differ`,
    );
  }
  let reference: ReferenceImage | null = null;
  if (p.reference_jpeg_base64 !== undefined) {
    try {
      const { data, info } = await sharp(Buffer.from(p.reference_jpeg_base64, 'base64'), { failOn: 'error' })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      reference = {
        width: info.width,
        height: info.height,
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      };
      if (aspectDiffers(aspect(info.width, info.height), calAspect)) {
        issues.push(
          `/reference_jpeg_base64: the image is ${info.width}x${info.height}, not the shape of ${p.frame_width}x${p.frame_height}`,
        );
      }
    } catch (err) {
      issues.push(`/reference_jpeg_base64: not a decodable image (${(err as Error).message})`);
    }
  }
  if (issues.length > 0) return { ok: false, version: p.version, reason: issues.join('\n') };
  return { ok: true, value: { payload: p, reference } };
}

/** True when a calibration drawn on `cal` fits a stream of `frame`'s shape. */
export function fitsFrame(cal: CalibrationPayload, frame: { width: number; height: number }): boolean {
  return !aspectDiffers(aspect(frame.width, frame.height), aspect(cal.frame_width, cal.frame_height));
}
