/**
 * The vision core: slot polygons → patches → occupancy probabilities, for per-slot classifiers and
 * generic COCO detectors behind one interface (`OccupancyModel` in types.ts).
 */
export type {
  DetailedResult,
  LoadedOccupancyModel,
  ModelTimings,
  OccupancyModel,
  PixelPolygon,
  RgbFrame,
} from './types.ts';
export { loadOccupancyModel, type LoadModelOptions } from './load.ts';
export { loadRgbFrame } from './image.ts';
export { VisionError, type VisionErrorCode } from './errors.ts';
export { MANIFEST_FILE, ModelManifestSchema, parseManifest, readManifest, type ModelManifest } from './manifest.ts';
export { modelFilePath, sha256 } from './session.ts';
export { slotPolygonProblem, slotQuad, type Quad } from './quad.ts';
export { squareToQuad, mapPoint } from './homography.ts';
export { PatchSampler } from './sampler.ts';
export {
  IDENTITY_RGB,
  pixelMap,
  warpQuadInto,
  type PixelMap,
  type Plane,
  type Region,
  type TensorTarget,
} from './warp.ts';
export { ClassifierModel } from './classifier.ts';
export { DetectorModel } from './detector/detector-model.ts';
export type { Detection } from './detector/types.ts';
export { slotProbabilities } from './detector/footprint.ts';
export { contextQuad, cropPlan, fillPad, PAD_GREY, type CropMode, type CropPlan } from './crop.ts';
export { readGenericHead, type LinearHead } from './head.ts';
