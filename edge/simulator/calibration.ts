import type { CalibrationPayload } from '../../protocol/index.ts';
import { slotPolygons, type LotLayout } from './lot.ts';

/** The calibration that matches a simulated lot exactly, as staff would draw it on a real camera. */
export function simulatedCalibration(layout: LotLayout, cameraId: string, version = 1): CalibrationPayload {
  const { width, height } = layout;
  return {
    camera_id: cameraId,
    version,
    issued_at: new Date().toISOString(),
    frame_width: width,
    frame_height: height,
    slots: slotPolygons(layout).map((polygon, i) => ({
      slot_id: layout.slots[i]!.id,
      polygon: polygon.map(([x, y]) => [clamp01(x / width), clamp01(y / height)]),
    })),
    privacy_masks: [],
  };
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
