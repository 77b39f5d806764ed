import type { Point } from '../../../protocol/geometry.ts';
import type { FrameSize } from '../../../calibration/index.ts';

/**
 * Zoom and pan as the SVG viewBox: the part of the frame (in frame pixels) that fills the editor.
 * Pure, so the maths is unit-tested without a browser.
 */
export interface ViewBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Closest zoom: 1/32 of the frame fills the view (a corner can be placed to a pixel on 4K). */
export const MAX_ZOOM = 32;

/** The whole frame. */
export const fitFrame = (f: FrameSize): ViewBox => ({ x: 0, y: 0, width: f.width, height: f.height });

/** Zoom of a view: 1 = whole frame. */
export const zoomOf = (v: ViewBox, f: FrameSize): number => f.width / v.width;

/** Keeps the view on the frame: never zoomed out past the whole frame, never panned off it. */
export function clampView(v: ViewBox, f: FrameSize): ViewBox {
  const width = Math.min(f.width, Math.max(f.width / MAX_ZOOM, v.width));
  const height = (width * f.height) / f.width;
  const x = Math.min(f.width - width, Math.max(0, v.x));
  const y = Math.min(f.height - height, Math.max(0, v.y));
  return { x, y, width, height };
}

/** Zooms by `factor` (> 1 zooms in) keeping frame point `at` (pixels) under the pointer. */
export function zoomAt(v: ViewBox, f: FrameSize, factor: number, at: Point): ViewBox {
  const width = v.width / factor;
  const height = v.height / factor;
  const fx = (at[0] - v.x) / v.width;
  const fy = (at[1] - v.y) / v.height;
  return clampView({ x: at[0] - fx * width, y: at[1] - fy * height, width, height }, f);
}

/** Pans by a fraction of the view (arrow keys) or by frame pixels (dragging). */
export function panBy(v: ViewBox, f: FrameSize, dx: number, dy: number): ViewBox {
  return clampView({ ...v, x: v.x + dx, y: v.y + dy }, f);
}

export const viewBoxAttr = (v: ViewBox): string => `${v.x} ${v.y} ${v.width} ${v.height}`;
