import type { CalibrationPayload, Polygon } from '../../protocol/index.ts';
import { fitsFrame, toPixels, type PreparedCalibration } from '../calibration/prepare.ts';
import type { PixelPolygon } from '../vision/types.ts';

interface FrameSize {
  width: number;
  height: number;
}

/**
 * The calibration in force on one camera and what the pipeline derives from it: the slot polygons in
 * pixels (cached until the frame size or the calibration changes) and whether the frames still have
 * the shape the calibration was drawn on.
 */
export class ActiveCalibration {
  private prepared: PreparedCalibration | null = null;
  private polygons: { width: number; height: number; list: PixelPolygon[] } | null = null;
  private fitsFrames = true;

  /** The calibration in force, or null before the first one; each installed calibration is a new object. */
  get current(): PreparedCalibration | null {
    return this.prepared;
  }

  get version(): number {
    return this.prepared?.payload.version ?? 0;
  }

  get privacyMasks(): readonly Polygon[] {
    return (this.prepared?.payload.privacy_masks ?? []) as unknown as Polygon[];
  }

  /** False while the frames have another shape than the one the calibration was drawn on. */
  get fits(): boolean {
    return this.fitsFrames;
  }

  /** True when `next` is the calibration already in force: same version and same content. */
  isInForce(next: CalibrationPayload): boolean {
    const cur = this.prepared?.payload;
    return cur !== undefined && cur.version === next.version && JSON.stringify(cur) === JSON.stringify(next);
  }

  /** Puts `prepared` in force; `frameSize` is the source's, when it already knows it. */
  install(prepared: PreparedCalibration, frameSize: FrameSize | null): void {
    this.prepared = prepared;
    this.polygons = null;
    this.fitsFrames = frameSize ? fitsFrame(prepared.payload, frameSize) : true;
  }

  /** Records whether `frame` has the shape `cal` was drawn on, and returns it. */
  checkFits(cal: CalibrationPayload, frame: FrameSize): boolean {
    this.fitsFrames = fitsFrame(cal, frame);
    return this.fitsFrames;
  }

  /** `cal`'s slot polygons in pixels of a frame of the given size. */
  pixelPolygons(cal: CalibrationPayload, width: number, height: number): PixelPolygon[] {
    if (!this.polygons || this.polygons.width !== width || this.polygons.height !== height) {
      this.polygons = {
        width,
        height,
        list: cal.slots.map((s) => toPixels(s.polygon as unknown as Polygon, width, height)),
      };
    }
    return this.polygons.list;
  }
}
