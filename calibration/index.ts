/**
 * The calibration core: the document staff edit, its validation, the row tool, the camera-moved
 * re-projection, import/export and the version diff. Pure TypeScript without Node APIs, so the
 * server imports it and the browser editor can load the same modules (see docs/calibration.md).
 */
export * from './errors.ts';
export * from './homography.ts';
export * from './document/schema.ts';
export * from './document/format.ts';
export * from './document/frame.ts';
export * from './document/wire.ts';
export * from './validation/messages.ts';
export * from './validation/types.ts';
export { validateCalibration } from './validation/validate.ts';
export { patchSize, upsampleFactor } from './validation/model-size.ts';
export { clipToConvex, intersectionArea, isConvex } from './geometry/clip.ts';
export { triangulate, type Triangle } from './geometry/triangulate.ts';
export * from './geometry/quad.ts';
export * from './row/row-tool.ts';
export * from './row/in-document.ts';
export * from './reproject/reproject.ts';
export * from './diff/diff.ts';
export * from './io/pklot.ts';
export * from './io/labelled-frame.ts';
export { minAreaRect, rotatedRectCorners, type RotatedRect } from './io/rotated-rect.ts';
export { parseXml, type XmlElement } from './io/xml.ts';
export { DEFAULT_MAX_IMPORT_BYTES } from './io/text.ts';
export * from './tune/logistic.ts';
export * from './tune/tune-head.ts';
export * from './tune/exemplars.ts';
