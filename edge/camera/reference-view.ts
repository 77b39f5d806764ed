import type { CalibrationPayload } from '../../protocol/index.ts';
import type { ReferenceImage } from '../calibration/prepare.ts';
import type { Logger } from '../log.ts';
import { copyLuma, LumaSampler, type LumaImage } from '../quality/luma.ts';
import type { QualityMonitor } from '../quality/quality-monitor.ts';
import type { ShiftMonitor } from '../shift/shift-monitor.ts';
import type { CameraFiles } from './camera-files.ts';

/**
 * The view a calibration was drawn on, as a luma grid the size of the live frames' grid, fed to the
 * shift and blur checks.
 *
 * When the calibration carries no `reference_jpeg_base64` (a hand-written calibration file, an older
 * server), the agent captures the first usable frame after applying it. That is the best evidence
 * available: staff drew the polygons on a recent snapshot, so the camera is most likely still where
 * it was then, and any later movement is caught. The capture is persisted per calibration version, so
 * a camera knocked while the agent was down is still detected after the restart. What it cannot catch
 * is a camera that had already moved before the calibration was applied (docs/edge.md).
 */
export class ReferenceView {
  private image: ReferenceImage | null = null;
  private luma: LumaImage | null = null;
  private version = 0;
  private capturePending = false;
  private readonly sampler = new LumaSampler();

  constructor(
    private readonly files: CameraFiles,
    private readonly shift: ShiftMonitor,
    private readonly quality: QualityMonitor,
    private readonly log: Logger,
  ) {}

  /** Where the current reference came from, for logs and stream details. */
  origin: 'calibration' | 'captured' | 'none' = 'none';

  /** A new calibration: take its image, or a persisted capture for its version, or capture one. */
  async reset(calibration: CalibrationPayload, image: ReferenceImage | null): Promise<void> {
    this.version = calibration.version;
    this.image = image;
    this.luma = null;
    this.capturePending = false;
    this.shift.setReference(null);
    this.quality.setReference(null);
    this.origin = 'none';
    if (image) {
      this.origin = 'calibration';
      return; // turned into a grid on the first frame, when the grid size is known
    }
    const saved = await this.files.loadReference(calibration.version);
    if (saved && this.version === calibration.version) {
      this.install(saved, 'captured');
      return;
    }
    this.capturePending = true;
  }

  /** Call with every frame's grid before judging it: builds the grid of a calibration image. */
  prepare(frameGrid: LumaImage): void {
    if (!this.image) return;
    if (this.luma && this.luma.width === frameGrid.width && this.luma.height === frameGrid.height) return;
    const grid = copyLuma(this.sampler.sample(this.image, { width: frameGrid.width, height: frameGrid.height }));
    this.install(grid, 'calibration');
  }

  /** Call with a usable frame's grid: captures it as the reference when one is still needed. */
  captureIfNeeded(frameGrid: LumaImage): void {
    if (!this.capturePending) return;
    this.capturePending = false;
    const grid = copyLuma(frameGrid);
    this.install(grid, 'captured');
    const version = this.version;
    this.files
      .saveReference(version, grid)
      .catch((err: unknown) => this.log.warn({ err }, 'could not save the captured reference view'));
    this.log.info(
      { calibrationVersion: version },
      'calibration has no reference image; captured the current view as reference',
    );
  }

  private install(grid: LumaImage, origin: 'calibration' | 'captured'): void {
    this.luma = grid;
    this.origin = origin;
    this.shift.setReference(grid);
    this.quality.setReference(grid);
  }
}
