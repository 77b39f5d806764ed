import type { IssueCode, Locale } from './messages.ts';

export type Severity = 'error' | 'warning';

/** One problem found in a calibration, ready to show to staff. */
export interface CalibrationIssue {
  /** Stable; the UI may switch on it. */
  code: IssueCode;
  /** Errors block a save; warnings do not. */
  severity: Severity;
  /** Ids of the slots concerned (repeats when the problem is a duplicated id). */
  slotIds: string[];
  /** Positions in `slots`, for the editor to highlight (ids alone are ambiguous when duplicated). */
  slotIndexes: number[];
  maskIds: string[];
  maskIndexes: number[];
  /** JSON pointer into the document of the first thing concerned, e.g. `/slots/3/polygon`. */
  path: string;
  /** Point indexes (0-based) of the first polygon concerned, when specific points are at fault. */
  points?: number[];
  /** The values filled into the message, for a UI that formats its own. */
  params: Record<string, string | number>;
  /** A sentence for staff, in the requested locale. */
  message: string;
}

export interface ValidationReport {
  issues: CalibrationIssue[];
  errors: number;
  warnings: number;
  /** True when there is no error. */
  canSave: boolean;
}

/** The model's input patch size; the agent warps each slot to exactly this many pixels. */
export interface ModelInput {
  width: number;
  height: number;
}

export interface Thresholds {
  warning: number;
  error: number;
}

export interface ValidationOptions {
  locale?: Locale;
  /** Intersection area / the smaller slot's area. Default warning above 0.10, error above 0.50. */
  overlap?: Thresholds;
  /** Without it the model-size rule is skipped. */
  model?: ModelInput;
  /** Largest enlargement of the slot to the model input along either axis. Default warning above 3, error above 6. */
  upsample?: Thresholds;
  /** Share of a slot hidden by one privacy mask above which staff are warned. Default 0.10. */
  maskCover?: number;
}

/**
 * Measured on the real UFPR05 labels (40 slots, 1280×720): 28 neighbouring pairs overlap, the worst
 * by 17.5 % of the smaller slot (far slots 35–36), six pairs above 10 %. Hand-drawn neighbours
 * touching is normal; half a slot on top of another is a mistake.
 */
export const DEFAULT_OVERLAP: Thresholds = { warning: 0.1, error: 0.5 };
/** Bilinear enlargement beyond ~3× invents detail the classifier never saw in training; 6× is a blur. */
export const DEFAULT_UPSAMPLE: Thresholds = { warning: 3, error: 6 };
export const DEFAULT_MASK_COVER = 0.1;
/** The agent's limit on polygon points (protocol/payloads/calibration.ts, PolygonSchema). */
export const MAX_POINTS = 32;

/** What a rule reports before the message is written. */
export interface Finding {
  code: IssueCode;
  severity: Severity;
  slots?: number[];
  masks?: number[];
  path: string;
  points?: number[];
  params?: Record<string, string | number>;
}
