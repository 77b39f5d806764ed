// The UFPR05 camera of PKLot as a Volno calibration, converted at test time from the dataset's
// labelled-frame JSON (polygons in pixels of 1280x720) to the protocol's normalised form.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CalibrationPayload } from '../../../protocol/index.ts';
import { requireDataset, type SkippableContext } from '../../support/datasets.ts';

export const UFPR05_VIDEO = 'videos/ufpr05_timelapse_2fps_1280x720.mp4';
export const UFPR05_SEQUENCE0 = 'pklot-ufpr05/sequence0/frames';

interface LabelledFrame {
  image: string;
  width: number;
  height: number;
  slots: { id: string; polygon: [number, number][]; occupied: boolean }[];
}

/** Every labelled frame of one UFPR05 sequence folder, sorted by name, with absolute image paths. */
export function labelledFrames(ctx: SkippableContext, folder = UFPR05_SEQUENCE0): (LabelledFrame & { path: string })[] {
  const dir = requireDataset(ctx, folder);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const frame = JSON.parse(readFileSync(join(dir, n), 'utf8')) as LabelledFrame;
      return { ...frame, path: join(dir, frame.image) };
    });
}

export interface CalibrationOptions {
  cameraId: string;
  version?: number;
  /** JPEG bytes of the view the polygons belong to, for camera-shift detection. */
  referenceJpeg?: Buffer;
  /** Per-slot exit delay override for the first slot, to exercise overrides. */
  privacyMasks?: [number, number][][];
}

/** The 40 UFPR05 slots as a calibration payload (normalised 0–1 polygons). */
export function ufpr05Calibration(ctx: SkippableContext, opts: CalibrationOptions): CalibrationPayload {
  const frame = labelledFrames(ctx)[0]!;
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    camera_id: opts.cameraId,
    version: opts.version ?? 1,
    issued_at: '2026-11-29T14:02:11.000Z',
    frame_width: frame.width,
    frame_height: frame.height,
    slots: frame.slots.map((s) => ({
      slot_id: s.id,
      polygon: s.polygon.map(([x, y]) => [round(x / frame.width), round(y / frame.height)]),
    })),
    privacy_masks: opts.privacyMasks ?? [],
    ...(opts.referenceJpeg && { reference_jpeg_base64: opts.referenceJpeg.toString('base64') }),
  };
}
