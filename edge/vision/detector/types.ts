/** One vehicle detection in frame pixels. */
export interface Detection {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Vehicle score: best vehicle-class probability (times objectness for YOLOX). */
  score: number;
  /** COCO class index of that best vehicle class. */
  classId: number;
}

/** What a head decoder needs besides the raw outputs. */
export interface DecodeParams {
  inputWidth: number;
  inputHeight: number;
  strides: readonly number[];
  vehicleClasses: readonly number[];
  scoreThreshold: number;
}
