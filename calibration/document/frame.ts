import type { Point, Polygon } from '../../protocol/geometry.ts';

/** Frame size in pixels; polygons are stored relative to it (0–1). */
export interface FrameSize {
  width: number;
  height: number;
}

export const frameOf = (doc: { frame_width: number; frame_height: number }): FrameSize => ({
  width: doc.frame_width,
  height: doc.frame_height,
});

export const toPixels = (polygon: Polygon, frame: FrameSize): Point[] =>
  polygon.map(([x, y]) => [x * frame.width, y * frame.height]);

export const fromPixels = (polygon: Polygon, frame: FrameSize): Point[] =>
  polygon.map(([x, y]) => [x / frame.width, y / frame.height]);
