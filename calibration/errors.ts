import { VolnoError } from '../kit/errors.ts';

/**
 * Stable error codes of the calibration core; callers (HTTP routes, the editor) switch on `code`,
 * never on the message.
 */
export type CalibrationErrorCode =
  /** A document, import file or payload does not have the expected shape. */
  | 'VOLNO_CALIBRATION_INVALID'
  /** The text is not JSON / not well-formed XML. */
  | 'VOLNO_CALIBRATION_UNREADABLE'
  /** A file is bigger than the caller allows; rejected before parsing. */
  | 'VOLNO_CALIBRATION_TOO_LARGE'
  /** A Volno document written by a newer Volno (or with no format version). */
  | 'VOLNO_CALIBRATION_FORMAT_VERSION'
  /** The calibration has validation errors, so it cannot be published. */
  | 'VOLNO_CALIBRATION_HAS_ERRORS'
  /** Reference points are (nearly) collinear or coincide, so no homography exists. */
  | 'VOLNO_HOMOGRAPHY_DEGENERATE'
  /** The row tool was given an impossible request (bad count, crossing the horizon, …). */
  | 'VOLNO_ROW_INVALID';

export class CalibrationError extends VolnoError<CalibrationErrorCode> {
  override readonly name = 'CalibrationError';
}

/** Result of the parsers: they never throw on bad input, so a server can count and log the rejection. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: CalibrationError };
