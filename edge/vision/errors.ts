import { VolnoError } from '../../kit/errors.ts';

/** Stable codes of the vision core; callers switch on `code`, never on the message. */
export type VisionErrorCode =
  /** model.json is missing, not JSON, or does not match the manifest schema. */
  | 'VOLNO_MODEL_MANIFEST_INVALID'
  /** The ONNX file named by the manifest does not exist or cannot be read. */
  | 'VOLNO_MODEL_NOT_FOUND'
  /** The ONNX file's sha256 differs from the manifest's: wrong or damaged file. */
  | 'VOLNO_MODEL_CHECKSUM'
  /** The ONNX graph's inputs/outputs do not have the names or shapes the manifest promises. */
  | 'VOLNO_MODEL_SHAPE_MISMATCH'
  /** onnxruntime refused the file, or the warm-up run failed. */
  | 'VOLNO_MODEL_LOAD_FAILED'
  /** An inference run failed after a successful load. */
  | 'VOLNO_INFERENCE_FAILED'
  /** A slot polygon has too few points, non-finite coordinates or no area. */
  | 'VOLNO_POLYGON_INVALID'
  /** A frame's buffer does not match its width and height. */
  | 'VOLNO_FRAME_INVALID'
  /** An image file could not be read or decoded. */
  | 'VOLNO_IMAGE_UNREADABLE'
  /** The model was used after close(). */
  | 'VOLNO_MODEL_CLOSED'
  /** A per-camera head was asked of a model that has no features output (SlotNet, detectors). */
  | 'VOLNO_MODEL_NO_FEATURES';

export class VisionError extends VolnoError<VisionErrorCode> {
  override readonly name = 'VisionError';
}
